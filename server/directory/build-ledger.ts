import type { Clock } from '../clock.js';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { PendingChunk, SyncBuild, SyncTrigger } from './directory-documents.js';
import type { DirectoryRepository } from './directory-repository.js';
import type { Locks } from '../store/locks.js';
import { emailAllowed, failureOf, workgroupAvailability, type SyncReport } from './sync-status.js';

/** Another instance holds the portal's build lease. */
export class SyncRunningError extends AppError {
  constructor() {
    super('SYNC_RUNNING', 409, 'A directory sync of this portal is already running.');
  }
}

/** The build's lease went to someone else (it expired while this run stalled) or the portal was purged. */
export class SyncLeaseLostError extends AppError {
  constructor() {
    super('SYNC_LEASE_LOST', 409, 'Another instance took over the directory sync.');
  }
}

/**
 * A build as one checkpoint holds it. Frozen: a run moves on by making the next value, never by editing
 * this one, so what the ledger stored and what the run holds cannot drift apart.
 */
export type BuildCheckpoint = { readonly [K in keyof SyncBuild]: Readonly<SyncBuild[K]> };

/** A frozen copy of `build`. */
export function frozenBuild(build: BuildCheckpoint): BuildCheckpoint {
  return Object.freeze({
    ...build,
    cursor: Object.freeze({ ...build.cursor }),
    chunks: Object.freeze({ ...build.chunks }),
    counts: Object.freeze({ ...build.counts }),
    workgroups: Object.freeze({ ...build.workgroups }),
  });
}

export interface BuildLedgerDeps {
  store: DirectoryRepository;
  locks: Locks;
  clock: Clock;
  logger: Logger;
  /** This instance's id, written as the lease owner. */
  owner: string;
  leaseMs: number;
  checkpointMaxAgeMs: number;
}

/**
 * Every write of a portal's meta document during a sync, each under the portal's meta lock: claiming the
 * build lease (a fresh generation, or the resume of a checkpoint young enough), checkpoints that renew the
 * lease, the flip that makes the build current in one write, and the failure record that keeps the
 * checkpoint and releases the lease. Builds come in and go out as frozen values (see BuildCheckpoint).
 */
export class BuildLedger {
  readonly #deps: BuildLedgerDeps;

  constructor(deps: BuildLedgerDeps) {
    this.#deps = deps;
  }

  async claim(
    memberId: string,
    trigger: SyncTrigger,
    scopes: readonly string[],
  ): Promise<{ build: BuildCheckpoint; resumed: boolean }> {
    const { store, locks, clock, owner, leaseMs, checkpointMaxAgeMs } = this.#deps;
    const now = clock.now();
    const { build, resumed, discarded } = await locks.withLock(memberId, 'meta', async () => {
      const meta = await store.meta(memberId);
      const previous = meta.build;
      if (previous !== null && previous.leaseUntil > now) throw new SyncRunningError();
      const lease = { owner, leaseUntil: now + leaseMs, checkpointAt: now };
      if (previous !== null && previous.checkpointAt >= now - checkpointMaxAgeMs) {
        const resumedBuild: SyncBuild = { ...previous, ...lease, trigger };
        await store.putMeta(memberId, { ...meta, build: resumedBuild });
        return { build: resumedBuild, resumed: true, discarded: null };
      }
      const fresh: SyncBuild = {
        generation: meta.nextGeneration,
        ...lease,
        trigger,
        startedAt: now,
        phase: 'departments',
        cursor: { start: 0, total: null, afterId: 0, userPaging: 'cursor' },
        chunks: { d: 0, u: 0, g: 0, m: 0 },
        counts: { users: 0, departments: 0, workgroups: 0 },
        requests: 0,
        // Decided once per generation, so one generation never mixes rows with and without e-mail.
        emailAllowed: emailAllowed(scopes),
        workgroups: workgroupAvailability(scopes),
      };
      await store.putMeta(memberId, { ...meta, nextGeneration: meta.nextGeneration + 1, build: fresh });
      return { build: fresh, resumed: false, discarded: previous };
    });
    if (discarded !== null) {
      await store.deleteGeneration(memberId, discarded.generation, discarded.chunks).catch((error: unknown) => {
        this.#deps.logger.warn({ memberId, err: error }, 'could not delete an abandoned directory build');
      });
    }
    return { build: frozenBuild(build), resumed };
  }

  /**
   * Writes the request's chunk (if it brought rows) as the build's next chunk of its kind, then `build`
   * as the checkpoint with the chunk counted and the lease renewed; returns that stored value. Both writes
   * happen under the meta lock after the ownership check, so a run that lost its lease (it stalled past
   * the lease and another instance resumed the build) cannot overwrite the new owner's chunks.
   */
  async checkpoint(memberId: string, build: BuildCheckpoint, chunk?: PendingChunk): Promise<BuildCheckpoint> {
    const { store, locks, clock, leaseMs } = this.#deps;
    return locks.withLock(memberId, 'meta', async () => {
      const meta = await store.meta(memberId);
      this.#assertOwned(meta.build, build);
      let chunks = build.chunks;
      if (chunk !== undefined && chunk.rows.length > 0) {
        await store.putChunk(memberId, build.generation, chunks[chunk.kind], chunk);
        chunks = { ...chunks, [chunk.kind]: chunks[chunk.kind] + 1 };
      }
      const now = clock.now();
      const stored = frozenBuild({ ...build, chunks, checkpointAt: now, leaseUntil: now + leaseMs });
      await store.putMeta(memberId, { ...meta, build: stored });
      return stored;
    });
  }

  /**
   * Makes the build current with one write of the meta document, then deletes the previous generation's
   * chunks and the overlay entries the new generation already contains (those older than its start).
   */
  async flip(
    memberId: string,
    trigger: SyncTrigger,
    build: BuildCheckpoint,
    run: { startedAt: number; requests: number; resumed: boolean },
  ): Promise<SyncReport> {
    const { store, locks, clock } = this.#deps;
    const finishedAt = clock.now();
    const report: SyncReport = {
      memberId,
      trigger,
      generation: build.generation,
      startedAt: run.startedAt,
      finishedAt,
      durationMs: Math.max(0, finishedAt - run.startedAt),
      requests: run.requests,
      users: build.counts.users,
      departments: build.counts.departments,
      workgroups: build.counts.workgroups,
      resumed: run.resumed,
    };
    const previous = await locks.withLock(memberId, 'meta', async () => {
      const meta = await store.meta(memberId);
      this.#assertOwned(meta.build, build);
      const { memberId: _memberId, ...lastRun } = report;
      await store.putMeta(memberId, {
        ...meta,
        current: {
          generation: build.generation,
          startedAt: build.startedAt,
          completedAt: finishedAt,
          chunks: build.chunks,
          counts: build.counts,
          emailAllowed: build.emailAllowed,
          workgroups: build.workgroups,
        },
        build: null,
        lastRun,
      });
      return meta.current;
    });
    try {
      if (previous !== null) await store.deleteGeneration(memberId, previous.generation, previous.chunks);
      await locks.withLock(memberId, 'overlay', async () => {
        const overlay = await store.overlay(memberId);
        const kept = Object.entries(overlay.users).filter(([, entry]) => entry.at >= build.startedAt);
        if (kept.length === Object.keys(overlay.users).length) return;
        await store.putOverlay(memberId, { rev: overlay.rev + 1, users: Object.fromEntries(kept) });
      });
    } catch (error: unknown) {
      // Readers already see only the new generation; leftovers cost space, not correctness.
      this.#deps.logger.warn({ memberId, err: error }, 'could not clean up after a directory sync');
    }
    return report;
  }

  /** Keeps the stored checkpoint for a resume, releases the lease and records the error. */
  async recordFailure(memberId: string, build: BuildCheckpoint, error: unknown): Promise<void> {
    const { store, locks, clock, owner } = this.#deps;
    await locks.withLock(memberId, 'meta', async () => {
      const meta = await store.meta(memberId);
      const ours = meta.build !== null && meta.build.generation === build.generation && meta.build.owner === owner;
      await store.putMeta(memberId, {
        ...meta,
        build: ours && meta.build !== null ? { ...meta.build, leaseUntil: 0 } : meta.build,
        lastError: failureOf(error, clock.now()),
      });
    });
  }

  /** Deletes the meta document and the chunks of the current generation and of any build. */
  async purge(memberId: string): Promise<void> {
    const { store, locks } = this.#deps;
    await locks.withLock(memberId, 'meta', async () => {
      const meta = await store.meta(memberId);
      if (meta.current !== null) await store.deleteGeneration(memberId, meta.current.generation, meta.current.chunks);
      if (meta.build !== null) await store.deleteGeneration(memberId, meta.build.generation, meta.build.chunks);
      await store.deleteMeta(memberId);
    });
  }

  #assertOwned(stored: SyncBuild | null, build: BuildCheckpoint): void {
    if (stored?.generation !== build.generation || stored.owner !== this.#deps.owner) throw new SyncLeaseLostError();
  }
}
