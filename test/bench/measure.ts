/** Times `work` over `iterations` runs (after a warm-up) and returns per-operation figures. */
export async function measure(
  iterations: number,
  work: () => unknown,
): Promise<{ opsPerSecond: number; p50Micros: number; p99Micros: number }> {
  for (let i = 0; i < Math.min(1000, iterations / 10); i += 1) await work();
  const samples = new Float64Array(iterations);
  const started = process.hrtime.bigint();
  for (let i = 0; i < iterations; i += 1) {
    const t0 = process.hrtime.bigint();
    await work();
    samples[i] = Number(process.hrtime.bigint() - t0) / 1000;
  }
  const totalSeconds = Number(process.hrtime.bigint() - started) / 1e9;
  samples.sort();
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] ?? 0;
  return { opsPerSecond: iterations / totalSeconds, p50Micros: at(0.5), p99Micros: at(0.99) };
}

/** Prints rows as an aligned table. */
export function printTable(rows: Record<string, string | number>[]): void {
  const first = rows[0];
  if (first === undefined) return;
  const columns = Object.keys(first);
  const cell = (value: string | number | undefined) =>
    typeof value === 'number'
      ? Number.isInteger(value)
        ? String(value)
        : value.toFixed(value >= 100 ? 0 : 2)
      : (value ?? '');
  const widths = columns.map((column) =>
    Math.max(column.length, ...rows.map((row) => String(cell(row[column])).length)),
  );
  const line = (values: string[]) => values.map((value, i) => value.padEnd(widths[i] ?? 0)).join('  ');
  process.stdout.write(`${line(columns)}\n${line(widths.map((width) => '-'.repeat(width)))}\n`);
  for (const row of rows) process.stdout.write(`${line(columns.map((column) => String(cell(row[column]))))}\n`);
}
