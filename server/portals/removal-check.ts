import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import { kindOf } from '../bitrix/bitrix-error.js';
import type { OAuthServer } from '../bitrix/oauth-server.js';
import type { OAuthServers } from '../bitrix/oauth-servers.js';
import { unixSeconds } from '../clock.js';
import type { InstallationRepository } from './installation-repository.js';
import type { Installation } from './installation-record.js';
import type { PortalClients } from './portal-clients.js';
import { currentConnection, type Connection } from './portal-tokens.js';
import type { TokenVault } from './token-vault.js';

/**
 * What Bitrix24 said about the app on the portal: still `present` (a call with one of our connections worked),
 * `removed` (Bitrix24 said so in words: APPLICATION_NOT_FOUND, "Application not installed", NOT_INSTALLED),
 * `refused` (our tokens were refused, which an uninstall also does, but not only an uninstall), or
 * `unanswered` (nothing came back: no verdict at all).
 */
export type RemovalVerdict = 'present' | 'removed' | 'refused' | 'unanswered';

/** What checking needs. */
export interface RemovalCheckDeps {
  oauth: OAuthServers;
  clients: Pick<PortalClients, 'forUserToken'>;
  vault: Pick<TokenVault, 'open' | 'seal'>;
  installations: Pick<InstallationRepository, 'update'>;
  clock: Clock;
  logger: Logger;
}

/**
 * Asks Bitrix24 whether the app is still installed, with each connection Keycard holds (the one in use, then
 * the standby ones) until one gives a verdict. The installation's OAuth server is asked first (it holds the
 * app's authorization, and asking it spends nothing of the portal's request budget); a token it no longer
 * knows is then shown to the portal, which names a removed app (module rest/lib/oauth/auth.php). An expired
 * token is renewed first, and the new pair stored. Works in every state: a blocked installation or one whose
 * connection died gets the same proof.
 * @see https://apidocs.bitrix24.com/api-reference/common/events/on-app-uninstall.html
 */
export async function checkRemoval(deps: RemovalCheckDeps, installation: Installation): Promise<RemovalVerdict> {
  const tokens = deps.vault.open(installation);
  if (tokens === undefined) return 'refused';
  const server = deps.oauth.choose(installation.oauthServer);
  let best: RemovalVerdict = 'unanswered';
  for (const connection of [currentConnection(tokens), ...(tokens.standby ?? [])]) {
    const verdict = await checkWith(deps, server, installation, connection);
    if (verdict === 'present' || verdict === 'removed') return verdict;
    if (verdict === 'refused') best = 'refused';
  }
  return best;
}

async function checkWith(
  deps: RemovalCheckDeps,
  server: OAuthServer,
  installation: Installation,
  connection: Connection,
): Promise<RemovalVerdict> {
  const expired = connection.expiresAt <= unixSeconds(deps.clock);
  const answer = await askOAuth(server, expired ? undefined : connection.accessToken);
  if (answer !== 'refused') return answer;
  if (!expired) return askPortal(deps, installation, connection.accessToken);
  // Expired: renew at the OAuth server (which refuses a removed app) and ask again with the new token.
  let issued;
  try {
    issued = await server.refresh(connection.refreshToken);
  } catch (error: unknown) {
    return verdictOf(error);
  }
  await keepRenewed(deps, installation.memberId, connection, issued);
  return askOAuth(server, issued.accessToken);
}

/** The OAuth server's `app.info`: `install.installed` says it, so does NOT_INSTALLED. */
async function askOAuth(server: OAuthServer, accessToken: string | undefined): Promise<RemovalVerdict> {
  if (accessToken === undefined) return 'refused';
  try {
    const info = await server.appInfo(accessToken);
    return info.installed === false ? 'removed' : 'present';
  } catch (error: unknown) {
    return verdictOf(error);
  }
}

/** The portal's own `app.info` with the token: a removed app is APPLICATION_NOT_FOUND or ERROR_OAUTH. */
async function askPortal(
  deps: RemovalCheckDeps,
  installation: Installation,
  accessToken: string,
): Promise<RemovalVerdict> {
  const client = deps.clients.forUserToken({
    memberId: installation.memberId,
    clientEndpoint: installation.clientEndpoint,
    accessToken,
    expiresAt: unixSeconds(deps.clock) + 60,
  });
  try {
    await client.call('app.info');
    return 'present';
  } catch (error: unknown) {
    return verdictOf(error);
  }
}

function verdictOf(error: unknown): RemovalVerdict {
  switch (kindOf(error)) {
    case 'app_not_installed':
      return 'removed';
    // An unpaid app is still installed: the subscription is another matter.
    case 'payment_required':
      return 'present';
    case 'transient':
    case 'rate_limited':
    case 'operation_limit':
    case undefined:
      return 'unanswered';
    default:
      return 'refused';
  }
}

/** A refresh spends the old refresh token: the new pair replaces it wherever the connection sits. */
async function keepRenewed(
  deps: RemovalCheckDeps,
  memberId: string,
  connection: Connection,
  issued: { accessToken: string; refreshToken: string; expiresAt: number },
): Promise<void> {
  const renewed = {
    ...connection,
    accessToken: issued.accessToken,
    refreshToken: issued.refreshToken,
    expiresAt: issued.expiresAt,
  };
  await deps.installations.update(memberId, (latest) => {
    const tokens = latest === undefined ? undefined : deps.vault.open(latest);
    if (latest === undefined || tokens === undefined) return undefined;
    if (tokens.refreshToken === connection.refreshToken) return deps.vault.seal(latest, { ...tokens, ...renewed });
    const standby = (tokens.standby ?? []).map((other) =>
      other.refreshToken === connection.refreshToken ? renewed : other,
    );
    return deps.vault.seal(latest, { ...tokens, standby });
  });
  deps.logger.info({ memberId }, 'connection renewed while checking an uninstall');
}
