/**
 * How PHP's json_encode prints an array: `[]` when empty, a JSON list when the keys are 0..n-1 in order,
 * an object otherwise. Batch answers depend on it (`"result_error": []`).
 */
export function phpArrayJson(entries: ReadonlyMap<string, unknown>): unknown[] | Record<string, unknown> {
  const keys = [...entries.keys()];
  if (keys.every((key, index) => key === String(index))) return [...entries.values()];
  return Object.fromEntries(entries);
}
