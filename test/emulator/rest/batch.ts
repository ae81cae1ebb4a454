import { parsePhpQuery } from '../php-query.js';
import { isPhpArray, isRecord, phpBool, upperKeys, type Params } from './params.js';
import { phpArrayJson } from './php-array.js';
import type { CallOutcome, MethodContext, MethodDefinition, MethodOutput } from './types.js';

/** `BATCH_MAX_LENGTH` of the rest module. */
export const BATCH_MAX_LENGTH = 50;

/**
 * Results so far, by the names references use: `$result[key]…`, `$next[key]`, `$total[key]`, `$time[key]`,
 * `$error[key]`.
 */
type BatchState = Record<'result' | 'next' | 'total' | 'time' | 'error', Map<string, unknown>>;

function stateMap(state: BatchState, name: string): Map<string, unknown> | undefined {
  switch (name.toLowerCase()) {
    case 'result':
      return state.result;
    case 'next':
      return state.next;
    case 'total':
      return state.total;
    case 'time':
      return state.time;
    case 'error':
      return state.error;
    default:
      return undefined;
  }
}

function lookup(value: unknown, key: string): unknown {
  if (value instanceof Map) return value.get(key);
  if (Array.isArray(value)) return /^\d+$/.test(key) ? value[Number(key)] : undefined;
  if (isRecord(value)) return value[key];
  return undefined;
}

/**
 * Replaces `$result[cmd][0][ID]`-style references in one parameter value, as `CRestUtil::processBatchElement`
 * does: the path is walked while keys exist (stopping early leaves the value reached so far); a reference
 * that is the whole value is replaced by whatever it reached (even an array), one inside a longer string only
 * by a string.
 */
function resolveReferences(value: string, state: BatchState): unknown {
  const pattern = /\$(result|next|total|time|error)([^\s]*)/gi;
  let replaced: unknown = value;
  for (const match of value.matchAll(pattern)) {
    const source = stateMap(state, match[1] ?? '');
    if (source === undefined) continue;
    const path = [...(match[2] ?? '').matchAll(/\[([^\]]+)\]/g)].map((segment) => segment[1] ?? '');
    if (path.length === 0) continue;
    let reached: unknown = source;
    for (const key of path) {
      const next = lookup(reached, key);
      if (next === undefined || next === null) break;
      reached = next;
    }
    if (reached instanceof Map) reached = phpArrayJson(reached);
    if (match[0] === value) return reached;
    if (typeof reached === 'string' && typeof replaced === 'string') replaced = replaced.replace(match[0], reached);
  }
  return replaced;
}

function resolveStructure(params: unknown, state: BatchState): unknown {
  if (typeof params === 'string') return resolveReferences(params, state);
  if (isPhpArray(params)) {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(params)) out[key] = resolveStructure(value, state);
    return out;
  }
  return params;
}

function record(state: BatchState, key: string, outcome: CallOutcome): void {
  if (outcome.ok) {
    state.result.set(key, outcome.result);
    if (outcome.total !== undefined) state.total.set(key, outcome.total);
    if (outcome.next !== undefined) state.next.set(key, outcome.next);
    state.time.set(key, outcome.time);
  } else {
    state.error.set(key, { error: outcome.error, error_description: outcome.description });
  }
}

/**
 * `batch`: up to 50 commands `method?query` (parsed like PHP's parse_str), run in order with the caller's
 * token, references to earlier results resolved first; commands past the 50th get
 * ERROR_BATCH_LENGTH_EXCEEDED; `halt` stops at the first error. HTTP 200 even when commands fail; empty
 * maps print as `[]`.
 * @see https://apidocs.bitrix24.com/settings/how-to-call-rest-api/batch.html
 */
function batch(context: MethodContext, params: Params): MethodOutput {
  const query = upperKeys(params);
  const halt = phpBool(query['HALT']);
  const state: BatchState = { result: new Map(), next: new Map(), total: new Map(), time: new Map(), error: new Map() };
  const commands = isPhpArray(query['CMD']) ? Object.entries(query['CMD']) : [];
  let count = 0;
  for (const [key, command] of commands) {
    let outcome: CallOutcome;
    if (count++ < BATCH_MAX_LENGTH) {
      if (typeof command !== 'string') continue;
      const mark = command.indexOf('?');
      const method = (mark === -1 ? command : command.slice(0, mark)).trim();
      const parsed = mark === -1 ? {} : parsePhpQuery(command.slice(mark + 1));
      const resolved = resolveStructure(parsed, state);
      outcome = context.call(method, isRecord(resolved) ? resolved : {});
    } else {
      outcome = {
        ok: false,
        status: 400,
        error: 'ERROR_BATCH_LENGTH_EXCEEDED',
        description: 'Max batch length exceeded',
      };
    }
    record(state, key, outcome);
    if (!outcome.ok && halt) break;
  }
  return {
    result: {
      result: phpArrayJson(state.result),
      result_error: phpArrayJson(state.error),
      result_total: phpArrayJson(state.total),
      result_next: phpArrayJson(state.next),
      result_time: phpArrayJson(state.time),
    },
  };
}

export const batchMethods: Record<string, MethodDefinition> = {
  // Nested batch is refused (rest module 24.0+).
  batch: { scopes: [], notInBatch: true, skipOperating: true, handler: batch },
};
