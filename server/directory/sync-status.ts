import { AppError } from '../errors.js';
import { BitrixError } from '../bitrix/bitrix-error.js';
import type {
  DirectoryMeta,
  LastError,
  LastRun,
  SyncPhase,
  SyncTrigger,
  WorkgroupAvailability,
} from './directory-documents.js';

/** What `GET /api/sync` answers. */
export interface SyncStatus {
  state: 'never' | 'running' | 'idle' | 'failed';
  /** The generation readers see; null before the first complete sync. */
  generation: number | null;
  /** When that generation was completed (ms). */
  refreshedAt: number | null;
  progress?: {
    phase: SyncPhase;
    users: number;
    departments: number;
    workgroups: number;
    requests: number;
    startedAt: number;
  };
  lastRun?: Omit<LastRun, 'generation' | 'resumed'>;
  lastError?: LastError;
  workgroups: WorkgroupAvailability;
  /**
   * What the directory shows of the current generation, so every screen counts alike: `activeUsers` is the
   * directory's default list (active users, extranet included), `users` every mirrored record (fired too).
   */
  shown?: { users: number; activeUsers: number; departments: number };
}

/** What one completed sync did. */
export interface SyncReport {
  memberId: string;
  trigger: SyncTrigger;
  generation: number;
  startedAt: number;
  finishedAt: number;
  durationMs: number;
  /** HTTP requests this run sent (a resumed run does not count those before the crash). */
  requests: number;
  users: number;
  departments: number;
  workgroups: number;
  /** The run continued a build from its checkpoint. */
  resumed: boolean;
}

/** Scopes that give `sonet_group.*` (the rest module accepts all three names). */
const WORKGROUP_SCOPES = ['sonet_group', 'socialnetwork', 'sonet'];
/** Scopes under which user.get shows EMAIL (`user_brief` does not). */
const EMAIL_SCOPES = ['user', 'user_basic'];

export function workgroupAvailability(scopes: readonly string[]): WorkgroupAvailability {
  return scopes.some((scope) => WORKGROUP_SCOPES.includes(scope))
    ? { available: true }
    : { available: false, missingScope: 'sonet_group' };
}

export function emailAllowed(scopes: readonly string[]): boolean {
  return scopes.some((scope) => EMAIL_SCOPES.includes(scope));
}

/** Builds the status from the meta document; `running` is true when this process runs the sync. */
export function syncStatus(
  meta: DirectoryMeta,
  options: { now: number; running: boolean; scopes: readonly string[] },
): SyncStatus {
  const { current, build, lastRun, lastError } = meta;
  const running = options.running || (build !== null && build.leaseUntil > options.now);
  const failed = lastError !== null && (lastRun === null || lastError.at > lastRun.finishedAt);
  const status: SyncStatus = {
    state: running ? 'running' : failed ? 'failed' : current !== null ? 'idle' : 'never',
    generation: current?.generation ?? null,
    refreshedAt: current?.completedAt ?? null,
    workgroups: workgroupAvailability(options.scopes),
  };
  if (running && build !== null) {
    status.progress = {
      phase: build.phase,
      users: build.counts.users,
      departments: build.counts.departments,
      workgroups: build.counts.workgroups,
      requests: build.requests,
      startedAt: build.startedAt,
    };
  }
  if (lastRun !== null) {
    const { generation: _generation, resumed: _resumed, ...shown } = lastRun;
    status.lastRun = shown;
  }
  if (lastError !== null) status.lastError = lastError;
  return status;
}

/** The code and safe message recorded for a failed sync (details go to the log only). */
export function failureOf(error: unknown, at: number): LastError {
  if (error instanceof BitrixError) return { code: error.bitrixCode, message: error.message, at };
  if (error instanceof AppError) return { code: error.code, message: error.message, at };
  return { code: 'SYNC_FAILED', message: 'The directory sync failed.', at };
}
