import type { Installation } from './installation-record.js';
import { isInstalled } from './installation-state.js';
import type { EventDeps } from './lifecycle-events.js';
import { checkRemoval, type RemovalVerdict } from './removal-check.js';

/**
 * ONAPPUNINSTALL carries no proof but the application token, which every user of the app can read. So an
 * uninstall is acted on when Bitrix24 confirms it (see removal-check.ts); until then it is pending and checked
 * again with back-off. A forged event meets a connection that still works and is dropped. A genuine one whose
 * confirmation never comes in words Keycard knows cannot keep a portal's data for ever: once Bitrix24 has kept
 * refusing a connection that worked before the event, for days, the uninstall is taken as confirmed.
 */

/** Waits between checks of a pending uninstall, then daily. */
const BACKOFF_MS = [
  60_000,
  5 * 60_000,
  15 * 60_000,
  3_600_000,
  3 * 3_600_000,
  6 * 3_600_000,
  12 * 3_600_000,
  86_400_000,
];
/** Refusals since the event that confirm it, for an installation whose connection worked until then. */
const CONFIRMING_REFUSALS = { count: 4, afterMs: 3 * 86_400_000 };
/** Without a connection that worked (it needed an administrator already), refusals prove less: a month of them. */
const CONFIRMING_REFUSALS_WITHOUT_CONNECTION = { count: 10, afterMs: 30 * 86_400_000 };

export type UninstallOutcome = 'uninstalled' | 'pending' | 'dropped';

/**
 * An ONAPPUNINSTALL whose application token matched: checked now; acted on, dropped (nothing written: a forged
 * event leaves no trace), or recorded as pending when Bitrix24 does not say.
 */
export async function requestUninstall(
  services: EventDeps,
  installation: Installation,
  clean: boolean,
): Promise<UninstallOutcome> {
  const verdict = await checkRemoval(services, installation);
  if (verdict === 'removed') {
    await uninstall(services, installation, clean, verdict);
    return 'uninstalled';
  }
  if (verdict === 'present') {
    services.logger.warn(
      { memberId: installation.memberId },
      'ONAPPUNINSTALL dropped: Bitrix24 still serves the installation',
    );
    return 'dropped';
  }
  const now = services.clock.now();
  const pending = {
    requestedAt: now,
    clean,
    checks: 1,
    refusals: verdict === 'refused' ? 1 : 0,
    nextCheckAt: now + (BACKOFF_MS[0] ?? 60_000),
    workedBefore: installation.state !== 'needs_reinstall',
  };
  const recorded = await services.installations.update(installation.memberId, (latest) =>
    latest === undefined || latest.state === 'deleted' ? undefined : { ...latest, uninstall: pending, updatedAt: now },
  );
  services.logger.info(
    { memberId: installation.memberId, verdict },
    'uninstall not confirmed yet; checked again later',
  );
  return recorded === undefined ? 'dropped' : 'pending';
}

/**
 * A call on the installation's connection was answered "application not installed": the ONAPPUNINSTALL may have
 * been lost. Checked like an event that asked to keep the data; an installation Bitrix24 still serves is left
 * as it was, one it does not is stopped (pending, so neither the reconcile nor the sync touches it) until the
 * uninstall is confirmed.
 */
export async function checkSuspectedRemoval(services: EventDeps, memberId: string): Promise<UninstallOutcome> {
  const installation = await services.installations.get(memberId);
  if (!isInstalled(installation) || installation.uninstall !== undefined) return 'dropped';
  services.logger.warn({ memberId }, 'Bitrix24 answered "application not installed"; checking the installation');
  return requestUninstall(services, installation, false);
}

/** One check of a pending uninstall: acts on the verdict, or schedules the next check. */
export async function checkPendingUninstall(
  services: EventDeps,
  installation: Installation,
): Promise<UninstallOutcome> {
  const pending = installation.uninstall;
  if (pending === undefined || installation.state === 'deleted') return 'dropped';
  const verdict = await checkRemoval(services, installation);
  const refusals = pending.refusals + (verdict === 'refused' ? 1 : 0);
  if (verdict === 'removed' || confirmedByRefusals(services.clock.now(), pending, refusals)) {
    await uninstall(services, installation, pending.clean, verdict);
    return 'uninstalled';
  }
  const now = services.clock.now();
  if (verdict === 'present') {
    await services.installations.update(installation.memberId, (latest) =>
      latest?.uninstall === undefined ? undefined : { ...withoutUninstall(latest), updatedAt: now },
    );
    services.logger.warn(
      { memberId: installation.memberId },
      'ONAPPUNINSTALL dropped: Bitrix24 still serves the installation',
    );
    return 'dropped';
  }
  const checks = pending.checks + 1;
  const nextCheckAt = now + (BACKOFF_MS[Math.min(checks - 1, BACKOFF_MS.length - 1)] ?? 86_400_000);
  await services.installations.update(installation.memberId, (latest) =>
    latest?.uninstall === undefined
      ? undefined
      : { ...latest, uninstall: { ...latest.uninstall, checks, refusals, nextCheckAt }, updatedAt: now },
  );
  services.logger.info(
    { memberId: installation.memberId, verdict, checks, nextCheckAt },
    'uninstall not confirmed yet',
  );
  return 'pending';
}

function confirmedByRefusals(now: number, pending: NonNullable<Installation['uninstall']>, refusals: number): boolean {
  const rule = pending.workedBefore ? CONFIRMING_REFUSALS : CONFIRMING_REFUSALS_WITHOUT_CONNECTION;
  return refusals >= rule.count && now - pending.requestedAt >= rule.afterMs;
}

function withoutUninstall(installation: Installation): Installation {
  const { uninstall: _dropped, ...rest } = installation;
  return rest;
}

/** Tokens go at once; with "clear data" every data owner then forgets the portal, after the reply. */
async function uninstall(
  services: EventDeps,
  installation: Installation,
  clean: boolean,
  verdict: RemovalVerdict,
): Promise<void> {
  const { memberId } = installation;
  services.clients.forget(memberId);
  services.budgets.forget(memberId);
  await services.installations.update(memberId, (latest) =>
    latest === undefined
      ? undefined
      : { ...withoutUninstall(services.vault.clear(latest)), state: 'deleted', updatedAt: services.clock.now() },
  );
  if (clean) {
    services.background.run('purge portal data', () => purgeEverywhere(services, memberId), { essential: true });
  }
  services.logger.info({ memberId, clean, verdict }, 'app uninstalled');
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
  if (failed.length > 0) {
    throw new AggregateError(failed, `${failed.length} data owner(s) could not purge portal ${memberId}`);
  }
}
