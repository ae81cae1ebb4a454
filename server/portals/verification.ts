import { unixSeconds, type Clock } from '../clock.js';
import type { Config } from '../config.js';
import { ForbiddenError, NotFoundError, UnauthorizedError, UnavailableError } from '../errors.js';
import type { Logger } from '../logger.js';
import { kindOf, refusedWith4xx } from '../bitrix/bitrix-error.js';
import { PortalBusyError } from '../bitrix/rate-budget.js';
import type { OAuthServer } from '../bitrix/oauth-server.js';
import { checkedEndpoint, type HostPolicy } from '../bitrix/portal-host.js';
import { profileSchema } from '../bitrix/schemas.js';
import type { PortalClients } from './portal-clients.js';

/** What a trusted OAuth server confirmed about a token. */
export interface VerifiedToken {
  memberId: string;
  /** Portal REST endpoint the OAuth server vouched for (or the known one it did not contradict). */
  clientEndpoint: string;
  scopes: string[];
  status: string | undefined;
  /** The OAuth server that vouched: the one that issued the token and alone renews it. */
  oauthServer: string;
}

/** What verifying a token needs. */
export interface VerifyDeps {
  config: Pick<Config, 'clientId'>;
  hosts: HostPolicy;
}

/**
 * Verifies an unsigned token with a trusted OAuth server (`server`, chosen from the trusted set): it must be
 * issued to our client id, for `memberId`. The OAuth server's word on where the portal lives
 * (`install.client_endpoint`, `install.domain`) is taken over the request's, whatever the host (self-hosted and
 * renamed portals included), subject to the host policy; `knownEndpoint` (host-checked by the caller: the
 * request's DOMAIN within PORTAL_DOMAINS, or the stored one) is used only when the server names none.
 */
export async function verifyAppToken(
  deps: VerifyDeps,
  server: OAuthServer,
  accessToken: string,
  memberId: string,
  knownEndpoint: string | undefined,
): Promise<VerifiedToken> {
  let info;
  try {
    info = await server.appInfo(accessToken);
  } catch (error: unknown) {
    throw notVerified(error);
  }
  if (info.clientId !== deps.config.clientId) {
    throw new ForbiddenError('WRONG_CLIENT', 'This token was issued to another application.');
  }
  if (info.memberId !== memberId) {
    throw new ForbiddenError('WRONG_PORTAL', 'This token belongs to another Bitrix24 portal.');
  }
  return {
    memberId,
    clientEndpoint: vouchedEndpoint(deps.hosts, info, knownEndpoint),
    scopes: info.scopes,
    status: info.status,
    oauthServer: server.baseUrl,
  };
}

/**
 * A paid app whose trial or subscription lapsed: the OAuth server issues no tokens and the portal refuses calls
 * with PAYMENT_REQUIRED (settings/oauth/error-codes.md; b24pysdk BitrixAPIPaymentRequired, 401 "Subscription
 * has been ended").
 */
function subscriptionExpired(error: unknown): ForbiddenError {
  return new ForbiddenError('SUBSCRIPTION_EXPIRED', 'The Keycard subscription on this portal has expired.', {
    cause: error,
  });
}

/** What the OAuth server's refusal means for the person opening or installing the app. */
function notVerified(error: unknown): Error {
  const kind = kindOf(error);
  if (kind === 'payment_required') return subscriptionExpired(error);
  if (kind === 'app_not_installed') {
    return new NotFoundError('NOT_INSTALLED', 'Bitrix24 says the app is not installed on this portal.', {
      cause: error,
    });
  }
  // A busy OAuth server (429, 503) is not a verdict on the token: try again.
  if (kind === 'rate_limited' || kind === 'operation_limit' || kind === 'transient') {
    return new UnavailableError('OAUTH_UNAVAILABLE', 'The Bitrix24 authorization server did not answer.', {
      cause: error,
    });
  }
  if (kind === 'token_rejected' || refusedWith4xx(error)) {
    return new UnauthorizedError('TOKEN_NOT_VERIFIED', 'Bitrix24 did not confirm this token.', { cause: error });
  }
  return new UnavailableError('OAUTH_UNAVAILABLE', 'The Bitrix24 authorization server could not be reached.', {
    cause: error,
  });
}

/** The portal's endpoint: as the OAuth server reports it, else from its domain, else the known one. */
function vouchedEndpoint(
  hosts: HostPolicy,
  info: { clientEndpoint: string | undefined; domain: string | undefined },
  knownEndpoint: string | undefined,
): string {
  if (info.clientEndpoint !== undefined) return checkedEndpoint(info.clientEndpoint, hosts, true);
  if (info.domain !== undefined) {
    const known = knownEndpoint === undefined ? undefined : new URL(knownEndpoint);
    // Only a domain: the known endpoint's scheme when it is that host (a self-hosted portal on plain http).
    const scheme = known?.host === info.domain.toLowerCase() ? known.protocol : 'https:';
    return checkedEndpoint(`${scheme}//${info.domain}/rest/`, hosts, true);
  }
  if (knownEndpoint !== undefined) return knownEndpoint;
  throw new ForbiddenError('WRONG_PORTAL', 'Bitrix24 did not say which portal this token belongs to.');
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
    // Our own budget refused to wait longer for a busy portal: the person is told so, with when to try again.
    if (error instanceof PortalBusyError) throw error;
    switch (kindOf(error)) {
      case 'user_inactive':
        throw new ForbiddenError('USER_INACTIVE', 'This user account is not active.', { cause: error });
      case 'user_denied':
        throw new ForbiddenError('BITRIX_ACCESS_DENIED', 'Bitrix24 does not let this user open the app.', {
          cause: error,
        });
      case 'payment_required':
        throw subscriptionExpired(error);
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
 * Resolves to that admin, or undefined (and a log line) for anyone else.
 */
export async function adminOfTokens(
  services: { clients: PortalClients; clock: Clock; logger: Logger },
  memberId: string,
  clientEndpoint: string,
  auth: { access_token?: string | undefined; expires_in?: number | undefined },
): Promise<PortalUser | undefined> {
  if (auth.access_token === undefined) return undefined;
  const user = await identifyUser(services.clients, {
    memberId,
    clientEndpoint,
    accessToken: auth.access_token,
    expiresAt: unixSeconds(services.clock) + (auth.expires_in ?? 3600),
  });
  if (user.isAdmin === true) return user;
  services.logger.warn({ memberId, userId: user.id }, 'event tokens of a non-admin ignored');
  return undefined;
}
