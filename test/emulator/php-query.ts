/**
 * PHP's `parse_str` and `http_build_query`, which is how Bitrix24 reads form bodies, query strings and
 * batch `cmd` strings (`FILTER[>ID]=5&order[ID]=ASC`), and how it writes event POSTs
 * (`auth[member_id]=…`). Nested "PHP arrays" are plain objects here; `[]` appends the next integer key.
 * @see https://www.php.net/manual/en/function.parse-str.php
 */
export type PhpValue = string | PhpArray;
export interface PhpArray {
  [key: string]: PhpValue;
}

function decode(part: string): string {
  const spaced = part.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
}

function nextIndex(target: PhpArray): string {
  let max = -1;
  for (const key of Object.keys(target)) {
    if (/^(0|[1-9]\d*)$/.test(key)) max = Math.max(max, Number(key));
  }
  return String(max + 1);
}

/** Parses `a=1&b[c][]=2` into `{ a: '1', b: { c: { 0: '2' } } }`, as PHP does. */
export function parsePhpQuery(query: string): PhpArray {
  const result: PhpArray = {};
  for (const pair of query.split('&')) {
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const rawKey = decode(eq === -1 ? pair : pair.slice(0, eq));
    const value = eq === -1 ? '' : decode(pair.slice(eq + 1));
    const open = rawKey.indexOf('[');
    // PHP turns spaces and dots in the top-level name into underscores.
    const base = (open === -1 ? rawKey : rawKey.slice(0, open)).replace(/[ .]/g, '_');
    if (base === '') continue;
    const segments: string[] = [];
    if (open !== -1) {
      const pattern = /\[([^\]]*)\]/gy;
      pattern.lastIndex = open;
      let match: RegExpExecArray | null;
      while ((match = pattern.exec(rawKey)) !== null) segments.push(match[1] ?? '');
    }
    assign(result, [base, ...segments], value);
  }
  return result;
}

function assign(target: PhpArray, path: string[], value: string): void {
  let node = target;
  for (let i = 0; i < path.length; i++) {
    const segment = path[i] ?? '';
    const key = segment === '' && i > 0 ? nextIndex(node) : segment;
    if (i === path.length - 1) {
      node[key] = value;
      return;
    }
    const existing = node[key];
    if (typeof existing === 'object') {
      node = existing;
    } else {
      const child: PhpArray = {};
      node[key] = child;
      node = child;
    }
  }
}

function encode(text: string): string {
  return encodeURIComponent(text).replace(/%20/g, '+');
}

function scalar(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint') return String(value);
  return undefined;
}

/** `http_build_query`: nested objects and arrays become `key[sub]=…`, `true`/`false` become 1/0, null is skipped. */
export function buildPhpQuery(data: Record<string, unknown>): string {
  const parts: string[] = [];
  const walk = (prefix: string, value: unknown): void => {
    if (Array.isArray(value)) {
      value.forEach((item, index) => walk(`${prefix}[${index}]`, item));
      return;
    }
    if (typeof value === 'object' && value !== null) {
      for (const [key, item] of Object.entries(value)) walk(`${prefix}[${key}]`, item);
      return;
    }
    const text = scalar(value);
    if (text !== undefined) parts.push(`${encode(prefix)}=${encode(text)}`);
  };
  for (const [key, value] of Object.entries(data)) walk(key, value);
  return parts.join('&');
}
