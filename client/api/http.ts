import type { Decoder } from './decode';
import { errorBodySchema } from './schemas';

/** Codes the client itself produces; every other code comes from the server's error body. */
export const CLIENT_ERROR_CODES = {
  network: 'network_error',
  invalidResponse: 'invalid_response',
} as const;

/** The server's code when the user's access to the app was withdrawn after the session was issued. */
export const APP_ACCESS_DENIED = 'APP_ACCESS_DENIED';

/**
 * A failed /api call. `code` is the server's `error` field (or a CLIENT_ERROR_CODES value),
 * `status` the HTTP status (0 when no response arrived), `body` the parsed JSON error body (some
 * errors carry more than `error` and `message`, e.g. the policy `problems`), `undefined` without one.
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly code: string;
  readonly status: number;
  readonly body: unknown;

  constructor(params: { code: string; status: number; message: string; body?: unknown; cause?: unknown }) {
    super(params.message, params.cause === undefined ? undefined : { cause: params.cause });
    this.code = params.code;
    this.status = params.status;
    this.body = params.body;
  }

  /** The session token was refused: only reopening the app (a new frame POST) mints a new one. */
  get isSessionExpired(): boolean {
    return this.status === 401;
  }
}

export interface RequestOptions {
  signal?: AbortSignal;
}

/** One request as the API client's methods describe it. */
export interface JsonRequest {
  method: 'GET' | 'POST' | 'PUT';
  path: string;
  /** Sent as JSON. */
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

export interface HttpOptions {
  session: string;
  fetch: typeof fetch;
  baseUrl: string;
  onUnauthorized?: (error: ApiError) => void;
  onAccessDenied?: (error: ApiError) => void;
}

/**
 * The one place that calls `fetch`: adds the session, turns every failure into an ApiError and
 * parses every success with its schema (decode.ts), so nothing unchecked reaches a component.
 */
export function createHttp(options: HttpOptions) {
  const { session, baseUrl, onUnauthorized, onAccessDenied } = options;
  // Called as a plain function: browsers reject window.fetch invoked with another `this`.
  const doFetch = options.fetch;

  async function json<T>(request: JsonRequest, schema: Decoder<T, unknown>): Promise<T> {
    const { method, path, signal } = request;
    const headers: Record<string, string> = {
      Accept: 'application/json',
      Authorization: `Bearer ${session}`,
      ...request.headers,
    };
    if (request.body !== undefined) headers['Content-Type'] = 'application/json';
    let response: Response;
    try {
      response = await doFetch(`${baseUrl}${path}`, {
        method,
        headers,
        body: request.body === undefined ? null : JSON.stringify(request.body),
        cache: 'no-store',
        signal: signal ?? null,
      });
    } catch (err: unknown) {
      if (signal?.aborted) throw err;
      throw new ApiError({
        code: CLIENT_ERROR_CODES.network,
        status: 0,
        message: `${method} ${path} failed: no response`,
        cause: err,
      });
    }

    const body = await readJson(response);
    if (!response.ok) {
      const error = toApiError(`${method} ${path}`, response, body);
      if (error.isSessionExpired) onUnauthorized?.(error);
      if (error.status === 403 && error.code === APP_ACCESS_DENIED) onAccessDenied?.(error);
      throw error;
    }
    return parseBody(`${method} ${path}`, response.status, body, schema);
  }

  return { json };
}

/**
 * Parses an answer (or the extra fields of an error body) with its schema, as `invalid_response` when it does not fit.
 */
export function parseBody<T>(what: string, status: number, body: unknown, schema: Decoder<T, unknown>): T {
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw new ApiError({
      code: CLIENT_ERROR_CODES.invalidResponse,
      status,
      message: `${what} returned an unexpected body: ${parsed.error.message}`,
      cause: parsed.error,
    });
  }
  return parsed.data;
}

/** The parsed JSON body, or `undefined` when there is none or it is not JSON. */
async function readJson(response: Response): Promise<unknown> {
  const text = await response.text().catch(() => '');
  if (text === '') return undefined;
  try {
    const json: unknown = JSON.parse(text);
    return json;
  } catch {
    return undefined;
  }
}

function toApiError(what: string, response: Response, body: unknown): ApiError {
  const parsed = errorBodySchema.safeParse(body);
  if (parsed.success) {
    return new ApiError({ code: parsed.data.error, status: response.status, message: parsed.data.message, body });
  }
  // A proxy or a crash answered instead of our error handler.
  return new ApiError({
    code: `http_${response.status}`,
    status: response.status,
    message: `${what} failed with HTTP ${response.status}`,
  });
}
