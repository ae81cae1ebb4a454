/**
 * What the emulator has seen, for tests and benchmarks. Read `portal.counters`; reset with `portal.resetCounters()`.
 */
export interface Counters {
  /** Every HTTP request the emulator answered (REST, OAuth server, control endpoints, page). */
  httpRequests: number;
  /** HTTP requests to `/rest/…`: what the leaky bucket counts (a batch is one). */
  restRequests: number;
  /** Method executions, batch sub-commands included. */
  restCalls: number;
  /** Executions per method name (lowercase), batch sub-commands included; `batch` itself counts too. */
  byMethod: Record<string, number>;
  /** REST error answers per error code (top-level and batch sub-commands). */
  errors: Record<string, number>;
  /** Sub-commands run inside batches. */
  batchCommands: number;
  /** 503 QUERY_LIMIT_EXCEEDED answers. */
  rateLimited: number;
  /** 429 OPERATION_TIME_LIMIT answers. */
  operatingLimited: number;
  /** Token pairs issued (install, frame opens, refresh-auth, code exchanges, refreshes). */
  tokensIssued: number;
  /** Successful `refresh_token` grants. */
  tokenRefreshes: number;
  /** Refused token requests (invalid_grant, invalid_client, …). */
  tokenRefreshFailures: number;
  /** Successful `authorization_code` grants. */
  authCodeExchanges: number;
  /** `app.info` calls on the OAuth server. */
  oauthAppInfo: number;
  /** Events delivered with a 2xx answer. */
  eventsSent: number;
  /** Events that failed or got a non-2xx answer. */
  eventsFailed: number;
}

export function emptyCounters(): Counters {
  return {
    httpRequests: 0,
    restRequests: 0,
    restCalls: 0,
    byMethod: {},
    errors: {},
    batchCommands: 0,
    rateLimited: 0,
    operatingLimited: 0,
    tokensIssued: 0,
    tokenRefreshes: 0,
    tokenRefreshFailures: 0,
    authCodeExchanges: 0,
    oauthAppInfo: 0,
    eventsSent: 0,
    eventsFailed: 0,
  };
}

export function bump(record: Record<string, number>, key: string): void {
  record[key] = (record[key] ?? 0) + 1;
}
