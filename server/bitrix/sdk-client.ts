import type { Agent as HttpAgent } from 'node:http';
import type { Agent as HttpsAgent } from 'node:https';
import { ApiVersion, B24OAuth, SdkError, type RestrictionParams } from '@bitrix24/b24jssdk';
import { AppError } from '../errors.js';
import { BitrixError, TransportError } from './bitrix-error.js';
import { withRateRetry, type RequestPriority } from './rate-budget.js';
import { type RateBudgets } from './rate-budgets.js';
import { attachBudget, currentCall, followDomainChange, noteSentToken } from './sdk-interceptors.js';

/** Per-call options of {@link BitrixClient.call}. */
export interface CallOptions {
  /**
   * Called once for every HTTP request sent for this call: retries after a limit and the re-send after a
   * token refresh included. The directory sync counts its requests with it.
   */
  onRequest?: () => void;
  /**
   * Reshapes `result` the moment the answer arrives, before anything else holds it (the SDK copies and
   * stringifies every answer for its debug log). The directory sync drops the fields it does not store,
   * so a 2,500-user batch does not live in memory two or three times over.
   */
  shapeResult?: (result: unknown) => unknown;
  /** How long this call may wait for the portal's request budget (default: the client's). */
  priority?: RequestPriority;
}

/**
 * One Bitrix24 portal as the app sees it: call a REST method, get its `result` (unparsed — callers use
 * zod). `call('batch', { halt: 0, cmd })` returns the raw batch envelope (`result`, `result_error`, …).
 */
export interface BitrixClient {
  call(method: string, params?: Record<string, unknown>, options?: CallOptions): Promise<unknown>;
}

/** Fresh credentials handed back by a refresh (the refresh token itself stays in the vault). */
export interface RefreshedAccess {
  accessToken: string;
  expiresAt: number;
  clientEndpoint: string;
}

export interface ClientCredentials {
  memberId: string;
  /** Verified REST endpoint of the portal, e.g. https://x.bitrix24.com/rest/ */
  clientEndpoint: string;
  accessToken: string;
  /** Unix seconds. */
  expiresAt: number;
  /** The OAuth server that issued the token (the SDK wants one; renewals go through `refresh`). */
  oauthServer?: string;
  /**
   * Renews the access token; absent for one-off user tokens, which are never refreshed. `refusedToken` is the
   * token the refused request carried (undefined if unknown): a request sent before a renewal and refused after
   * it must not renew a second time.
   */
  refresh?: (refusedToken: string | undefined) => Promise<RefreshedAccess>;
  /**
   * The portal answered 302 from its old address: checks the new REST endpoint (throws if it is not an
   * accepted portal host), records it, and returns it; the request is then repeated there. Absent: a
   * redirect is an error.
   */
  moved?: (location: string, from: string) => Promise<string>;
  /** How long this client's calls may wait for the portal's request budget (default `normal`). */
  priority?: RequestPriority;
}

/** Builds a client for one set of credentials; injected into createApp so tests and tools can swap it. */
export type BitrixClientFactory = (credentials: ClientCredentials) => BitrixClient;

/**
 * How long one portal request may take: Bitrix24 runs a request for up to 60 s before it gives up, so a
 * request is abandoned only after that (the SDK's own 30 s would abandon a slow 50-command batch, which a retry
 * then pays for again in operating time).
 * @see https://apidocs.bitrix24.com/settings/performance/limits.html ("one REST request must finish within 60 seconds")
 */
export const PORTAL_REQUEST_TIMEOUT_MS = 65_000;

const DEFAULT_OAUTH_SERVER = 'https://oauth.bitrix.info';

/**
 * The SDK's HTTP clients with our timeout (the documented way: `ajaxClient.defaults.timeout`, b24jssdk
 * src/types/limiters.ts) and, when given, our agents.
 */
function configureTransport(sdk: B24OAuth, agents: { http: HttpAgent; https: HttpsAgent } | undefined): void {
  for (const version of [ApiVersion.v2, ApiVersion.v3]) {
    const defaults = sdk.getHttpClient(version).ajaxClient.defaults;
    defaults.timeout = PORTAL_REQUEST_TIMEOUT_MS;
    if (agents !== undefined) {
      defaults.httpAgent = agents.http;
      defaults.httpsAgent = agents.https;
    }
  }
}

/** Seconds before expiry at which a token counts as expired, so a call never starts with a dying token. */
const EXPIRY_SKEW_SECONDS = 60;

/**
 * SDK restriction settings when our per-portal `RateBudget` (rate-budget.ts) is in charge. The SDK's limiters live in
 * each B24OAuth instance, and PortalClients builds a new instance whenever a portal's tokens change, so
 * they cannot hold a portal-wide budget; left on, they would also throttle a second time. So: a bucket
 * that never fills, no operating or adaptive pauses, and one attempt (our budget retries 503 and 429 in
 * one place). The SDK's own 401 refresh-and-resend stays: it is not a retry policy.
 */
export const SDK_PASS_THROUGH: RestrictionParams = {
  rateLimit: { burstLimit: 1_000_000_000, drainRate: 1_000_000_000, adaptiveEnabled: false },
  operatingLimit: { windowMs: 600_000, limitMs: Number.MAX_SAFE_INTEGER, heavyPercent: 100 },
  adaptiveConfig: { enabled: false, thresholdPercent: 100, coefficient: 0, maxDelay: 0 },
  maxRetries: 1,
  retryDelay: 0,
  retryOnNetworkError: false,
};

/**
 * The default factory, on `@bitrix24/b24jssdk`'s B24OAuth and its `actions.v2` API. Refresh is delegated
 * through `setCustomRefreshAuth` to our vault, which exchanges and persists in one single-flight step
 * (see README, "Token refresh"); the SDK coalesces concurrent 401s of one client onto that call.
 */
export function createSdkClientFactory(options: {
  clientId: string;
  clientSecret: string;
  restrictionParams?: Partial<RestrictionParams>;
  /** Per-portal request budgets; when given, every request waits for its portal's budget (see SDK_PASS_THROUGH). */
  budgets?: RateBudgets;
  /** HTTP agents for portal sockets (the public-address guard, see public-address.ts); default: Node's. */
  agents?: { http: HttpAgent; https: HttpsAgent };
}): BitrixClientFactory {
  return (credentials) => {
    const endpoint = credentials.clientEndpoint.replace(/\/+$/, '');
    const budget = options.budgets?.forPortal(credentials.memberId);
    const restrictionParams =
      budget === undefined ? options.restrictionParams : { ...SDK_PASS_THROUGH, ...options.restrictionParams };
    const sdk = new B24OAuth(
      {
        applicationToken: '',
        userId: 0,
        memberId: credentials.memberId,
        accessToken: credentials.accessToken,
        refreshToken: 'kept-in-vault',
        // One-off user tokens cannot be renewed: let Bitrix24 judge them rather than refusing early.
        expires: credentials.expiresAt - (credentials.refresh === undefined ? 0 : EXPIRY_SKEW_SECONDS),
        expiresIn: 3600,
        scope: '',
        domain: new URL(endpoint).host,
        clientEndpoint: endpoint,
        // Never used to renew (our vault does, at the installation's own OAuth server), but the SDK wants one.
        serverEndpoint: `${credentials.oauthServer ?? DEFAULT_OAUTH_SERVER}/rest/`,
        status: 'L',
      },
      { clientId: options.clientId, clientSecret: options.clientSecret },
      restrictionParams === undefined ? undefined : { restrictionParams },
    );
    configureTransport(sdk, options.agents);
    if (budget !== undefined) attachBudget(sdk, budget, credentials.priority ?? 'normal');
    followDomainChange(sdk, endpoint, credentials.moved);
    const refresh = credentials.refresh;
    if (refresh !== undefined) noteSentToken(sdk);
    sdk.setCustomRefreshAuth(async () => {
      if (refresh === undefined) throw new BitrixError('expired_token', 401);
      const renewed = await refresh(currentCall.getStore()?.sentWith);
      return {
        access_token: renewed.accessToken,
        refresh_token: 'kept-in-vault',
        // The SDK's refresh payload carries numbers as strings, as Bitrix24's event auth does.
        expires: String(renewed.expiresAt - EXPIRY_SKEW_SECONDS),
        expires_in: '3600',
        client_endpoint: renewed.clientEndpoint.replace(/\/+$/, ''),
        server_endpoint: `${credentials.oauthServer ?? DEFAULT_OAUTH_SERVER}/rest/`,
        member_id: credentials.memberId,
        scope: '',
        status: 'L',
        domain: new URL(renewed.clientEndpoint).host,
      };
    });
    const once = async (method: string, params: Record<string, unknown>): Promise<unknown> => {
      let response;
      try {
        response = await sdk.actions.v2.call.make<unknown>({ method, params });
      } catch (error: unknown) {
        throw toCallError(error);
      }
      if (!response.isSuccess) {
        const [first] = [...response.getErrors()];
        throw toCallError(first);
      }
      return response.getData()?.result;
    };
    return {
      call(method, params = {}, callOptions = {}) {
        return currentCall.run({ ...callOptions }, () =>
          budget === undefined ? once(method, params) : withRateRetry(budget, method, () => once(method, params)),
        );
      },
    };
  };
}

/**
 * Maps whatever the SDK threw to what it means: Bitrix24's answer (BitrixError), Keycard's failure to get one
 * (TransportError), or an error our own refresh raised inside the SDK (passed through as it was).
 */
function toCallError(error: unknown): AppError {
  if (error instanceof AppError) return error;
  if (!(error instanceof SdkError)) return new TransportError('unreachable', 0, { cause: error });
  const original: unknown = (error as SdkError & { originalError?: unknown }).originalError;
  if (original instanceof AppError) return original;
  const code = String(error.code);
  if (saidByBitrix24(code, original)) {
    // The SDK makes Bitrix24's error_description the error's message.
    return new BitrixError(code, error.status, { cause: error, description: error.message });
  }
  if (code === 'REQUEST_TIMEOUT') return new TransportError('timeout', 0, { cause: error });
  return new TransportError(error.status > 0 ? 'http_error' : 'unreachable', error.status, { cause: error });
}

/**
 * Whether `code` is Bitrix24's own (the `error` of its answer) rather than one the SDK or its HTTP client
 * made up for a failure (`NETWORK_ERROR`, `REQUEST_TIMEOUT`, `ECONNREFUSED`, `ERR_BAD_RESPONSE`, `JSSDK_…`).
 */
function saidByBitrix24(code: string, original: unknown): boolean {
  if (typeof original === 'object' && original !== null && 'isAxiosError' in original) {
    const data: unknown =
      'response' in original &&
      typeof original.response === 'object' &&
      original.response !== null &&
      'data' in original.response
        ? original.response.data
        : undefined;
    return typeof data === 'object' && data !== null && 'error' in data && data.error === code;
  }
  return !code.startsWith('JSSDK_');
}
