import { createHash, timingSafeEqual } from 'node:crypto';
import { unixSeconds } from '../clock.js';
import { AppError, UnauthorizedError, UnavailableError } from '../errors.js';
import type { BitrixEvent } from '../bitrix/schemas.js';
import { pickLang } from '../manifest.js';
import type { Services } from '../services.js';
import { isRejectedToken } from '../bitrix/bitrix-error.js';
import { checkedEndpoint, portalEndpoint } from '../bitrix/portal-host.js';
import { bindPortal } from './bindings.js';
import { appUrls } from './installation.js';
import type { Portal } from './portal.js';
import { identifyUser, verifyAppToken } from './verification.js';

/** What the events route answers; every outcome is a 2xx except a token that does not match. */
export type EventOutcome = 'accepted' | 'ignored';

/**
 * Handles one Bitrix24 event. The application token is checked before anything changes (constant time);
 * heavy work (OAuth verification, re-binding) runs after the reply, because Bitrix24 does not retry and
 * calls slow handlers less often. Unknown portals and replays are no-ops.
 * @see https://apidocs.bitrix24.com/api-reference/events/safe-event-handlers.html
 */
export async function handleEvent(services: Services, event: BitrixEvent): Promise<EventOutcome> {
  let portal: Portal | undefined;
  try {
    portal = await services.portals.get(event.auth.member_id);
  } catch (error: unknown) {
    throw new UnavailableError('STORE_UNAVAILABLE', 'The installation store could not be read.', { cause: error });
  }
  // A delivery seen before (a retry, or the same event at another instance) is a no-op. Checked after the
  // token, so a forged copy cannot use up a real event's key.
  const once = async () => {
    try {
      return await services.onceKeys.first(eventKey(event), EVENT_MEMORY_MS);
    } catch (error: unknown) {
      throw new UnavailableError('STORE_UNAVAILABLE', 'The event log could not be read.', { cause: error });
    }
  };
  switch (event.event) {
    case 'ONAPPINSTALL':
      services.background.run('ONAPPINSTALL', () => acceptInstallEvent(services, event));
      return 'accepted';
    case 'ONAPPUNINSTALL':
      if (portal === undefined || portal.state === 'deleted') return 'ignored';
      assertApplicationToken(services, portal, event.auth.application_token);
      if (await stillInstalled(services, portal)) {
        services.logger.warn({ memberId: portal.memberId }, 'ONAPPUNINSTALL refused: Bitrix24 still serves the installation');
        return 'ignored';
      }
      if (!(await once())) return 'ignored';
      try {
        await uninstall(services, portal, isTruthy(event.data?.['CLEAN']));
      } catch (error: unknown) {
        // Not done: a redelivery must be acted on, not ignored as a duplicate.
        await services.onceKeys.forget(eventKey(event)).catch(() => undefined);
        throw error;
      }
      return 'accepted';
    case 'ONAPPUPDATE':
      if (portal === undefined || portal.state === 'deleted') return 'ignored';
      assertApplicationToken(services, portal, event.auth.application_token);
      if (!(await once())) return 'ignored';
      services.background.run('ONAPPUPDATE', () => acceptUpdateEvent(services, portal, event));
      return 'accepted';
    case 'ONUSERADD':
      if (portal === undefined || portal.state === 'deleted') return 'ignored';
      assertApplicationToken(services, portal, event.auth.application_token);
      if (!(await once())) return 'ignored';
      {
        // Every user who can open the app sees the application token, so the event's `data` is only a hint:
        // the record itself comes from Bitrix24 (`user.get` with the installation's token).
        const userId = Number(event.data?.['ID']);
        if (!Number.isSafeInteger(userId) || userId <= 0) return 'ignored';
        services.background.run('ONUSERADD', () => services.directory.refreshUser(portal.memberId, userId));
      }
      return 'accepted';
    default:
      return 'ignored';
  }
}

function assertApplicationToken(services: Services, portal: Portal, presented: string): void {
  const stored = services.vault.open(portal)?.applicationToken;
  if (stored === undefined || !sameSecret(stored, presented)) {
    throw new UnauthorizedError('EVENT_NOT_VERIFIED', 'The application token of this event does not match the installation.');
  }
}

/** Constant-time comparison of two secrets of any length (hashing first equalises the lengths). */
export function sameSecret(a: string, b: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();
  return timingSafeEqual(digest(a), digest(b));
}

function isTruthy(value: unknown): boolean {
  return value === 1 || value === '1' || value === true || value === 'Y' || value === 'y';
}

/**
 * The application token is the only proof ONAPPUNINSTALL carries, and every user of the app sees it. But an
 * uninstall revokes the app's API access, so a call with the installation's token that still succeeds means
 * the event is forged. Any failure (revoked token, dead refresh token, Bitrix24 unreachable) lets it through.
 */
async function stillInstalled(services: Services, portal: Portal): Promise<boolean> {
  try {
    await (await services.clients.forPortal(portal.memberId)).call('app.info');
    return true;
  } catch (error: unknown) {
    // Only Bitrix24 refusing the installation's token means "uninstalled". Anything else (a store, lock or
    // network failure) is no evidence: answer 503 rather than act on an event anyone can forge.
    if (isRejectedToken(error)) return false;
    // No usable installation left on our side (its refresh token was already refused): nothing to check with.
    if (error instanceof AppError && error.code === 'PORTAL_NOT_INSTALLED') return false;
    throw new UnavailableError('PORTAL_UNAVAILABLE', 'Could not confirm the uninstall with Bitrix24.', { cause: error });
  }
}

/** How long a handled event is remembered: Bitrix24 retries within minutes, not hours. */
const EVENT_MEMORY_MS = 60 * 60_000;

/** The identity of one delivery: portal, event, Bitrix24's timestamp and the payload. */
function eventKey(event: BitrixEvent): string {
  const digest = createHash('sha256').update(JSON.stringify([event.auth.member_id, event.event, event.ts ?? '', event.data ?? {}])).digest('hex');
  return `event:${digest}`;
}

/** Tokens go at once; with "clear data" every data owner then forgets the portal, after the reply. */
async function uninstall(services: Services, portal: Portal, clean: boolean): Promise<void> {
  services.clients.forget(portal.memberId);
  services.budgets.forget(portal.memberId);
  await services.portals.update(portal.memberId, (latest) =>
    latest === undefined ? undefined : { ...services.vault.clear(latest), state: 'deleted', updatedAt: services.clock.now() },
  );
  if (clean) {
    services.background.run('purge portal data', () => purgeEverywhere(services, portal.memberId));
  }
  services.logger.info({ memberId: portal.memberId, clean }, 'app uninstalled');
}

/**
 * Asks every data owner to forget the portal, each on its own: one that fails (a store hiccup, a document
 * it cannot read) is retried once and reported, and does not stop the others from deleting their part.
 */
async function purgeEverywhere(services: Services, memberId: string): Promise<void> {
  const failed: unknown[] = [];
  for (const owner of services.dataOwners) {
    try {
      await owner.purgePortal(memberId);
    } catch {
      try {
        await owner.purgePortal(memberId);
      } catch (error: unknown) {
        failed.push(error);
      }
    }
  }
  if (failed.length > 0) throw new AggregateError(failed, `${failed.length} data owner(s) could not purge portal ${memberId}`);
}

/**
 * ONAPPINSTALL may come before or after the installer. Its token is verified with the OAuth server before
 * its application token is stored; until then nothing about it is trusted.
 */
async function acceptInstallEvent(services: Services, event: BitrixEvent): Promise<void> {
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
  const verified = await verifyAppToken(
    services,
    auth.access_token,
    auth.member_id,
    auth.client_endpoint,
  );
  if (!(await isAdminToken(services, verified.memberId, verified.clientEndpoint, auth))) return;
  const accessToken = auth.access_token;
  // Derived from the latest record, one update at a time: the installer may be storing the installation now.
  const portal = await services.portals.update(verified.memberId, (existing) => {
    if (existing?.state === 'blocked') return undefined;
    const current = existing === undefined ? undefined : services.vault.open(existing);
    const reinstalled = existing === undefined || existing.state === 'deleted' || existing.state === 'needs_reinstall';
    const now = clock.now();
    const base: Portal = existing ?? {
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
      { ...base, state: reinstalled ? 'new' : base.state, scopes: verified.scopes, appStatus: verified.status ?? base.appStatus, updatedAt: now },
      tokens,
    );
  });
  if (portal === undefined) {
    services.logger.warn({ memberId: verified.memberId }, 'ONAPPINSTALL not stored (portal blocked, or no refresh token)');
    return;
  }
  services.logger.info({ memberId: portal.memberId, state: portal.state }, 'ONAPPINSTALL verified; application token stored');
}

/**
 * Tokens from an event become the installation's own only when they belong to a portal admin, as the
 * installer requires: the application token that accompanies them is visible to every user of the app.
 */
async function isAdminToken(
  services: Services,
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

/** Bitrix24 removes event bindings on update: take the fresh tokens and bind again. */
async function acceptUpdateEvent(services: Services, portal: Portal, event: BitrixEvent): Promise<void> {
  const { auth } = event;
  const version = typeof event.data?.['VERSION'] === 'string' ? event.data['VERSION'] : undefined;
  let fresh: { accessToken: string; refreshToken: string; expiresAt: number } | undefined;
  if (auth.access_token !== undefined && auth.refresh_token !== undefined) {
    // The application token alone proves little (every user's frame sees it), so new tokens are checked too.
    await verifyAppToken(services, auth.access_token, portal.memberId, portal.clientEndpoint);
    if (!(await isAdminToken(services, portal.memberId, portal.clientEndpoint, auth))) return;
    fresh = { accessToken: auth.access_token, refreshToken: auth.refresh_token, expiresAt: unixSeconds(services.clock) + (auth.expires_in ?? 3600) };
  }
  const updated = await services.portals.update(portal.memberId, (latest) => {
    if (latest === undefined || latest.state === 'deleted') return undefined;
    const base = { ...latest, appVersion: version ?? latest.appVersion, updatedAt: services.clock.now() };
    const current = services.vault.open(latest);
    return fresh === undefined || current === undefined ? base : services.vault.seal(base, { ...current, ...fresh });
  });
  if (updated === undefined) return;
  const client = await services.clients.forPortal(updated.memberId);
  const bindings = await bindPortal(client, appUrls(services), services.manifest.title);
  // Binding may have renewed the tokens: patch the latest record, never the copy from before.
  await services.portals.update(updated.memberId, (latest) => (latest === undefined ? undefined : { ...latest, bindings, updatedAt: services.clock.now() }));
  services.logger.info({ memberId: portal.memberId, failed: bindings.failed }, 'ONAPPUPDATE handled; events bound again');
}
