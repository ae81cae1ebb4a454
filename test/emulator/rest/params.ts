/** Parameters of a REST call after merging the query string and the body (JSON or PHP-style form). */
export type Params = Record<string, unknown>;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A PHP array given either as a JSON array or as a form-parsed object (`a[0]=…&a[1]=…`). */
export function isPhpArray(value: unknown): value is unknown[] | Record<string, unknown> {
  return Array.isArray(value) || isRecord(value);
}

/** `array_change_key_case($params, CASE_UPPER)`: later keys win on collisions (`sort` vs `SORT`). */
export function upperKeys(params: Record<string, unknown>): Params {
  const out: Params = {};
  for (const [key, value] of Object.entries(params)) out[key.toUpperCase()] = value;
  return out;
}

/** Values of a PHP array; a scalar becomes a one-element list; null/undefined an empty one. */
export function listOf(value: unknown): unknown[] {
  if (Array.isArray(value)) return value;
  if (isRecord(value)) return Object.values(value);
  if (value === undefined || value === null) return [];
  return [value];
}

/** PHP `(bool)`: false for false, 0, "0", "", null and empty arrays. */
export function phpBool(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === 0 || value === '' || value === '0')
    return false;
  if (Array.isArray(value)) return value.length > 0;
  if (isRecord(value)) return Object.keys(value).length > 0;
  return true;
}

/** PHP `intval`: leading integer of a string, 1/0 for booleans, 0 otherwise. */
export function phpInt(value: unknown): number {
  if (typeof value === 'number') return Number.isFinite(value) ? Math.trunc(value) : 0;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string') {
    const match = /^\s*([+-]?\d+)/.exec(value);
    return match === null ? 0 : Number(match[1]);
  }
  if (isPhpArray(value)) return listOf(value).length > 0 ? 1 : 0;
  return 0;
}

/** A scalar as text (strings and numbers), else undefined. */
export function text(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  return undefined;
}

/** Reads a parameter case-insensitively (first match in key order). */
export function param(params: Params, name: string): unknown {
  if (name in params) return params[name];
  const wanted = name.toUpperCase();
  for (const [key, value] of Object.entries(params)) if (key.toUpperCase() === wanted) return value;
  return undefined;
}

/** `start` of list methods (`START` accepted too); missing means 0. */
export function readStart(params: Params): number {
  const value = params['start'] ?? params['START'];
  return value === undefined ? 0 : phpInt(value);
}

export const PAGE_SIZE = 50;
