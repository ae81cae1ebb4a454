import { unixSeconds } from '../clock.js';
import type { BitrixEvent } from '../bitrix/schemas.js';
import { bindPortal } from './bindings.js';
import { appUrls } from './installation.js';
import type { Installation } from './installation-record.js';
import type { EventDeps } from './lifecycle-events.js';
import { isAdminToken, verifyAppToken } from './verification.js';

/** Bitrix24 removes event bindings on update: take the fresh tokens and bind again. */
export async function acceptUpdateEvent(services: EventDeps, portal: Installation, event: BitrixEvent): Promise<void> {
  const { auth } = event;
  const version = typeof event.data?.['VERSION'] === 'string' ? event.data['VERSION'] : undefined;
  let fresh: { accessToken: string; refreshToken: string; expiresAt: number } | undefined;
  if (auth.access_token !== undefined && auth.refresh_token !== undefined) {
    // The application token alone proves little (every user's frame sees it), so new tokens are checked too.
    await verifyAppToken(services, auth.access_token, portal.memberId, portal.clientEndpoint);
    if (!(await isAdminToken(services, portal.memberId, portal.clientEndpoint, auth))) return;
    fresh = {
      accessToken: auth.access_token,
      refreshToken: auth.refresh_token,
      expiresAt: unixSeconds(services.clock) + (auth.expires_in ?? 3600),
    };
  }
  const updated = await services.installations.update(portal.memberId, (latest) => {
    if (latest === undefined || latest.state === 'deleted') return undefined;
    const base = { ...latest, appVersion: version ?? latest.appVersion, updatedAt: services.clock.now() };
    const current = services.vault.open(latest);
    return fresh === undefined || current === undefined ? base : services.vault.seal(base, { ...current, ...fresh });
  });
  if (updated === undefined) return;
  const client = await services.clients.forPortal(updated.memberId);
  const bindings = await bindPortal(client, appUrls(services.config), services.manifest.title);
  // Binding may have renewed the tokens: patch the latest record, never the copy from before.
  await services.installations.update(updated.memberId, (latest) =>
    latest === undefined ? undefined : { ...latest, bindings, updatedAt: services.clock.now() },
  );
  services.logger.info(
    { memberId: portal.memberId, failed: bindings.failed },
    'ONAPPUPDATE handled; events bound again',
  );
}
