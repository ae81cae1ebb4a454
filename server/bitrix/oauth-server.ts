import type { z } from 'zod';
import { unixSeconds, type Clock } from '../clock.js';
import { BitrixError, TransportError } from './bitrix-error.js';
import { oauthAppInfoSchema, oauthErrorSchema, tokenResponseSchema, type OAuthAppInfo } from './schemas.js';

/** Tokens as the token endpoint returned them, with `expiresAt` always set (unix seconds). */
export interface IssuedTokens {
  accessToken: string;
  refreshToken: string;
  expiresAt: number;
  clientEndpoint: string | undefined;
  scopes: string[] | undefined;
  status: string | undefined;
}

export interface OAuthServerOptions {
  /** Configured OAuth server base URL (never taken from a request). */
  baseUrl: string;
  clientId: string;
  clientSecret: string;
  fetch: typeof fetch;
  clock: Clock;
  timeoutMs?: number;
  /** Retries of a request the OAuth server did not take (default 2), after 200 ms, 400 ms, …. */
  retries?: number;
  sleep?: (ms: number) => Promise<void>;
}

/** Statuses a read is repeated after (a gateway or the server itself failed). */
const RETRY_READ_STATUSES = new Set([502, 503, 504]);

/** Whether the connection was never made (fetch wraps the socket error: walk the cause chain). */
function refusedConnection(error: unknown): boolean {
  for (let cause: unknown = error, depth = 0; cause instanceof Error && depth < 5; cause = cause.cause, depth++) {
    const code = 'code' in cause ? cause.code : undefined;
    if (code === 'ECONNREFUSED' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') return true;
  }
  return false;
}

/**
 * The Bitrix24 OAuth server: vouches for tokens (`app.info`) and renews them (`oauth/token`).
 * Secrets travel in form bodies, never in URLs, so proxies and access logs never see them.
 * @see https://apidocs.bitrix24.com/settings/oauth/index.html
 */
export class OAuthServer {
  readonly #options: OAuthServerOptions;

  constructor(options: OAuthServerOptions) {
    this.#options = options;
  }

  /** Where this server is (recorded on the installations whose tokens it issued). */
  get baseUrl(): string {
    return this.#options.baseUrl;
  }

  /** Asks the OAuth server who issued `accessToken`: our client id, which portal, which scopes. */
  async appInfo(accessToken: string): Promise<OAuthAppInfo> {
    // A read: safe to repeat after any failure to get an answer.
    return this.#withRetries(true, () => this.#post('/rest/app.info', { auth: accessToken }, oauthAppInfoSchema));
  }

  /** Exchanges a refresh token for new tokens; the old refresh token is dead afterwards. */
  async refresh(refreshToken: string): Promise<IssuedTokens> {
    // Not a read: an exchange that reached the server spends the refresh token, so it is repeated only when
    // the connection was never made. After a timeout or a 5xx the stored tokens are kept and the caller
    // answers "unavailable"; if the server did act, the next renewal meets invalid_grant (needs reinstall).
    const answer = await this.#withRetries(false, () =>
      this.#post(
        '/oauth/token/',
        {
          grant_type: 'refresh_token',
          client_id: this.#options.clientId,
          client_secret: this.#options.clientSecret,
          refresh_token: refreshToken,
        },
        tokenResponseSchema,
      ),
    );
    return {
      accessToken: answer.access_token,
      refreshToken: answer.refresh_token,
      expiresAt: answer.expires ?? unixSeconds(this.#options.clock) + answer.expires_in,
      clientEndpoint: answer.client_endpoint,
      scopes: answer.scope,
      status: answer.status,
    };
  }

  async #withRetries<T>(idempotent: boolean, send: () => Promise<T>): Promise<T> {
    const retries = this.#options.retries ?? 2;
    const sleep = this.#options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
    for (let attempt = 0; ; attempt++) {
      try {
        return await send();
      } catch (error: unknown) {
        // A read may be repeated after any failure to get an answer; an exchange only when the connection
        // was never made (a 502/504 may come after the server acted on it).
        const again =
          error instanceof TransportError &&
          (refusedConnection(error) ||
            (idempotent &&
              (error.reason === 'unreachable' ||
                error.reason === 'timeout' ||
                RETRY_READ_STATUSES.has(error.httpStatus))));
        if (!again || attempt >= retries) throw error;
        await sleep(200 * 2 ** attempt);
      }
    }
  }

  async #post<S extends z.ZodType>(path: string, form: Record<string, string>, schema: S): Promise<z.output<S>> {
    let response: Response;
    try {
      response = await this.#options.fetch(`${this.#options.baseUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: new URLSearchParams(form).toString(),
        redirect: 'error',
        signal: AbortSignal.timeout(this.#options.timeoutMs ?? 10_000),
      });
    } catch (error: unknown) {
      throw new TransportError(error instanceof Error && error.name === 'TimeoutError' ? 'timeout' : 'unreachable', 0, {
        cause: error,
      });
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch (error: unknown) {
      throw new TransportError('bad_response', response.status, { cause: error });
    }
    const failure = oauthErrorSchema.safeParse(body);
    if (failure.success) {
      const { error, error_description: description } = failure.data;
      throw new BitrixError(error, response.status, description === undefined ? undefined : { description });
    }
    if (!response.ok) throw new TransportError('http_error', response.status);
    const parsed = schema.safeParse(body);
    if (!parsed.success) throw new TransportError('bad_response', response.status, { cause: parsed.error });
    return parsed.data;
  }
}
