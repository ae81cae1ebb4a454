import { z } from 'zod';
import { BitrixError, TransportError } from '../bitrix/bitrix-error.js';
import type { BitrixClient } from '../bitrix/sdk-client.js';
import type { TimeBlock } from '../bitrix/rate-budget.js';

/** Most commands one `batch` may carry (`BATCH_MAX_LENGTH` of the rest module). */
export const BATCH_MAX = 50;
/** Rows per page of every v2 list method. */
export const PAGE_SIZE = 50;

/**
 * A map in a batch answer. PHP prints an empty array as `[]` and an array with keys 0..n-1 as a JSON list,
 * so every map may arrive as a list; it is normalised to an object keyed by command name (or index).
 * @see https://apidocs.bitrix24.com/settings/how-to-call-rest-api/batch.html
 */
function phpMap<T extends z.ZodType>(value: T) {
  return z
    .union([z.record(z.string(), value), z.array(value)])
    .optional()
    .transform((map): Record<string, z.infer<T>> => {
      if (map === undefined) return {};
      if (Array.isArray(map)) return Object.fromEntries(map.map((item, index) => [String(index), item]));
      return map;
    });
}

const commandError = z
  .looseObject({ error: z.unknown(), error_description: z.unknown().optional() })
  .transform((raw) => ({
    error: typeof raw.error === 'string' || typeof raw.error === 'number' ? String(raw.error) : 'BATCH_COMMAND_FAILED',
    description: typeof raw.error_description === 'string' ? raw.error_description : '',
  }));

const timeBlock = z
  .looseObject({ operating: z.unknown().optional(), operating_reset_at: z.unknown().optional() })
  .transform((raw): TimeBlock => ({
    operating: typeof raw.operating === 'number' ? raw.operating : undefined,
    operating_reset_at: typeof raw.operating_reset_at === 'number' ? raw.operating_reset_at : undefined,
  }));

/** A count that may come as a number or a numeric string; anything else is NaN (callers check). */
const looseNumber = z
  .unknown()
  .transform((value) => (typeof value === 'number' ? value : typeof value === 'string' ? Number(value) : Number.NaN));

/** The `result` of a `batch` call: per command its result, error, total, next and time. */
export const batchEnvelopeSchema = z.object({
  result: phpMap(z.unknown()),
  result_error: phpMap(commandError),
  result_total: phpMap(looseNumber),
  result_next: phpMap(looseNumber),
  result_time: phpMap(timeBlock),
});
export type BatchEnvelope = z.infer<typeof batchEnvelopeSchema>;

/** A parameter value of a batch command: PHP-style nesting (`FILTER[>ID]=5`). */
export type QueryValue = string | number | boolean | readonly QueryValue[] | { readonly [key: string]: QueryValue };

/**
 * Keeps `[`, `]`, `$` and `>` readable, as the batch examples in the REST docs write them
 * (`FILTER[>ID]=$result[u0][49][ID]`): PHP's parse_str leaves them as they are, and the portal resolves
 * `$result[…]` references after parsing. Everything else is percent-encoded like http_build_query does.
 */
function encode(text: string): string {
  return encodeURIComponent(text).replace(/%5B/g, '[').replace(/%5D/g, ']').replace(/%24/g, '$').replace(/%3E/g, '>');
}

function flatten(prefix: string, value: QueryValue, out: string[]): void {
  if (typeof value === 'boolean') out.push(`${encode(prefix)}=${value ? '1' : '0'}`);
  else if (typeof value === 'string' || typeof value === 'number')
    out.push(`${encode(prefix)}=${encode(String(value))}`);
  else if (Array.isArray(value)) value.forEach((item: QueryValue, index) => flatten(`${prefix}[${index}]`, item, out));
  else for (const [key, item] of Object.entries(value)) flatten(`${prefix}[${key}]`, item, out);
}

/** `method?a=1&FILTER[>ID]=5`: one batch command, encoded as PHP's parse_str reads it. */
export function batchCommand(method: string, params: Readonly<Record<string, QueryValue>>): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(params)) flatten(key, value, parts);
  return parts.length === 0 ? method : `${method}?${parts.join('&')}`;
}

/** The envelope with every row of every command cut down to `fields` (other parts untouched). */
function keepFields(envelope: unknown, fields: readonly string[]): unknown {
  if (typeof envelope !== 'object' || envelope === null || !('result' in envelope)) return envelope;
  const results: unknown = envelope.result;
  if (typeof results !== 'object' || results === null) return envelope;
  for (const [key, rows] of Object.entries(results)) {
    if (!Array.isArray(rows)) continue;
    Reflect.set(
      results,
      key,
      rows.map((row: unknown) => {
        if (typeof row !== 'object' || row === null) return row;
        const kept: Record<string, unknown> = {};
        for (const field of fields) if (field in row) kept[field] = Reflect.get(row, field);
        return kept;
      }),
    );
  }
  return envelope;
}

/** A command of a batch failed where its result mattered (before the end of the data). */
export class BatchCommandError extends BitrixError {
  readonly command: string;
  readonly description: string;

  constructor(code: string, command: string, description: string) {
    // No HTTP status of its own: the batch answered 200 and the command failed inside it.
    super(code === '' ? 'BATCH_COMMAND_FAILED' : code, 0);
    this.command = command;
    this.description = description;
  }
}

/**
 * Sends one `batch` with `halt: 0` (a failing command must not hide the results before it) and parses the
 * envelope. `onRequest` counts HTTP requests (see BitrixClient.call).
 */
export async function sendBatch(
  client: BitrixClient,
  cmd: Record<string, string>,
  options: { onRequest?: () => void; fields?: readonly string[] } = {},
): Promise<BatchEnvelope> {
  const { onRequest, fields } = options;
  const raw = await client.call(
    'batch',
    { halt: 0, cmd },
    {
      ...(onRequest === undefined ? {} : { onRequest }),
      ...(fields === undefined ? {} : { shapeResult: (result: unknown) => keepFields(result, fields) }),
    },
  );
  const parsed = batchEnvelopeSchema.safeParse(raw);
  if (!parsed.success) throw new TransportError('bad_response', 200, { cause: parsed.error });
  return parsed.data;
}
