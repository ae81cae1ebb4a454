import { UnavailableError } from '../errors.js';
import { kindOf } from '../bitrix/bitrix-error.js';
import type { Installation } from './installation-record.js';
import { NotInstalledError } from './installation-state.js';
import type { EventDeps } from './lifecycle-events.js';

/**
 * The application token is the only proof ONAPPUNINSTALL carries, and every user of the app sees it. But an
 * uninstall revokes the app's API access, so a call with the installation's token that still succeeds means
 * the event is forged. Any failure (revoked token, dead refresh token, Bitrix24 unreachable) lets it through.
 */
export async function stillInstalled(services: Pick<EventDeps, 'clients'>, portal: Installation): Promise<boolean> {
  try {
    await (await services.clients.forPortal(portal.memberId)).call('app.info');
    return true;
  } catch (error: unknown) {
    // Only Bitrix24 refusing the installation's token means "uninstalled". Anything else (a store, lock or
    // network failure) is no evidence: answer 503 rather than act on an event anyone can forge.
    if (kindOf(error) === 'token_rejected') return false;
    // No usable installation left on our side (its refresh token was already refused): nothing to check with.
    if (error instanceof NotInstalledError) return false;
    throw new UnavailableError('PORTAL_UNAVAILABLE', 'Could not confirm the uninstall with Bitrix24.', {
      cause: error,
    });
  }
}

/** Tokens go at once; with "clear data" every data owner then forgets the portal, after the reply. */
export async function uninstall(services: EventDeps, portal: Installation, clean: boolean): Promise<void> {
  services.clients.forget(portal.memberId);
  services.budgets.forget(portal.memberId);
  await services.installations.update(portal.memberId, (latest) =>
    latest === undefined
      ? undefined
      : { ...services.vault.clear(latest), state: 'deleted', updatedAt: services.clock.now() },
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
async function purgeEverywhere(services: Pick<EventDeps, 'dataOwners'>, memberId: string): Promise<void> {
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
  if (failed.length > 0)
    throw new AggregateError(failed, `${failed.length} data owner(s) could not purge portal ${memberId}`);
}
