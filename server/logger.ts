import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/** Keys whose values are credentials; compared case-insensitively, wherever they appear in a log record. */
const SECRET_KEYS = new Set(
  [
    'access_token',
    'refresh_token',
    'auth_id',
    'refresh_id',
    'application_token',
    'client_secret',
    'auth',
    'authorization',
    'accesstoken',
    'refreshtoken',
    'applicationtoken',
    'clientsecret',
    'session',
    'ticket',
    'token',
    'password',
    'secret',
    'secretkeys',
  ].map((key) => key.toLowerCase()),
);

const REDACTED = '[redacted]';
const QUERY_SECRET =
  /\b(auth|access_token|refresh_token|auth_id|refresh_id|application_token|client_secret|code)=[^&\s"']+/gi;
const BEARER = /\bBearer\s+[A-Za-z0-9._~+/=-]+/g;
/** Credentials inside connection URLs (`redis://user:password@host`). */
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)[^\s/@:"']*:[^\s/@"']+@/gi;
/** The same keys inside JSON that ended up in a message (e.g. a request body quoted by an HTTP library). */
const JSON_SECRET =
  /(\\?)"(auth|access_token|refresh_token|auth_id|refresh_id|application_token|client_secret)\\?"\s*:\s*\\?"[^"\\]*\\?"/gi;

/** Masks credentials that leak into free text (URLs with `auth=…`, quoted JSON, `Bearer …` headers). */
export function scrubText(text: string): string {
  return text
    .replace(QUERY_SECRET, `$1=${REDACTED}`)
    .replace(JSON_SECRET, `$1"$2$1":$1"${REDACTED}$1"`)
    .replace(BEARER, `Bearer ${REDACTED}`)
    .replace(URL_CREDENTIALS, `$1${REDACTED}@`);
}

/**
 * Returns a copy of `value` with every credential masked: values under secret keys at any depth, and
 * token-looking fragments inside strings. Errors become plain objects (name, code, status, message).
 */
export function redactSecrets(value: unknown, depth = 0): unknown {
  if (depth > 8) return '[too deep]';
  if (typeof value === 'string') return scrubText(value);
  if (value instanceof Error) return redactError(value, depth);
  if (Array.isArray(value)) return value.map((item) => redactSecrets(item, depth + 1));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      // Under a secret key only a plain object (e.g. event `auth[...]`, whose member_id is useful) is kept and
      // searched; anything else there — a string, a number, a list — is masked whole.
      const keepSearching = item !== null && typeof item === 'object' && !Array.isArray(item);
      out[key] = SECRET_KEYS.has(key.toLowerCase()) && !keepSearching ? REDACTED : redactSecrets(item, depth + 1);
    }
    return out;
  }
  return value;
}

function redactError(error: Error, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = { type: error.name, message: scrubText(error.message) };
  const extra = error as Error & { code?: unknown; status?: unknown };
  if (extra.code !== undefined) out['code'] = redactSecrets(extra.code, depth + 1);
  if (extra.status !== undefined) out['status'] = extra.status;
  if (error.stack !== undefined) out['stack'] = scrubText(error.stack);
  if (error.cause !== undefined) out['cause'] = redactSecrets(error.cause, depth + 1);
  return out;
}

/**
 * Pino takes the message from an Error's `message` when no message string is given, and formats `%o`
 * arguments into the message: neither passes through `formatters.log`, so both are redacted here.
 */
function safeArguments<T extends unknown[]>(args: T): T {
  const [first, ...rest] = args;
  const error = first instanceof Error ? first : errorUnderErr(first);
  const cleaned: unknown[] =
    error !== undefined && typeof rest[0] !== 'string'
      ? [first instanceof Error ? { err: first } : first, scrubText(error.message), ...rest]
      : [first, ...rest];
  return cleaned.map((arg, index) => (index === 0 && typeof arg !== 'string' ? arg : redactSecrets(arg))) as T;
}

function errorUnderErr(value: unknown): Error | undefined {
  if (value === null || typeof value !== 'object' || !('err' in value)) return undefined;
  return value.err instanceof Error ? value.err : undefined;
}

/** The one logger factory; every record passes through the redaction above before it is written. */
export function createLogger(options: { level?: string; destination?: DestinationStream } = {}): Logger {
  return pino(
    {
      level: options.level ?? 'info',
      base: undefined,
      serializers: { err: (error: unknown) => redactSecrets(error) },
      formatters: {
        log: (record) => {
          const redacted = redactSecrets(record);
          return redacted !== null && typeof redacted === 'object' ? (redacted as Record<string, unknown>) : {};
        },
      },
      hooks: {
        logMethod(args, method) {
          method.apply(this, safeArguments(args));
        },
      },
    },
    options.destination,
  );
}
