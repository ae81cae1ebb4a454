import { unixSeconds } from '../clock.js';
import { pickLang } from '../manifest.js';
import { portalEndpoint } from '../bitrix/portal-host.js';
import type { BitrixEvent } from '../bitrix/schemas.js';
import type { Installation } from './installation-record.js';
import type { EventDeps } from './lifecycle-events.js';
import { adminOfTokens, verifyAppToken } from './verification.js';

/**
 * ONAPPINSTALL may come before or after the installer. Its token is verified with the OAuth server before
 * its application token is stored; until then nothing about it is trusted.
 */
export async function acceptInstallEvent(services: EventDeps, event: BitrixEvent): Promise<void> {
  const { auth } = event;
  if (auth.access_token === undefined) {
    services.logger.warn({ memberId: auth.member_id }, 'ONAPPINSTALL without an access token ignored');
    return;
  }
  const { clock } = services;
  // Only a trusted OAuth server is asked; where the portal lives is its word (the event's domain serves
  // only when it names none, and only within PORTAL_DOMAINS). Nothing goes to a portal host before that.
  const server = services.oauth.choose(auth.server_endpoint);
  const verified = await verifyAppToken(
    services,
    server,
    auth.access_token,
    auth.member_id,
    knownEndpoint(services, auth.domain),
  );
  // Bitrix24 does not redeliver the event: a busy portal is waited out (waitOutBusy) rather than the event lost.
  const admin = await services.budgets.patiently(() =>
    adminOfTokens(services, verified.memberId, verified.clientEndpoint, auth),
  );
  if (admin === undefined) return;
  const accessToken = auth.access_token;
  // Derived from the latest record, one update at a time: the installer may be storing the installation now.
  const portal = await services.installations.update(verified.memberId, (existing) => {
    if (existing?.state === 'blocked') return undefined;
    const current = existing === undefined ? undefined : services.vault.open(existing);
    const reinstalled = existing === undefined || existing.state === 'deleted' || existing.state === 'needs_reinstall';
    const now = clock.now();
    const base: Installation = existing ?? {
      memberId: verified.memberId,
      domain: new URL(verified.clientEndpoint).host,
      clientEndpoint: verified.clientEndpoint,
      oauthServer: verified.oauthServer,
      state: 'new',
      scopes: verified.scopes,
      lang: pickLang(typeof event.data?.['LANGUAGE_ID'] === 'string' ? event.data['LANGUAGE_ID'] : undefined),
      bindings: { bound: [], failed: [] },
      createdAt: now,
      updatedAt: now,
    };
    const tokens =
      current !== undefined && !reinstalled
        ? { ...current, applicationToken: auth.application_token }
        : auth.refresh_token === undefined
          ? undefined
          : {
              userId: admin.id,
              accessToken,
              refreshToken: auth.refresh_token,
              expiresAt: unixSeconds(clock) + (auth.expires_in ?? 3600),
              applicationToken: auth.application_token,
            };
    if (tokens === undefined) return undefined;
    return services.vault.seal(
      {
        ...base,
        state: reinstalled ? 'new' : base.state,
        oauthServer: verified.oauthServer,
        scopes: verified.scopes,
        appStatus: verified.status ?? base.appStatus,
        updatedAt: now,
      },
      tokens,
    );
  });
  if (portal === undefined) {
    services.logger.warn(
      { memberId: verified.memberId },
      'ONAPPINSTALL not stored (portal blocked, or no refresh token)',
    );
    return;
  }
  services.logger.info(
    { memberId: portal.memberId, state: portal.state },
    'ONAPPINSTALL verified; application token stored',
  );
}

/** The event's portal endpoint when PORTAL_DOMAINS lists its domain (used only if the OAuth server names none). */
function knownEndpoint(services: Pick<EventDeps, 'hosts'>, domain: string | undefined): string | undefined {
  if (domain === undefined) return undefined;
  try {
    return portalEndpoint(domain, true, services.hosts);
  } catch {
    return undefined;
  }
}
