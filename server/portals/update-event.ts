import { unixSeconds } from '../clock.js';
import type { BitrixEvent } from '../bitrix/schemas.js';
import { bindPortal } from './bindings.js';
import { readPlan } from './portal-plan.js';
import { appUrls } from './installation.js';
import type { Installation } from './installation-record.js';
import type { EventDeps } from './lifecycle-events.js';
import type { Connection } from './portal-tokens.js';
import { adminOfTokens, verifyAppToken } from './verification.js';

/**
 * A new version of the app. ONAPPUPDATE brings an admin's fresh tokens and the updated application token
 * ("transmits … the updated application_token", docs `api-reference/common/events/on-app-update.md`): the
 * tokens are verified with the OAuth server (our client, this member id) and `profile` (an admin), as for
 * ONAPPINSTALL; only then are they stored, and the event's application token adopted when it did not match
 * the stored one. The events and the menu item are bound again (idempotently): the new version may need them.
 * @see https://apidocs.bitrix24.com/api-reference/events/event-bind.html
 */
export async function acceptUpdateEvent(
  services: EventDeps,
  portal: Installation,
  event: BitrixEvent,
  /** `claim` takes the delivery's key once the tokens are verified; false: another copy already took it. */
  options: { tokenMatched: boolean; claim?: (() => Promise<boolean>) | undefined },
): Promise<void> {
  const { auth } = event;
  const version = typeof event.data?.['VERSION'] === 'string' ? event.data['VERSION'] : undefined;
  let fresh: Connection | undefined;
  if (auth.access_token !== undefined && auth.refresh_token !== undefined) {
    const server = services.oauth.choose(auth.server_endpoint, portal.oauthServer);
    await verifyAppToken(services, server, auth.access_token, portal.memberId, portal.clientEndpoint);
    // Bitrix24 does not redeliver the event: a busy portal is waited out (waitOutBusy) rather than the update lost.
    const admin = await services.budgets.patiently(() =>
      adminOfTokens(services, portal.memberId, portal.clientEndpoint, auth),
    );
    if (admin === undefined) return;
    if (options.claim !== undefined && !(await options.claim())) return;
    fresh = {
      userId: admin.id,
      accessToken: auth.access_token,
      refreshToken: auth.refresh_token,
      expiresAt: unixSeconds(services.clock) + (auth.expires_in ?? 3600),
    };
  } else if (!options.tokenMatched) {
    return;
  }
  const updated = await services.installations.update(portal.memberId, (latest) => {
    if (latest === undefined || latest.state === 'deleted') return undefined;
    const base = { ...latest, appVersion: version ?? latest.appVersion, updatedAt: services.clock.now() };
    const current = services.vault.open(latest);
    if (fresh === undefined || current === undefined) return base;
    return services.vault.seal(base, { ...current, ...fresh, applicationToken: auth.application_token });
  });
  if (updated === undefined) return;
  if (!options.tokenMatched)
    services.logger.info({ memberId: portal.memberId }, 'ONAPPUPDATE verified; new application token adopted');
  const client = await services.clients.forPortal(updated.memberId);
  const bindings = await services.budgets.patiently(() =>
    bindPortal(client, appUrls(services.config), services.manifest),
  );
  // The plan may have changed since the install (it sets the request limits).
  const licenseFamily = await services.budgets.patiently(() => readPlan(client));
  // Binding may have renewed the tokens: patch the latest record, never the copy from before.
  await services.installations.update(updated.memberId, (latest) =>
    latest === undefined
      ? undefined
      : {
          ...latest,
          bindings,
          ...(licenseFamily === undefined ? {} : { licenseFamily }),
          updatedAt: services.clock.now(),
        },
  );
  services.logger.info(
    { memberId: portal.memberId, failed: bindings.failed },
    'ONAPPUPDATE handled; events bound again',
  );
}
