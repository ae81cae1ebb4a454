import type { z } from 'zod'
import {
  departmentsResponseSchema,
  errorBodySchema,
  meSchema,
  scopesReportSchema,
  syncStartSchema,
  syncStatusSchema,
  usersPageSchema,
  type DepartmentsResponse,
  type Me,
  type ScopesReport,
  type SyncStart,
  type SyncStatus,
  type UsersPage
} from './schemas'

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

/** Which users GET /api/directory/users returns by their `active` flag. */
export type ActiveFilter = 'active' | 'fired' | 'all'

/** Query of GET /api/directory/users; empty fields are left out of the URL. */
export interface UsersQuery {
  /** Searched in name, e-mail and position. */
  q?: string
  department?: number | null
  /** With `department`: include the members of its sub-departments. */
  subdepartments?: boolean
  active?: ActiveFilter
  /** `nextCursor` of the previous page. */
  cursor?: string | null
  /** Page size, at most {@link MAX_USERS_PAGE}. */
  limit?: number
}

/** The largest `limit` GET /api/directory/users accepts. */
export const MAX_USERS_PAGE = 500

/** Typed access to the Keycard server; the only module that calls `fetch`. */
export interface ApiClient {
  me(options?: RequestOptions): Promise<Me>
  scopes(options?: RequestOptions): Promise<ScopesReport>
  /** State of the directory mirror (GET /api/sync). */
  syncStatus(options?: RequestOptions): Promise<SyncStatus>
  /** Starts a sync (POST /api/sync); admins only, others get a 403 `ADMIN_REQUIRED`. */
  startSync(options?: RequestOptions): Promise<SyncStart>
  departments(options?: RequestOptions): Promise<DepartmentsResponse>
  users(query: UsersQuery, options?: RequestOptions): Promise<UsersPage>
}

const ACTIVE_PARAM: Record<ActiveFilter, string> = { active: 'true', fired: 'false', all: 'all' }

/** The path with the query string of GET /api/directory/users. */
export function usersPath(query: UsersQuery): string {
  const params = new URLSearchParams()
  const q = query.q?.trim() ?? ''
  if (q !== '') params.set('q', q)
  if (query.department !== undefined && query.department !== null) {
    params.set('department', String(query.department))
    if (query.subdepartments !== undefined) params.set('subdepartments', String(query.subdepartments))
  }
  if (query.active !== undefined) params.set('active', ACTIVE_PARAM[query.active])
  if (query.cursor !== undefined && query.cursor !== null) params.set('cursor', query.cursor)
  if (query.limit !== undefined) params.set('limit', String(Math.min(Math.max(1, Math.floor(query.limit)), MAX_USERS_PAGE)))
  const search = params.toString()
  return search === '' ? '/api/directory/users' : `/api/directory/users?${search}`
}

export function createApiClient(options: ApiClientOptions): ApiClient {
  const { session, baseUrl = '', onUnauthorized } = options
  // Called as a plain function: browsers reject window.fetch invoked with another `this`.
  const doFetch = options.fetch

  async function requestJson<T>(
    method: 'GET' | 'POST',
    path: string,
    schema: z.ZodType<T>,
    request: RequestOptions = {}
  ): Promise<T> {
    let response: Response
    try {
      response = await doFetch(`${baseUrl}${path}`, {
        method,
        headers: { Accept: 'application/json', Authorization: `Bearer ${session}` },
        cache: 'no-store',
        signal: request.signal ?? null
      })
    } catch (err: unknown) {
      if (request.signal?.aborted) throw err
      throw new ApiError({
        code: CLIENT_ERROR_CODES.network,
        status: 0,
        message: `${method} ${path} failed: no response`,
        cause: err
      })
    }

    const body = await readJson(response)
    if (!response.ok) {
      const error = toApiError(`${method} ${path}`, response, body)
      if (error.isSessionExpired) onUnauthorized?.(error)
      throw error
    }

    const parsed = schema.safeParse(body)
    if (!parsed.success) {
      throw new ApiError({
        code: CLIENT_ERROR_CODES.invalidResponse,
        status: response.status,
        message: `${method} ${path} returned an unexpected body`,
        cause: parsed.error
      })
    }
    return parsed.data
  }

  return {
    me: (request) => requestJson('GET', '/api/me', meSchema, request),
    scopes: (request) => requestJson('GET', '/api/scopes', scopesReportSchema, request),
    syncStatus: (request) => requestJson('GET', '/api/sync', syncStatusSchema, request),
    startSync: (request) => requestJson('POST', '/api/sync', syncStartSchema, request),
    departments: (request) => requestJson('GET', '/api/directory/departments', departmentsResponseSchema, request),
    users: (query, request) => requestJson('GET', usersPath(query), usersPageSchema, request)
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

function toApiError(what: string, response: Response, body: unknown): ApiError {
  const parsed = errorBodySchema.safeParse(body)
  if (parsed.success) {
    return new ApiError({ code: parsed.data.error, status: response.status, message: parsed.data.message })
  }
  // A proxy or a crash answered instead of our error handler.
  return new ApiError({
    code: `http_${response.status}`,
    status: response.status,
    message: `${what} failed with HTTP ${response.status}`
  })
}
