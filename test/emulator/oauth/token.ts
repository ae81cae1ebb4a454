import { unixSeconds } from '../clock.js';
import type { Portal } from '../portal.js';
import type { IssuedTokens } from '../tokens.js';

export interface OAuthAnswer {
  status: number;
  body: Record<string, unknown>;
}

function oauthError(status: number, error: string, description: string): OAuthAnswer {
  return { status, body: { error, error_description: description } };
}

/** Token endpoint answer. `domain` is the OAuth server's host, the portal is in `client_endpoint`. */
export function tokenResponse(portal: Portal, tokens: IssuedTokens): Record<string, unknown> {
  return {
    access_token: tokens.accessToken,
    expires: unixSeconds(tokens.expiresAt),
    expires_in: tokens.expiresIn,
    scope: portal.scope,
    domain: portal.host,
    server_endpoint: portal.serverEndpoint,
    status: portal.app.status,
    client_endpoint: portal.clientEndpoint,
    member_id: portal.memberId,
    user_id: tokens.userId,
    refresh_token: tokens.refreshToken,
  };
}

/**
 * `oauth/token/`: `authorization_code` and `refresh_token` grants. Client id and secret must match and the
 * app must be installed (`invalid_client`); a used, unknown or expired refresh token or code is
 * `invalid_grant`. Every refresh returns a new refresh token and kills the old one.
 * @see https://apidocs.bitrix24.com/settings/oauth/index.html
 * @see https://apidocs.bitrix24.com/settings/oauth/error-codes.html
 */
export function grantTokens(portal: Portal, params: Record<string, string>): OAuthAnswer {
  const answer = grant(portal, params);
  if (answer.status !== 200) portal.counters.tokenRefreshFailures++;
  return answer;
}

function grant(portal: Portal, params: Record<string, string>): OAuthAnswer {
  const grantType = params['grant_type'] ?? '';
  if (grantType !== 'refresh_token' && grantType !== 'authorization_code') {
    return oauthError(400, 'invalid_request', 'grant_type must be authorization_code or refresh_token');
  }
  if (params['client_id'] !== portal.app.clientId || params['client_secret'] !== portal.app.clientSecret) {
    return oauthError(401, 'invalid_client', 'Invalid client credentials');
  }
  if (!portal.installation.installed) return oauthError(401, 'invalid_client', 'Application not installed');
  if (grantType === 'refresh_token') {
    const tokens = portal.refreshTokens(params['refresh_token'] ?? '');
    if (tokens === undefined) return oauthError(400, 'invalid_grant', 'Invalid refresh token');
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
 * `app.info` asked of the OAuth server with an access token: which app (client id), which portal, which
 * user and scopes. Field list as the Python SDK models it.
 */
export function oauthAppInfo(portal: Portal, token: string): OAuthAnswer {
  portal.counters.oauthAppInfo++;
  const grant = token === '' ? undefined : portal.tokens.access(token);
  if (grant === undefined) return oauthError(401, 'invalid_token', 'The access token provided is invalid.');
  if (portal.tokens.isExpired(grant)) return oauthError(401, 'expired_token', 'The access token provided has expired.');
  return {
    status: 200,
    body: {
      result: {
        client_id: portal.app.clientId,
        scope: portal.scope,
        expires: unixSeconds(grant.expiresAt),
        user_id: grant.userId,
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
