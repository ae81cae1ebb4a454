import type { z } from 'zod'
import { errorBodySchema, meSchema, scopesReportSchema, type Me, type ScopesReport } from './schemas'

/** Codes the client itself produces; every other code comes from the server's error body. */
export const CLIENT_ERROR_CODES = {
  network: 'network_error',
  invalidResponse: 'invalid_response'
} as const

/**
 * A failed /api call. `code` is the server's `error` field (or a CLIENT_ERROR_CODES value),
 * `status` the HTTP status (0 when no response arrived).
 */
export class ApiError extends Error {
  override readonly name = 'ApiError'
  readonly code: string
  readonly status: number

  constructor(params: { code: string; status: number; message: string; cause?: unknown }) {
    super(params.message, params.cause === undefined ? undefined : { cause: params.cause })
    this.code = params.code
    this.status = params.status
  }

  /** The session token was refused: only reopening the app (a new frame POST) mints a new one. */
  get isSessionExpired(): boolean {
    return this.status === 401
  }
}

/** Options of {@link createApiClient}. */
export interface ApiClientOptions {
  /** Session token from the bootstrap, sent as `Authorization: Bearer`. */
  session: string
  /** The fetch to use; pass `globalThis.fetch.bind(globalThis)` in the browser, a stub in tests. */
  fetch: typeof fetch
  /** Prefix of every path; same origin by default. */
  baseUrl?: string
  /** Called once per 401 response, before the ApiError is thrown. */
  onUnauthorized?: (error: ApiError) => void
}

export interface RequestOptions {
  signal?: AbortSignal
}

/** Typed access to the Keycard server; the only module that calls `fetch`. */
export interface ApiClient {
  me(options?: RequestOptions): Promise<Me>
  scopes(options?: RequestOptions): Promise<ScopesReport>
}

export function createApiClient(options: ApiClientOptions): ApiClient {
  const { session, baseUrl = '', onUnauthorized } = options
  // Called as a plain function: browsers reject window.fetch invoked with another `this`.
  const doFetch = options.fetch

  async function getJson<T>(path: string, schema: z.ZodType<T>, request: RequestOptions = {}): Promise<T> {
    let response: Response
    try {
      response = await doFetch(`${baseUrl}${path}`, {
        method: 'GET',
        headers: { Accept: 'application/json', Authorization: `Bearer ${session}` },
        cache: 'no-store',
        signal: request.signal ?? null
      })
    } catch (err: unknown) {
      if (request.signal?.aborted) throw err
      throw new ApiError({
        code: CLIENT_ERROR_CODES.network,
        status: 0,
        message: `GET ${path} failed: no response`,
        cause: err
      })
    }

    const body = await readJson(response)
    if (!response.ok) {
      const error = toApiError(path, response, body)
      if (error.isSessionExpired) onUnauthorized?.(error)
      throw error
    }

    const parsed = schema.safeParse(body)
    if (!parsed.success) {
      throw new ApiError({
        code: CLIENT_ERROR_CODES.invalidResponse,
        status: response.status,
        message: `GET ${path} returned an unexpected body`,
        cause: parsed.error
      })
    }
    return parsed.data
  }

  return {
    me: (request) => getJson('/api/me', meSchema, request),
    scopes: (request) => getJson('/api/scopes', scopesReportSchema, request)
  }
}

/** The parsed JSON body, or `undefined` when there is none or it is not JSON. */
async function readJson(response: Response): Promise<unknown> {
  const text = await response.text().catch(() => '')
  if (text === '') return undefined
  try {
    const json: unknown = JSON.parse(text)
    return json
  } catch {
    return undefined
  }
}

function toApiError(path: string, response: Response, body: unknown): ApiError {
  const parsed = errorBodySchema.safeParse(body)
  if (parsed.success) {
    return new ApiError({ code: parsed.data.error, status: response.status, message: parsed.data.message })
  }
  // A proxy or a crash answered instead of our error handler.
  return new ApiError({
    code: `http_${response.status}`,
    status: response.status,
    message: `GET ${path} failed with HTTP ${response.status}`
  })
}
