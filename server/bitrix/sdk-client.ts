import { B24OAuth, SdkError, type RestrictionParams } from '@bitrix24/b24jssdk';
import { BitrixError } from './bitrix-error.js';

/** One Bitrix24 portal as the app sees it: call a REST method, get its `result` (unparsed — callers use zod). */
export interface BitrixClient {
  call(method: string, params?: Record<string, unknown>): Promise<unknown>;
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
  /** Renews the access token; absent for one-off user tokens, which are never refreshed. */
  refresh?: () => Promise<RefreshedAccess>;
}

/** Builds a client for one set of credentials; injected into createApp so tests and tools can swap it. */
export type BitrixClientFactory = (credentials: ClientCredentials) => BitrixClient;

/** Seconds before expiry at which a token counts as expired, so a call never starts with a dying token. */
const EXPIRY_SKEW_SECONDS = 60;

/**
 * The default factory, on `@bitrix24/b24jssdk`'s B24OAuth and its `actions.v2` API. Refresh is delegated
 * through `setCustomRefreshAuth` to our vault, which exchanges and persists in one single-flight step
 * (see README, "Token refresh"); the SDK coalesces concurrent 401s of one client onto that call.
 */
export function createSdkClientFactory(options: {
  clientId: string;
  clientSecret: string;
  oauthServer: string;
  restrictionParams?: Partial<RestrictionParams>;
}): BitrixClientFactory {
  return (credentials) => {
    const endpoint = credentials.clientEndpoint.replace(/\/+$/, '');
    const sdk = new B24OAuth(
      {
        applicationToken: '',
        userId: 0,
        memberId: credentials.memberId,
        accessToken: credentials.accessToken,
        refreshToken: 'kept-in-vault',
        expires: credentials.expiresAt - EXPIRY_SKEW_SECONDS,
        expiresIn: 3600,
        scope: '',
        domain: new URL(endpoint).host,
        clientEndpoint: endpoint,
        serverEndpoint: `${options.oauthServer}/rest/`,
        status: 'L',
      },
      { clientId: options.clientId, clientSecret: options.clientSecret },
      options.restrictionParams === undefined ? undefined : { restrictionParams: options.restrictionParams },
    );
    const refresh = credentials.refresh;
    sdk.setCustomRefreshAuth(async () => {
      if (refresh === undefined) throw new BitrixError('expired_token', 401);
      const renewed = await refresh();
      return {
        access_token: renewed.accessToken,
        refresh_token: 'kept-in-vault',
        // The SDK's refresh payload carries numbers as strings, as Bitrix24's event auth does.
        expires: String(renewed.expiresAt - EXPIRY_SKEW_SECONDS),
        expires_in: '3600',
        client_endpoint: renewed.clientEndpoint.replace(/\/+$/, ''),
        server_endpoint: `${options.oauthServer}/rest/`,
        member_id: credentials.memberId,
        scope: '',
        status: 'L',
        domain: new URL(renewed.clientEndpoint).host,
      };
    });
    return {
      async call(method, params = {}) {
        let response;
        try {
          response = await sdk.actions.v2.call.make<unknown>({ method, params });
        } catch (error: unknown) {
          throw toBitrixError(error);
        }
        if (!response.isSuccess) {
          const [first] = [...response.getErrors()];
          throw toBitrixError(first);
        }
        return response.getData()?.result;
      },
    };
  };
}

/** Maps whatever the SDK threw to a BitrixError, unwrapping errors our own refresh raised inside it. */
function toBitrixError(error: unknown): BitrixError {
  if (error instanceof BitrixError) return error;
  if (error instanceof SdkError) {
    const original: unknown = (error as SdkError & { originalError?: unknown }).originalError;
    if (original instanceof BitrixError) return original;
    return new BitrixError(String(error.code), error.status, { cause: error });
  }
  return new BitrixError('BITRIX_UNKNOWN_ERROR', 0, { cause: error });
}
