// What callers hand the API client: its options, the list endpoints' queries and page sizes.

import type { ApiError } from './http';

/** Options of `createApiClient` (client.ts). */
export interface ApiClientOptions {
  /** Session token from the bootstrap, sent as `Authorization: Bearer`. */
  session: string;
  /** The fetch to use; pass `globalThis.fetch.bind(globalThis)` in the browser, a stub in tests. */
  fetch: typeof fetch;
  /** Prefix of every path; same origin by default. */
  baseUrl?: string;
  /** Called once per 401 response, before the ApiError is thrown. */
  onUnauthorized?: (error: ApiError) => void;
  /**
   * Called on a 403 `APP_ACCESS_DENIED`: the user's access to the app was withdrawn after the session
   * was issued, and every route but /api/me now refuses them.
   */
  onAccessDenied?: (error: ApiError) => void;
}

/** Which users GET /api/directory/users returns by their `active` flag. */
export type ActiveFilter = 'active' | 'fired' | 'all';

/** Query of GET /api/directory/users; empty fields are left out of the URL. */
export interface UsersQuery {
  /** Searched in name, e-mail and position. */
  q?: string;
  department?: number | null;
  /** With `department`: include the members of its sub-departments. */
  subdepartments?: boolean;
  active?: ActiveFilter;
  /** `nextCursor` of the previous page. */
  cursor?: string | null;
  /** Page size, at most {@link MAX_USERS_PAGE}. */
  limit?: number;
}

/** The largest `limit` GET /api/directory/users accepts. */
export const MAX_USERS_PAGE = 500;

/** Entries per page of the audit log. */
export const AUDIT_PAGE_SIZE = 50;
