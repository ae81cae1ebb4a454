import { unixSeconds } from '../clock.js';
import { BadRequestError, ForbiddenError } from '../errors.js';
import { portalEndpoint } from '../bitrix/portal-host.js';
import type { FrameBody, FrameQuery } from '../bitrix/schemas.js';
import { pickLang } from '../manifest.js';
import type { Services } from '../services.js';
import { bindPortal, hasRequiredBindings } from './bindings.js';
import { assertTransition, type Portal } from './portal.js';
import { identifyUser, verifyAppToken, type PortalUser } from './verification.js';

export interface InstallResult {
  portal: Portal;
  user: PortalUser;
}

/**
 * The installer frame POST. Nothing is stored until Bitrix24 confirmed the token (OAuth server: our client,
 * this member id) and the user (`profile`: an admin). Then the installation is stored as `new`, our events
 * and menu item are bound, and it becomes `active` once the vital events are bound.
 * @see https://apidocs.bitrix24.com/settings/app-installation/mass-market-apps/installation-master.html
 */
export async function installFromFrame(services: Services, query: FrameQuery, body: FrameBody): Promise<InstallResult> {
  const { config, clock } = services;
  // Host check first: a foreign DOMAIN gets no outgoing request at all.
  const requestEndpoint = portalEndpoint(query.DOMAIN, query.PROTOCOL === '1', config.portalDomains);
  if (body.REFRESH_ID === undefined) {
    throw new BadRequestError('REFRESH_TOKEN_MISSING', 'The installer request carries no refresh token.');
  }
  const verified = await verifyAppToken(
    services,
    body.AUTH_ID,
    body.member_id,
    requestEndpoint,
  );
  const expiresAt = unixSeconds(clock) + body.AUTH_EXPIRES;
  const user = await identifyUser(services.clients, {
    memberId: verified.memberId,
    clientEndpoint: verified.clientEndpoint,
    accessToken: body.AUTH_ID,
    expiresAt,
  });
  if (user.isAdmin !== true) {
    throw new ForbiddenError('INSTALL_NEEDS_ADMIN', 'Only a Bitrix24 administrator can install this app.');
  }

  const existing = await services.portals.get(verified.memberId);
  if (existing?.state === 'blocked') {
    throw new ForbiddenError('PORTAL_BLOCKED', 'This Bitrix24 portal is blocked on this Keycard server.');
  }
  const previousTokens = existing === undefined ? undefined : services.vault.open(existing);
  const now = clock.now();
  // Re-running the installer (Bitrix24 shows it until installFinish) must not take a working portal offline.
  const provisional = existing?.state === 'active' ? 'active' : 'new';
  assertTransition(existing?.state ?? 'new', provisional);
  let portal = services.vault.seal(
    {
      memberId: verified.memberId,
      domain: new URL(verified.clientEndpoint).host,
      clientEndpoint: verified.clientEndpoint,
      state: provisional,
      scopes: verified.scopes,
      appStatus: verified.status,
      lang: pickLang(query.LANG),
      installedBy: user.id,
      appVersion: existing?.appVersion,
      bindings: { bound: [], failed: [] },
      createdAt: existing?.createdAt ?? now,
      updatedAt: now,
    },
    {
      accessToken: body.AUTH_ID,
      refreshToken: body.REFRESH_ID,
      expiresAt,
      // The token posted with a verified admin's installer is the current one (a reinstall issues a new one);
      // without it, keep what ONAPPINSTALL stored.
      applicationToken: body.APPLICATION_TOKEN ?? previousTokens?.applicationToken,
    },
  );
  await services.portals.save(portal);

  const client = await services.clients.forPortal(portal.memberId);
  const bindings = await bindPortal(client, appUrls(services), services.manifest.title);
  const state = hasRequiredBindings(bindings) ? 'active' : provisional;
  // Patched onto the latest record: ONAPPINSTALL (sent while we bind) or a token renewal may have written it.
  portal = (await services.portals.update(portal.memberId, (latest) => ({ ...(latest ?? portal), bindings, state, updatedAt: clock.now() }))) ?? portal;
  services.logger.info({ memberId: portal.memberId, state: portal.state, failed: bindings.failed }, 'installation stored');
  // The installer is the first admin the access-denied page can name.
  const memberId = portal.memberId;
  services.background.run('remember installer as app admin', () => services.appAdmins.record(memberId, user));
  return { portal, user };
}

/** The URLs Bitrix24 calls back: events and the app handler (also used by the left-menu item). */
export function appUrls(services: Pick<Services, 'config'>): { events: string; app: string } {
  return { events: `${services.config.appUrl}/events`, app: `${services.config.appUrl}/app` };
}
