import { unixSeconds, type Clock } from '../clock.js';
import { ConflictError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { OAuthServers } from '../bitrix/oauth-servers.js';
import type { FrameBody } from '../bitrix/schemas.js';
import type { InstallationRepository } from './installation-repository.js';
import type { Installation } from './installation-record.js';
import type { PortalClients } from './portal-clients.js';
import type { TokenVault } from './token-vault.js';
import { identifyUser, verifyAppToken, type PortalUser, type VerifiedToken, type VerifyDeps } from './verification.js';

/** What verifying the person who opens the app needs. */
export interface OpenerDeps extends VerifyDeps {
  clock: Clock;
  logger: Logger;
  oauth: OAuthServers;
  clients: PortalClients;
  installations: InstallationRepository;
  vault: TokenVault;
}

/**
 * Step one of confirming who opened the app, before anything about the installation is revealed or any of the
 * portal's request budget is spent: the OAuth server named by the request (a trusted one) or the
 * installation's says the token is Keycard's and this portal's — a token of another app on the portal must not
 * open Keycard — and where the portal lives now. Every refusal here looks the same whatever Keycard holds for
 * the `member_id` (nothing, a blocked or a removed installation).
 */
export function verifyOpenerToken(
  deps: OpenerDeps,
  stored: Installation | undefined,
  body: FrameBody,
): Promise<VerifiedToken> {
  const server = deps.oauth.choose(body.SERVER_ENDPOINT, stored?.oauthServer);
  return verifyAppToken(deps, server, body.AUTH_ID, body.member_id, stored?.clientEndpoint);
}

/**
 * Step two, for a verified token of an installation that may be opened: a renamed portal is followed to where
 * the OAuth server says it lives, then `profile` on that endpoint says who the user is and whether they are an
 * admin. An installation whose connection Bitrix24 no longer accepts is healed by an admin opening it: their
 * fresh tokens become its connection. Anyone else meets the page asking for an administrator.
 */
export async function identifyOpener(
  deps: OpenerDeps,
  stored: Installation,
  verified: VerifiedToken,
  body: FrameBody,
): Promise<{ installation: Installation; user: PortalUser }> {
  let installation = stored;
  if (verified.clientEndpoint !== stored.clientEndpoint || verified.oauthServer !== stored.oauthServer) {
    installation = (await recordWhereItLives(deps, stored, verified)) ?? stored;
  }
  const expiresAt = unixSeconds(deps.clock) + body.AUTH_EXPIRES;
  const user = await identifyUser(deps.clients, {
    memberId: installation.memberId,
    clientEndpoint: installation.clientEndpoint,
    accessToken: body.AUTH_ID,
    expiresAt,
  });
  if (installation.state !== 'needs_reinstall') return { installation, user };
  if (user.isAdmin !== true || body.REFRESH_ID === undefined) {
    throw new ConflictError('NEEDS_REINSTALL', 'Keycard’s connection to Bitrix24 needs an administrator.');
  }
  const connection = { userId: user.id, accessToken: body.AUTH_ID, refreshToken: body.REFRESH_ID, expiresAt };
  const healed = await deps.vault.adoptAdminConnection(installation.memberId, connection);
  deps.logger.info({ memberId: installation.memberId }, 'an administrator opened the app; its connection works again');
  return { installation: healed ?? installation, user };
}

/** The OAuth server says the portal lives elsewhere now (renamed) or issues its tokens elsewhere: recorded. */
async function recordWhereItLives(
  deps: OpenerDeps,
  stored: Installation,
  verified: { clientEndpoint: string; oauthServer: string },
): Promise<Installation | undefined> {
  deps.clients.forget(stored.memberId);
  deps.logger.info(
    { memberId: stored.memberId, from: stored.clientEndpoint, to: verified.clientEndpoint },
    'the OAuth server reports a new address or server for the portal; recorded',
  );
  return deps.installations.update(stored.memberId, (latest) =>
    latest === undefined
      ? undefined
      : {
          ...latest,
          clientEndpoint: verified.clientEndpoint,
          domain: new URL(verified.clientEndpoint).host,
          oauthServer: verified.oauthServer,
          updatedAt: deps.clock.now(),
        },
  );
}
