import { isPhpArray, listOf, text } from './params.js';

/** How a field compares: numbers, case-insensitive strings, dates (ms), or a list of numbers (`UF_DEPARTMENT`). */
export type FieldValue =
  | { kind: 'number'; value: number | null }
  | { kind: 'string'; value: string | null }
  | { kind: 'date'; value: number | null }
  | { kind: 'numbers'; value: readonly number[] };

/** One filter condition: `>=ID` → `{ op: '>=', field: 'ID' }`. */
export interface Condition {
  op: string;
  field: string;
  value: unknown;
}

const NEGATED: Record<string, string> = { '!': '', '!=': '=', '!%': '%', '!@': '@', '!><': '><' };
const KNOWN = new Set(['', '=', '%', '=%', '%=', '@', '>', '>=', '<', '<=', '><', ...Object.keys(NEGATED)]);

/**
 * Splits a filter key the way `user.get` does (`/^(\W{1,2})(.+)/`): one or two non-word characters
 * are the operator, the rest the field. Three-character operators (`!=%`) thus do not parse as such.
 */
export function splitFilterKey(key: string): { op: string; field: string } {
  const match = /^(\W{1,2})(.+)$/.exec(key);
  return match === null ? { op: '', field: key } : { op: match[1] ?? '', field: match[2] ?? '' };
}

export function isKnownOperator(op: string): boolean {
  return KNOWN.has(op);
}

function likeRegex(pattern: string): RegExp {
  const source = pattern
    .split('')
    .map((char) => (char === '%' ? '.*' : char === '_' ? '.' : char.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')))
    .join('');
  return new RegExp(`^${source}$`, 'isu');
}

function toComparable(field: FieldValue, raw: unknown): number | string | undefined {
  const value = text(raw) ?? (typeof raw === 'boolean' ? (raw ? '1' : '0') : undefined);
  if (value === undefined) return undefined;
  if (field.kind === 'string') return value.toLowerCase();
  if (field.kind === 'date') {
    const parsed = Date.parse(value);
    return Number.isNaN(parsed) ? undefined : parsed;
  }
  const number = Number(value);
  return Number.isNaN(number) ? undefined : number;
}

function scalarMatches(field: FieldValue, actual: number | string, op: string, expected: unknown): boolean {
  const normalized = typeof actual === 'string' ? actual.toLowerCase() : actual;
  switch (op) {
    case '':
      if (isPhpArray(expected)) return scalarMatches(field, actual, '@', expected);
      if (field.kind === 'string' && typeof expected === 'string') return likeRegex(expected).test(String(actual));
      return normalized === toComparable(field, expected);
    case '=':
      if (isPhpArray(expected)) return scalarMatches(field, actual, '@', expected);
      return normalized === toComparable(field, expected);
    case '%': {
      const needle = text(expected);
      return needle !== undefined && String(normalized).includes(needle.toLowerCase());
    }
    case '=%':
    case '%=': {
      const pattern = text(expected);
      return pattern !== undefined && likeRegex(pattern).test(String(actual));
    }
    case '@': {
      const list = typeof expected === 'string' ? expected.split(',') : listOf(expected);
      return list.some((item) => normalized === toComparable(field, item));
    }
    case '><': {
      const [low, high] = listOf(expected).map((item) => toComparable(field, item));
      return low !== undefined && high !== undefined && normalized >= low && normalized <= high;
    }
    default: {
      // Comparisons need a scalar; an array (e.g. an unresolved batch reference) matches nothing.
      if (isPhpArray(expected)) return false;
      const bound = toComparable(field, expected);
      if (bound === undefined) return false;
      if (op === '>') return normalized > bound;
      if (op === '>=') return normalized >= bound;
      if (op === '<') return normalized < bound;
      if (op === '<=') return normalized <= bound;
      return false;
    }
  }
}

/** Does a field satisfy a condition? Lists match when any element does; negations invert the positive match. */
export function matches(field: FieldValue, op: string, expected: unknown): boolean {
  const positive = NEGATED[op];
  if (positive !== undefined) return !matches(field, positive, expected);
  if (field.kind === 'numbers') {
    return field.value.some((item) => scalarMatches({ kind: 'number', value: item }, item, op, expected));
  }
  if (field.value === null) return false;
  return scalarMatches(field, field.value, op, expected);
}

/** Sort comparator over field values (nulls first, as SQL ascending does). */
export function compareFields(a: FieldValue, b: FieldValue): number {
  const left = a.kind === 'numbers' ? (a.value[0] ?? null) : a.value;
  const right = b.kind === 'numbers' ? (b.value[0] ?? null) : b.value;
  if (left === right) return 0;
  if (left === null) return -1;
  if (right === null) return 1;
  if (typeof left === 'string' && typeof right === 'string')
    return left.localeCompare(right, 'en', { sensitivity: 'base' });
  return left < right ? -1 : 1;
}
