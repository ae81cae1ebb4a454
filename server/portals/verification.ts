import { unixSeconds, type Clock } from '../clock.js';
import type { Config } from '../config.js';
import { ForbiddenError, UnauthorizedError, UnavailableError } from '../errors.js';
import type { Logger } from '../logger.js';
import { kindOf, refusedWith4xx } from '../bitrix/bitrix-error.js';
import type { OAuthServer } from '../bitrix/oauth-server.js';
import { checkedEndpoint } from '../bitrix/portal-host.js';
import { profileSchema } from '../bitrix/schemas.js';
import type { PortalClients } from './portal-clients.js';

/** What the OAuth server confirmed about a token. */
export interface VerifiedToken {
  memberId: string;
  /** Portal REST endpoint, within PORTAL_DOMAINS. */
  clientEndpoint: string;
  scopes: string[];
  status: string | undefined;
}

/**
 * Verifies an unsigned token with the configured OAuth server (never one a request names): it must be
 * issued to our client id, for `memberId`. `requestEndpoint` (already host-checked) is used only when the
 * OAuth server does not report the endpoint itself, and must agree with the domain it reports.
 */
export async function verifyAppToken(
  deps: { oauth: OAuthServer; config: Pick<Config, 'clientId' | 'portalDomains'> },
  accessToken: string,
  memberId: string,
  requestEndpoint: string | undefined,
): Promise<VerifiedToken> {
  let info;
  try {
    info = await deps.oauth.appInfo(accessToken);
  } catch (error: unknown) {
    if (kindOf(error) === 'token_rejected' || refusedWith4xx(error)) {
      throw new UnauthorizedError('TOKEN_NOT_VERIFIED', 'Bitrix24 did not confirm this token.', { cause: error });
    }
    throw new UnavailableError('OAUTH_UNAVAILABLE', 'The Bitrix24 authorization server could not be reached.', {
      cause: error,
    });
  }
  if (info.clientId !== deps.config.clientId) {
    throw new ForbiddenError('WRONG_CLIENT', 'This token was issued to another application.');
  }
  if (info.memberId !== memberId) {
    throw new ForbiddenError('WRONG_PORTAL', 'This token belongs to another Bitrix24 portal.');
  }
  const requestHost = requestEndpoint === undefined ? undefined : new URL(requestEndpoint).host;
  if (info.domain !== undefined && requestHost !== undefined && info.domain.toLowerCase() !== requestHost) {
    throw new ForbiddenError('WRONG_PORTAL', 'This token belongs to another Bitrix24 portal.');
  }
  const reported =
    info.clientEndpoint ??
    (info.domain === undefined || requestEndpoint !== undefined ? requestEndpoint : `https://${info.domain}/rest/`);
  if (reported === undefined) {
    throw new ForbiddenError('WRONG_PORTAL', 'Bitrix24 did not say which portal this token belongs to.');
  }
  return {
    memberId,
    clientEndpoint: checkedEndpoint(reported, deps.config.portalDomains),
    scopes: info.scopes,
    status: info.status,
  };
}

/** A portal user as `profile` describes them. `isAdmin` is null when Bitrix24 did not say: never a grant. */
export interface PortalUser {
  id: string;
  name: string;
  isAdmin: boolean | null;
}

/**
 * Identifies the user of a frame token by calling `profile` on the portal's stored, verified endpoint.
 * @see https://apidocs.bitrix24.com/api-reference/common/users/profile.html
 */
export async function identifyUser(
  clients: PortalClients,
  user: { memberId: string; clientEndpoint: string; accessToken: string; expiresAt: number },
): Promise<PortalUser> {
  let raw: unknown;
  try {
    raw = await clients.forUserToken(user).call('profile');
  } catch (error: unknown) {
    switch (kindOf(error)) {
      case 'user_inactive':
        throw new ForbiddenError('USER_INACTIVE', 'This user account is not active.', { cause: error });
      case 'user_denied':
        throw new ForbiddenError('BITRIX_ACCESS_DENIED', 'Bitrix24 does not let this user open the app.', {
          cause: error,
        });
      case 'token_rejected':
        throw new UnauthorizedError('USER_NOT_VERIFIED', 'Bitrix24 did not confirm who opened the app.', {
          cause: error,
        });
      default:
        throw new UnavailableError(
          'PORTAL_UNAVAILABLE',
          'Bitrix24 could not be reached to confirm who opened the app.',
          { cause: error },
        );
    }
  }
  const profile = profileSchema.safeParse(raw);
  if (!profile.success) {
    // `profile` answers an empty object for deactivated users.
    throw new ForbiddenError('USER_INACTIVE', 'This user account is not active.');
  }
  const { ID, ADMIN, NAME, LAST_NAME } = profile.data;
  const name = [NAME, LAST_NAME].filter((part) => typeof part === 'string' && part.trim() !== '').join(' ');
  return { id: ID, name: name === '' ? `#${ID}` : name, isAdmin: ADMIN ?? null };
}

/**
 * Tokens from an event become the installation's own only when they belong to a portal admin, as the
 * installer requires: the application token that accompanies them is visible to every user of the app.
 */
export async function isAdminToken(
  services: { clients: PortalClients; clock: Clock; logger: Logger },
  memberId: string,
  clientEndpoint: string,
  auth: { access_token?: string | undefined; expires_in?: number | undefined },
): Promise<boolean> {
  if (auth.access_token === undefined) return false;
  const user = await identifyUser(services.clients, {
    memberId,
    clientEndpoint,
    accessToken: auth.access_token,
    expiresAt: unixSeconds(services.clock) + (auth.expires_in ?? 3600),
  });
  if (user.isAdmin === true) return true;
  services.logger.warn({ memberId, userId: user.id }, 'event tokens of a non-admin ignored');
  return false;
}
