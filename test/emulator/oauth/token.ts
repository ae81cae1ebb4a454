import { isoDate, unixSeconds } from '../clock.js';
import type { OAuthRegion } from '../options.js';
import type { Portal } from '../portal.js';
import type { IssuedTokens } from '../tokens.js';

export interface OAuthAnswer {
  status: number;
  body: Record<string, unknown>;
}

function oauthError(status: number, error: string, description: string): OAuthAnswer {
  return { status, body: { error, error_description: description } };
}

/** `{"error":"PAYMENT_REQUIRED","error_description":"Payment required"}` (`settings/oauth/error-codes.md`). */
function paymentRequired(portal: Portal): OAuthAnswer {
  return oauthError(portal.behaviour.paymentRequiredStatus, 'PAYMENT_REQUIRED', 'Payment required');
}

/**
 * Token endpoint answer, as `settings/oauth/auto-renewal.md` shows it: `domain` and `server_endpoint` are the OAuth
 * server's ("The domain of the authorization server"), the portal is `client_endpoint`.
 */
export function tokenResponse(portal: Portal, tokens: IssuedTokens): Record<string, unknown> {
  return {
    access_token: tokens.accessToken,
    expires: unixSeconds(tokens.expiresAt),
    expires_in: tokens.expiresIn,
    scope: portal.scope,
    domain: portal.oauthHost,
    server_endpoint: portal.serverEndpoint,
    status: portal.app.status,
    client_endpoint: portal.clientEndpoint,
    member_id: portal.memberId,
    user_id: tokens.userId,
    refresh_token: tokens.refreshToken,
  };
}

/**
 * `oauth/token/` of the OAuth server of `region`: `authorization_code` and `refresh_token` grants, checked in this
 * order:
 * - an unknown client id: HTTP **200** `{"error":"wrong_client"}` (b24pysdk live test
 *   `test_error_bitrix_oauth_wrong_client`, class `BitrixOauthWrongClient` under "# 200");
 * - the right client id with a wrong secret: 400 `invalid_client` (b24pysdk live test `…_invalid_client`);
 * - the other region's server: it never issued this portal's codes or refresh tokens (RU docs
 *   `settings/oauth/index.md`: only the portal's own server issues and renews its tokens), so 400 `invalid_grant`
 *   as for any refresh token it does not know [inferred];
 * - the app removed: 401 `invalid_client` "Application not installed" or `NOT_INSTALLED` (`removedAppRefreshError`;
 *   unconfirmed, `settings/oauth/error-codes.md`, b24pysdk `errors/oauth.py`);
 * - the subscription lapsed: `PAYMENT_REQUIRED` (`settings/oauth/error-codes.md`; status unconfirmed,
 *   `paymentRequiredStatus`);
 * - a used, unknown or expired refresh token or code: 400 `invalid_grant`. Every refresh returns a new refresh
 *   token and kills the old one. A fired user's refresh token still renews (unconfirmed; REST then answers
 *   authorization_error).
 * @see https://apidocs.bitrix24.com/settings/oauth/index.html
 * @see https://apidocs.bitrix24.com/settings/oauth/error-codes.html
 */
export function grantTokens(
  portal: Portal,
  params: Record<string, string>,
  region: OAuthRegion = portal.behaviour.oauthRegion,
): OAuthAnswer {
  const answer = grant(portal, region, params);
  if (answer.status !== 200 || 'error' in answer.body) portal.counters.tokenRefreshFailures++;
  return answer;
}

function grant(portal: Portal, region: OAuthRegion, params: Record<string, string>): OAuthAnswer {
  const grantType = params['grant_type'] ?? '';
  if (grantType !== 'refresh_token' && grantType !== 'authorization_code') {
    return oauthError(400, 'invalid_request', 'grant_type must be authorization_code or refresh_token');
  }
  if (params['client_id'] !== portal.app.clientId) return { status: 200, body: { error: 'wrong_client' } };
  if (params['client_secret'] !== portal.app.clientSecret) {
    return oauthError(400, 'invalid_client', 'Invalid client credentials');
  }
  const isRefresh = grantType === 'refresh_token';
  const unknownGrant = (): OAuthAnswer =>
    oauthError(400, 'invalid_grant', isRefresh ? 'Invalid refresh token' : 'Invalid authorization code');
  if (region !== portal.behaviour.oauthRegion) return unknownGrant();
  if (!portal.installation.installed) {
    return portal.behaviour.removedAppRefreshError === 'NOT_INSTALLED'
      ? oauthError(401, 'NOT_INSTALLED', 'Application not installed')
      : oauthError(401, 'invalid_client', 'Application not installed');
  }
  if (portal.subscriptionExpired) return paymentRequired(portal);
  if (isRefresh) {
    const tokens = portal.refreshTokens(params['refresh_token'] ?? '');
    if (tokens === undefined) return unknownGrant();
    return { status: 200, body: tokenResponse(portal, tokens) };
  }
  const exchange = portal.tokens.exchangeCode(params['code'] ?? '');
  if (!exchange.ok) {
    return oauthError(
      400,
      'invalid_grant',
      exchange.reason === 'expired' ? 'Authorization code expired' : 'Invalid authorization code',
    );
  }
  portal.counters.authCodeExchanges++;
  return { status: 200, body: tokenResponse(portal, portal.issueTokens(exchange.userId)) };
}

/**
 * `app.info` asked of the OAuth server of `region` with an access token: which app (client id), which portal, which
 * user and scopes. No official doc describes it; the shape is b24pysdk's model (`api/responses/
 * bitrix_app_info_response.py`): `expires` an ISO date (parsed with `fromisoformat`), `user_id` a string there
 * (cast with `int()`; `oauthAppInfoUserId` gives a number instead), `install.uri` scheme and host (b24phpsdk compares
 * it with the portal URL). A removed app's token: 401 `NOT_INSTALLED` "Application not installed" (b24pysdk
 * `errors/oauth.py` BitrixOAuthNotInstalled). The other region's server does not know the token (inferred).
 */
export function oauthAppInfo(
  portal: Portal,
  token: string,
  region: OAuthRegion = portal.behaviour.oauthRegion,
): OAuthAnswer {
  portal.counters.oauthAppInfo++;
  const grant = token === '' || region !== portal.behaviour.oauthRegion ? undefined : portal.tokens.access(token);
  const status = grant === undefined ? 'forgotten' : portal.tokenStatus(grant);
  if (grant === undefined || status === 'forgotten') {
    return oauthError(401, 'invalid_token', 'The access token provided is invalid.');
  }
  if (status === 'removed') return oauthError(401, 'NOT_INSTALLED', 'Application not installed');
  if (portal.subscriptionExpired) return paymentRequired(portal);
  if (portal.tokens.isExpired(grant)) return oauthError(401, 'expired_token', 'The access token provided has expired.');
  return {
    status: 200,
    body: {
      result: {
        client_id: portal.app.clientId,
        scope: portal.scope,
        expires: isoDate(grant.expiresAt),
        user_id: portal.behaviour.oauthAppInfoUserId === 'number' ? grant.userId : String(grant.userId),
        install: {
          installed: portal.installation.installed,
          version: portal.app.version,
          status: portal.app.status,
          scope: portal.scope,
          domain: portal.host,
          uri: portal.origin,
          client_endpoint: portal.clientEndpoint,
          member_id: portal.memberId,
          member_type: 'PORTAL',
        },
      },
    },
  };
}
