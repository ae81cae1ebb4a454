import { KNOWN_SYNC_PHASES, type KnownSyncPhase, type SyncProgress, type SyncStatus } from '../../api/schemas';
import type { I18n, MessageKey } from '../../i18n';
import { relativeTime } from '../../i18n/format';

function isKnownPhase(phase: string): phase is KnownSyncPhase {
  return KNOWN_SYNC_PHASES.some((known) => known === phase);
}

/** The label of what the running sync does now. */
export function phaseKey(progress: SyncProgress | null | undefined): MessageKey {
  if (!progress) return 'sync.phase.starting';
  return isKnownPhase(progress.phase) ? `sync.phase.${progress.phase}` : 'sync.phase.other';
}

/** "42 s", "3 min 5 s". */
export function formatDuration(i18n: I18n, ms: number): string {
  const totalSeconds = Math.max(0, ms) / 1000;
  if (totalSeconds < 10) return i18n.t('time.seconds', { seconds: i18n.n(Math.round(totalSeconds * 10) / 10) });
  if (totalSeconds < 60) return i18n.t('time.seconds', { seconds: i18n.n(Math.round(totalSeconds)) });
  const rounded = Math.round(totalSeconds);
  return i18n.t('time.minutes', { minutes: i18n.n(Math.floor(rounded / 60)), seconds: i18n.n(rounded % 60) });
}

/** "Last refreshed 5 minutes ago (50,000 users, 1,365 departments)", or `null` before the first sync. */
export function refreshedSummary(i18n: I18n, status: SyncStatus, now: number): string | null {
  if (status.refreshedAt === null) return null;
  const time = relativeTime(i18n.lang, status.refreshedAt, now) ?? i18n.t('sync.justNow');
  const run = status.lastRun;
  if (!run) return i18n.t('sync.lastRefreshed', { time });
  // What the directory lists (active users) when the server says, so this line and the list agree.
  return i18n.t('sync.lastRefreshedCounts', {
    time,
    users: i18n.tc('count.users', status.shown?.activeUsers ?? run.users),
    departments: i18n.tc('count.departments', status.shown?.departments ?? run.departments),
  });
}

/** "12,000 users · 300 departments · 61 requests" for a running sync. */
export function progressCounts(i18n: I18n, progress: SyncProgress, withWorkgroups: boolean): string {
  const parts = [i18n.tc('count.users', progress.users), i18n.tc('count.departments', progress.departments)];
  if (withWorkgroups) parts.push(i18n.tc('count.workgroups', progress.workgroups));
  parts.push(i18n.tc('count.requests', progress.requests));
  return parts.join(' · ');
}

/**
 * Percent done, when there is something to measure against: the user count of the last run.
 * `null` (an indeterminate bar) on the first sync and while departments load; never 100 before
 * the sync says it is done.
 */
export function estimatePercent(
  progress: SyncProgress | null | undefined,
  expectedUsers: number | null,
): number | null {
  if (!progress || progress.phase === 'departments' || expectedUsers === null || expectedUsers <= 0) return null;
  // Phases after the users (workgroups, their members) have no measure of their own.
  if (progress.phase !== 'users') return 99;
  return Math.min(99, Math.floor((progress.users / expectedUsers) * 100));
}
