import { AsyncLocalStorage } from 'node:async_hooks';
import { ApiVersion, type B24OAuth } from '@bitrix24/b24jssdk';
import type { RateBudget, RequestPriority, TimeBlock } from './rate-budget.js';
import type { CallOptions, ClientCredentials } from './sdk-client.js';

// The axios interceptors the SDK client puts on each B24OAuth instance: the request budget, the token each request
// carried, and a renamed portal's redirect.

/**
 * The call an HTTP request belongs to, so the axios interceptors can report it to that call's `onRequest`, and
 * the access token its last request carried (for the refresh hook).
 */
export const currentCall = new AsyncLocalStorage<CallOptions & { sentWith?: string }>();

/**
 * Notes the access token each request carries (the SDK puts it in the POST body's `auth`), so a refresh can name
 * the token Bitrix24 refused rather than the one the client holds by then.
 */
export function noteSentToken(sdk: B24OAuth): void {
  for (const version of [ApiVersion.v2, ApiVersion.v3]) {
    sdk.getHttpClient(version).ajaxClient.interceptors.request.use((config) => {
      const data: unknown = config.data;
      const call = currentCall.getStore();
      if (
        call !== undefined &&
        typeof data === 'object' &&
        data !== null &&
        'auth' in data &&
        typeof data.auth === 'string'
      )
        call.sentWith = data.auth;
      return config;
    });
  }
}

/** REST method of a request URL (`…/rest/user.get?bx24_request_id=…` → `user.get`). */
function methodOfUrl(url: string | undefined): string {
  if (url === undefined) return '';
  const path = url.split('?')[0] ?? '';
  const last = path.slice(path.lastIndexOf('/') + 1);
  try {
    return decodeURIComponent(last).replace(/\.json$/, '');
  } catch {
    return last;
  }
}

/** The `time` block of an answer, if it has one. */
function timeOf(data: unknown): TimeBlock | undefined {
  if (typeof data !== 'object' || data === null || !('time' in data)) return undefined;
  const time: unknown = data.time;
  if (typeof time !== 'object' || time === null) return undefined;
  const resetAt = 'operating_reset_at' in time ? time.operating_reset_at : undefined;
  return { operating_reset_at: typeof resetAt === 'number' ? resetAt : undefined };
}

/**
 * Routes every HTTP request of an SDK instance through `budget`: a request interceptor waits for a slot
 * (and counts the request for the current call), a response interceptor records operating-time reports.
 * Interceptors see every request, including the SDK's re-send after a token refresh.
 */
export function attachBudget(sdk: B24OAuth, budget: RateBudget, priority: RequestPriority): void {
  for (const version of [ApiVersion.v2, ApiVersion.v3]) {
    const axios = sdk.getHttpClient(version).ajaxClient;
    axios.interceptors.request.use(async (config) => {
      await budget.acquire(methodOfUrl(config.url), currentCall.getStore()?.priority ?? priority);
      currentCall.getStore()?.onRequest?.();
      return config;
    });
    axios.interceptors.response.use((response) => {
      budget.noteTime(methodOfUrl(response.config.url), timeOf(response.data));
      const shape = currentCall.getStore()?.shapeResult;
      const data: unknown = response.data;
      if (shape !== undefined && typeof data === 'object' && data !== null && 'result' in data)
        data.result = shape(data.result);
      return response;
    });
  }
}

/**
 * A renamed portal answers 302 from its old address. Following it automatically would turn the POST into a
 * GET and drop the body (and could lead anywhere), so redirects are off: the new endpoint is checked and
 * recorded through `moved`, and the same POST is repeated there.
 * @see https://apidocs.bitrix24.com/settings/how-to-call-rest-api/change-domen.html
 */
export function followDomainChange(sdk: B24OAuth, endpoint: string, moved: ClientCredentials['moved']): void {
  let current = endpoint;
  for (const version of [ApiVersion.v2, ApiVersion.v3]) {
    const axios = sdk.getHttpClient(version).ajaxClient;
    axios.defaults.maxRedirects = 0;
    axios.interceptors.response.use(undefined, async (error: unknown) => {
      const response =
        typeof error === 'object' && error !== null && 'response' in error
          ? (error as { response?: { status?: number; headers?: Record<string, unknown> } }).response
          : undefined;
      const location = response?.headers?.['location'];
      const config =
        typeof error === 'object' && error !== null && 'config' in error
          ? (error as { config?: { url?: string; baseURL?: string; movedOnce?: boolean } }).config
          : undefined;
      if (
        moved === undefined ||
        config === undefined ||
        config.movedOnce === true ||
        ![301, 302, 307, 308].includes(response?.status ?? 0) ||
        typeof location !== 'string'
      ) {
        throw error;
      }
      const next = (await moved(location, current)).replace(/\/+$/, '');
      const url = config.url ?? '';
      const retried = {
        ...config,
        movedOnce: true,
        baseURL: next,
        url: url.startsWith(current) ? next + url.slice(current.length) : url,
      };
      current = next;
      return axios.request(retried);
    });
  }
}
