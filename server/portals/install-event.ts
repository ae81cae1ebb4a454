import { unixSeconds } from '../clock.js';
import { pickLang } from '../manifest.js';
import { checkedEndpoint, portalEndpoint } from '../bitrix/portal-host.js';
import type { BitrixEvent } from '../bitrix/schemas.js';
import type { Installation } from './installation-record.js';
import type { EventDeps } from './lifecycle-events.js';
import { isAdminToken, verifyAppToken } from './verification.js';

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
  // The event names its portal; a host outside PORTAL_DOMAINS is dropped before any request, the OAuth
  // server's included (verifyAppToken expects a checked endpoint).
  try {
    if (auth.client_endpoint !== undefined) checkedEndpoint(auth.client_endpoint, services.config.portalDomains);
    if (auth.domain !== undefined) portalEndpoint(auth.domain, true, services.config.portalDomains);
  } catch {
    services.logger.warn({ memberId: auth.member_id }, 'ONAPPINSTALL naming a host outside PORTAL_DOMAINS ignored');
    return;
  }
  const verified = await verifyAppToken(services, auth.access_token, auth.member_id, auth.client_endpoint);
  if (!(await isAdminToken(services, verified.memberId, verified.clientEndpoint, auth))) return;
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
