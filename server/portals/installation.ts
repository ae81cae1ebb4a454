import type { BackgroundTasks } from '../background.js';
import { unixSeconds, type Clock } from '../clock.js';
import type { Config } from '../config.js';
import { AppError, BadRequestError, ForbiddenError } from '../errors.js';
import type { Logger } from '../logger.js';
import { pickLang, type Manifest } from '../manifest.js';
import type { AppAdmins } from '../access/app-admins.js';
import type { KeptSettings, PolicyRepository } from '../access/policy-repository.js';
import type { OAuthServers } from '../bitrix/oauth-servers.js';
import { portalEndpoint, type HostPolicy } from '../bitrix/portal-host.js';
import type { FrameBody, FrameQuery } from '../bitrix/schemas.js';
import type { DirectoryService } from '../directory/directory-service.js';
import { bindPortal, hasRequiredBindings } from './bindings.js';
import { readPlan } from './portal-plan.js';
import type { InstallationRepository } from './installation-repository.js';
import { installationOrigin, type Installation } from './installation-record.js';
import { isInstalled } from './installation-state.js';
import type { PortalClients } from './portal-clients.js';
import type { TokenVault } from './token-vault.js';
import { identifyUser, verifyAppToken, type PortalUser } from './verification.js';

/** What the installer needs. */
export interface InstallDeps {
  config: Pick<Config, 'clientId' | 'appUrl'>;
  hosts: HostPolicy;
  oauth: OAuthServers;
  clock: Clock;
  logger: Logger;
  manifest: Pick<Manifest, 'title' | 'features'>;
  clients: PortalClients;
  installations: InstallationRepository;
  vault: TokenVault;
  appAdmins: AppAdmins;
  directory: Pick<DirectoryService, 'installed'>;
  policies: Pick<PolicyRepository, 'installDefaults'>;
  background: BackgroundTasks;
}

/** What `POST /install` renders: the installer for a verified admin, or a refusal page. */
export type InstallOutcome =
  | {
      installed: true;
      installation: Installation;
      user: PortalUser;
      /** Access settings a reinstall kept (the installer says so and offers a reset); null otherwise. */
      keptSettings: KeptSettings | null;
    }
  | {
      installed: false;
      error: unknown;
      /** The installation's origin once it is stored: its refusal page is framed by it. */
      frameOrigin: string | undefined;
      /** Lines shown under the refusal (the bindings that failed). */
      lines: string[] | undefined;
    };

/**
 * The installer frame POST. Nothing is stored until Bitrix24 confirmed the token (OAuth server: our client,
 * this member id) and the user (`profile`: an admin). Then the installation is stored as `new`, our events
 * and menu item are bound, it becomes `active` once the vital events are bound, and its first directory
 * sync starts. Never throws: a failure becomes a refusal outcome.
 * @see https://apidocs.bitrix24.com/settings/app-installation/mass-market-apps/installation-master.html
 */
export async function installFromFrame(deps: InstallDeps, query: FrameQuery, body: FrameBody): Promise<InstallOutcome> {
  try {
    const { installation, user, keptSettings } = await storeInstallation(deps, query, body);
    if (!hasRequiredBindings(installation.bindings)) {
      return {
        installed: false,
        error: new AppError('INSTALL_INCOMPLETE', 502, 'Required events could not be bound.'),
        frameOrigin: installationOrigin(installation),
        lines: installation.bindings.failed.map((failure) => `${failure.name}: ${failure.code}`),
      };
    }
    deps.directory.installed(installation.memberId);
    return { installed: true, installation, user, keptSettings };
  } catch (error: unknown) {
    return { installed: false, error, frameOrigin: undefined, lines: undefined };
  }
}

async function storeInstallation(
  deps: InstallDeps,
  query: FrameQuery,
  body: FrameBody,
): Promise<{ installation: Installation; user: PortalUser; keptSettings: KeptSettings | null }> {
  const { config, clock } = deps;
  const refreshToken = body.REFRESH_ID;
  if (refreshToken === undefined) {
    throw new BadRequestError('REFRESH_TOKEN_MISSING', 'The installer request carries no refresh token.');
  }
  // The request names its OAuth server (only a trusted one is asked) and its portal; the portal's address is
  // the OAuth server's word, the request's DOMAIN only a fallback within PORTAL_DOMAINS. Nothing is sent to
  // a portal host before the OAuth server vouched for it.
  const server = deps.oauth.choose(body.SERVER_ENDPOINT);
  const verified = await verifyAppToken(deps, server, body.AUTH_ID, body.member_id, knownEndpoint(deps.hosts, query));
  const expiresAt = unixSeconds(clock) + body.AUTH_EXPIRES;
  const user = await identifyUser(deps.clients, {
    memberId: verified.memberId,
    clientEndpoint: verified.clientEndpoint,
    accessToken: body.AUTH_ID,
    expiresAt,
  });
  if (user.isAdmin !== true) {
    throw new ForbiddenError('INSTALL_NEEDS_ADMIN', 'Only a Bitrix24 administrator can install this app.');
  }

  // Written under the portal's lock, from the record as it is then: an ONAPPINSTALL stored meanwhile (its
  // application token) is not lost, and a block set meanwhile is not lifted.
  const now = clock.now();
  let reinstall = false;
  let installation = await deps.installations.update(verified.memberId, (existing) => {
    if (existing?.state === 'blocked') {
      throw new ForbiddenError('PORTAL_BLOCKED', 'This Bitrix24 portal is blocked on this Keycard server.');
    }
    // Re-running the installer keeps the installation's application token when the POST has none; a reinstall
    // (after an uninstall or a dead connection) brings a new one with ONAPPINSTALL, so the old one is not kept.
    // Anything but a working portal re-running its installer: a first install, a reinstall after an uninstall, or
    // one whose ONAPPINSTALL (sent first) already stored it as `new`.
    reinstall = existing?.state !== 'active';
    const previousTokens = existing === undefined || !isInstalled(existing) ? undefined : deps.vault.open(existing);
    // Re-running the installer (Bitrix24 shows it until installFinish) must not take a working portal offline.
    const provisional = existing?.state === 'active' ? 'active' : 'new';
    return deps.vault.seal(
      {
        memberId: verified.memberId,
        domain: new URL(verified.clientEndpoint).host,
        clientEndpoint: verified.clientEndpoint,
        oauthServer: verified.oauthServer,
        state: provisional,
        scopes: verified.scopes,
        appStatus: verified.status,
        lang: pickLang(query.LANG),
        installedBy: user.id,
        ...(existing?.appVersion === undefined ? {} : { appVersion: existing.appVersion }),
        ...(existing?.licenseFamily === undefined ? {} : { licenseFamily: existing.licenseFamily }),
        bindings: { bound: [], failed: [] },
        createdAt: existing?.createdAt ?? now,
        updatedAt: now,
      },
      {
        userId: user.id,
        accessToken: body.AUTH_ID,
        refreshToken,
        expiresAt,
        // The token posted with a verified admin's installer is the current one (a reinstall issues a new one);
        // without it, keep what ONAPPINSTALL stored.
        applicationToken: body.APPLICATION_TOKEN ?? previousTokens?.applicationToken,
      },
    );
  });
  if (installation === undefined) throw new Error('the installation record was not written');
  const provisional = installation.state;
  // A fresh install stores the company default before anyone opens the app; a reinstall reports what it kept.
  // Re-running the installer of a working portal touches nothing (its settings are neither new nor "kept").
  const keptSettings = reinstall
    ? await deps.policies.installDefaults(installation.memberId, pickLang(query.LANG))
    : null;

  const client = await deps.clients.forPortal(installation.memberId);
  const bindings = await bindPortal(client, appUrls(config), deps.manifest);
  const licenseFamily = await readPlan(client);
  const state = hasRequiredBindings(bindings) ? 'active' : provisional;
  // Patched onto the latest record: ONAPPINSTALL (sent while we bind) or a token renewal may have written it.
  const stored = installation;
  installation =
    (await deps.installations.update(stored.memberId, (latest) => ({
      ...(latest ?? stored),
      bindings,
      state,
      ...(licenseFamily === undefined ? {} : { licenseFamily }),
      updatedAt: clock.now(),
    }))) ?? stored;
  deps.logger.info(
    { memberId: installation.memberId, state: installation.state, failed: bindings.failed },
    'installation stored',
  );
  // The installer is the first admin the access-denied page can name.
  const { memberId } = installation;
  deps.background.run('remember installer as app admin', () => deps.appAdmins.record(memberId, user));
  return { installation, user, keptSettings };
}

/** The request's own REST endpoint when PORTAL_DOMAINS lists its DOMAIN (the fallback of verifyAppToken). */
function knownEndpoint(hosts: HostPolicy, query: FrameQuery): string | undefined {
  try {
    return portalEndpoint(query.DOMAIN, query.PROTOCOL === '1', hosts);
  } catch {
    return undefined;
  }
}

/** The URLs Bitrix24 calls back: events and the app handler (also used by the left-menu item). */
export function appUrls(config: Pick<Config, 'appUrl'>): { events: string; app: string } {
  return { events: `${config.appUrl}/events`, app: `${config.appUrl}/app` };
}
