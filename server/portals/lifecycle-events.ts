import { createHash, timingSafeEqual } from 'node:crypto';
import type { BackgroundTasks } from '../background.js';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import { UnauthorizedError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Manifest } from '../manifest.js';
import type { OAuthServers } from '../bitrix/oauth-servers.js';
import type { HostPolicy } from '../bitrix/portal-host.js';
import type { RateBudgets } from '../bitrix/rate-budgets.js';
import type { BitrixEvent } from '../bitrix/schemas.js';
import type { DirectoryService } from '../directory/directory-service.js';
import type { OnceKeys } from '../store/once-keys.js';
import type { PortalDataOwner } from './data-owner.js';
import { acceptInstallEvent } from './install-event.js';
import type { InstallationRepository } from './installation-repository.js';
import type { Installation } from './installation-record.js';
import type { PortalClients } from './portal-clients.js';
import type { TokenVault } from './token-vault.js';
import { requestUninstall } from './uninstall.js';
import { acceptUpdateEvent } from './update-event.js';

/** What handling Bitrix24's events needs. */
export interface EventDeps {
  config: Pick<Config, 'clientId' | 'appUrl'>;
  hosts: HostPolicy;
  clock: Clock;
  logger: Logger;
  manifest: Pick<Manifest, 'title' | 'features'>;
  oauth: OAuthServers;
  clients: PortalClients;
  installations: InstallationRepository;
  vault: TokenVault;
  budgets: RateBudgets;
  directory: Pick<DirectoryService, 'refreshFromEvent'>;
  onceKeys: OnceKeys;
  background: BackgroundTasks;
  /** Every repository holding per-portal data, purged on uninstall with "clear data". */
  dataOwners: readonly PortalDataOwner[];
}

/** What the events route answers; every outcome is a 2xx except a token that does not match. */
export type EventOutcome = 'accepted' | 'ignored';

/**
 * Handles one Bitrix24 event. The application token is checked before anything changes (constant time);
 * heavy work (OAuth verification, re-binding) runs after the reply, because Bitrix24 does not retry and
 * calls slow handlers less often. Unknown portals and replays are no-ops.
 * @see https://apidocs.bitrix24.com/api-reference/events/safe-event-handlers.html
 */
export async function handleEvent(services: EventDeps, event: BitrixEvent): Promise<EventOutcome> {
  const portal = await services.installations.get(event.auth.member_id);
  // A delivery seen before (a retry, or the same event at another instance) is a no-op. Checked after the
  // token, so a forged copy cannot use up a real event's key.
  const once = () => services.onceKeys.first(eventKey(event), EVENT_MEMORY_MS);
  switch (event.event) {
    case 'ONAPPINSTALL':
      services.background.run('ONAPPINSTALL', () => acceptInstallEvent(services, event), { essential: true });
      return 'accepted';
    case 'ONAPPUNINSTALL':
      if (portal === undefined || portal.state === 'deleted') return 'ignored';
      // No application token on record (the installer got none, ONAPPINSTALL never came): Bitrix24 decides.
      if (services.vault.open(portal)?.applicationToken !== undefined) assertApplicationToken(services, portal, event);
      if (!(await once())) return 'ignored';
      try {
        const outcome = await requestUninstall(services, portal, isTruthy(event.data?.['CLEAN']));
        return outcome === 'dropped' ? 'ignored' : 'accepted';
      } catch (error: unknown) {
        // Not done: a redelivery must be acted on, not ignored as a duplicate.
        await services.onceKeys.forget(eventKey(event)).catch(() => undefined);
        throw error;
      }
    case 'ONAPPUPDATE': {
      if (portal === undefined || portal.state === 'deleted') return 'ignored';
      // The update brings a new application token: an event that does not match the stored one is believed
      // only through its OAuth tokens (an admin's, vouched for by the OAuth server), checked after the reply.
      const matched = matchesApplicationToken(services, portal, event);
      if (!matched && (event.auth.access_token === undefined || event.auth.refresh_token === undefined)) {
        assertApplicationToken(services, portal, event);
      }
      // A copy whose application token does not match takes the delivery only once its OAuth tokens are verified
      // (after the reply), so a forged copy cannot use up the genuine update's key.
      if (matched && !(await once())) return 'ignored';
      services.background.run(
        'ONAPPUPDATE',
        () => acceptUpdateEvent(services, portal, event, { tokenMatched: matched, claim: matched ? undefined : once }),
        { essential: true },
      );
      return 'accepted';
    }
    case 'ONUSERADD':
      if (portal === undefined || portal.state === 'deleted') return 'ignored';
      assertApplicationToken(services, portal, event);
      if (!(await once())) return 'ignored';
      {
        // Every user who can open the app sees the application token, so the event's `data` is only a hint:
        // the record itself comes from Bitrix24 (`user.get` with the installation's token).
        const userId = Number(event.data?.['ID']);
        if (!Number.isSafeInteger(userId) || userId <= 0) return 'ignored';
        services.background.run('ONUSERADD', () => services.directory.refreshFromEvent(portal.memberId, userId));
      }
      return 'accepted';
    default:
      return 'ignored';
  }
}

function matchesApplicationToken(
  services: Pick<EventDeps, 'vault'>,
  portal: Installation,
  event: BitrixEvent,
): boolean {
  const stored = services.vault.open(portal)?.applicationToken;
  return stored !== undefined && sameSecret(stored, event.auth.application_token);
}

function assertApplicationToken(services: Pick<EventDeps, 'vault'>, portal: Installation, event: BitrixEvent): void {
  if (!matchesApplicationToken(services, portal, event)) {
    throw new UnauthorizedError(
      'EVENT_NOT_VERIFIED',
      'The application token of this event does not match the installation.',
    );
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

/** How long a handled event is remembered: Bitrix24 retries within minutes, not hours. */
const EVENT_MEMORY_MS = 60 * 60_000;

/** The identity of one delivery: portal, event, Bitrix24's timestamp and the payload. */
function eventKey(event: BitrixEvent): string {
  const digest = createHash('sha256')
    .update(JSON.stringify([event.auth.member_id, event.event, event.ts ?? '', event.data ?? {}]))
    .digest('hex');
  return `event:${digest}`;
}
