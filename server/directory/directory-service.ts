import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { BackgroundTasks } from '../background.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import { realSleep, type RateBudget, type Sleep } from '../bitrix/rate-budget.js';
import type { BitrixClient } from '../bitrix/sdk-client.js';
import type { PortalDataOwner } from '../portals/data-owner.js';
import { NotInstalledError } from '../portals/installation-state.js';
import type { Documents } from '../store/documents.js';
import { InProcessLocks, type Locks } from '../store/locks.js';
import { BuildLedger, SyncLeaseLostError, SyncRunningError, type BuildCheckpoint } from './build-ledger.js';
import { DocumentDirectoryRepository, type DirectoryRepository, type SyncTrigger } from './directory-repository.js';
import { encodeUser, decodeUser, sameUser, type DirectoryUser } from './records.js';
import { applyUserRow, parseUserRow } from './rest-rows.js';
import { SnapshotCache } from './snapshot-cache.js';
import type { DirectorySnapshot } from './snapshot.js';
import { SyncAbortedError, SyncRun, type SyncHooks } from './sync-run.js';
import { emailAllowed, syncStatus, workgroupAvailability, type SyncReport, type SyncStatus } from './sync-status.js';

/** Tunables of the directory mirror; every one has a default. */
export interface DirectoryOptions {
  /** How long a build's lease lasts without a checkpoint (default 15 min: longer than the longest 429 wait). */
  leaseMs: number;
  /** A build whose last checkpoint is older than this starts over instead of resuming (default 1 h). */
  checkpointMaxAgeMs: number;
  /** Interval of the scheduled reconcile of every active portal (default 1 h). */
  scheduleIntervalMs: number;
  /** Delay of the first reconcile after startSchedule (default 30 s), which also resumes crashed builds. */
  scheduleInitialDelayMs: number;
  /** Retries of one failed request before the sync fails (default 2). */
  maxBatchRetries: number;
  /** Base delay between those retries (default 1 s, times the attempt). */
  retryDelayMs: number;
  /** Portals whose snapshot stays in memory (default 32). */
  maxCachedPortals: number;
  /** How long uninstall waits for a running sync to stop before deleting under it (default 5 s). */
  purgeWaitMs: number;
  /** Start the first sync as soon as an installation is stored (default true; tests that script every REST call turn it off). */
  syncOnInstall: boolean;
  sleep: Sleep;
  hooks: SyncHooks;
}

const DEFAULT_OPTIONS: DirectoryOptions = {
  leaseMs: 15 * 60_000,
  checkpointMaxAgeMs: 60 * 60_000,
  scheduleIntervalMs: 60 * 60_000,
  scheduleInitialDelayMs: 30_000,
  maxBatchRetries: 2,
  retryDelayMs: 1000,
  maxCachedPortals: 32,
  purgeWaitMs: 5000,
  syncOnInstall: true,
  sleep: realSleep,
  hooks: {},
};

/** What the directory needs to know of a portal's installation. */
export interface DirectoryPortalInfo {
  /** Scopes the portal granted. */
  scopes: readonly string[];
  /** Installed with usable tokens (state `new` or `active`, as PortalClients.forPortal requires). */
  installed: boolean;
}

export interface DirectoryDeps {
  documents: Documents;
  clock: Clock;
  logger: Logger;
  background: BackgroundTasks;
  /** The portal's client with its stored admin tokens (PortalClients.forPortal). */
  clientFor(memberId: string): Promise<BitrixClient>;
  portalInfo(memberId: string): Promise<DirectoryPortalInfo | undefined>;
  /** Portals the scheduled reconcile visits. */
  listPortals(): Promise<string[]>;
  /** The portal's rate budget (batch commands refused by the operating limit wait there). */
  budgetFor?(memberId: string): RateBudget | undefined;
  locks?: Locks;
  /** Keep meta and overlay in memory (false when several instances share the store). */
  cacheReads?: boolean;
  options?: Partial<DirectoryOptions>;
}

interface Running {
  claimed: Promise<{ build: BuildCheckpoint; resumed: boolean }>;
  done: Promise<SyncReport>;
  abort: AbortController;
}

const userGetResult = z.array(z.unknown());

/** A known user's record is refreshed on open at most this often. */
const REFRESH_OPENER_EVERY_MS = 10 * 60_000;

/**
 * The directory mirror of every portal: full syncs into generations (atomic flip, resumable, one at a
 * time per portal), incremental updates in an overlay, snapshots for readers, and the scheduled reconcile.
 */
export class DirectoryService implements PortalDataOwner {
  /** Identifies this instance as the owner of the build leases it takes. */
  readonly instanceId = randomUUID();
  readonly #deps: DirectoryDeps;
  readonly #options: DirectoryOptions;
  readonly #store: DirectoryRepository;
  readonly #locks: Locks;
  readonly #snapshots: SnapshotCache;
  readonly #ledger: BuildLedger;
  readonly #running = new Map<string, Running>();
  /** When each opener was last refreshed (see refreshOpener). */
  readonly #openerRefreshedAt = new Map<string, number>();
  #timers: NodeJS.Timeout[] = [];
  #reconciling = false;

  constructor(deps: DirectoryDeps) {
    this.#deps = deps;
    this.#options = { ...DEFAULT_OPTIONS, ...deps.options };
    this.#store = new DocumentDirectoryRepository({ documents: deps.documents, cacheReads: deps.cacheReads ?? true });
    this.#locks = deps.locks ?? new InProcessLocks();
    this.#snapshots = new SnapshotCache(this.#store, this.#options.maxCachedPortals);
    this.#ledger = new BuildLedger({
      store: this.#store,
      locks: this.#locks,
      clock: deps.clock,
      logger: deps.logger,
      owner: this.instanceId,
      leaseMs: this.#options.leaseMs,
      checkpointMaxAgeMs: this.#options.checkpointMaxAgeMs,
    });
  }

  /** An installation was just stored: its first sync starts (the installer shows its progress). */
  installed(memberId: string): void {
    if (this.#options.syncOnInstall) void this.startSync(memberId, 'install');
  }

  /**
   * Starts a sync in the background unless one of this portal is already running (here or, by its lease,
   * on another instance). Resolves to whether it started; never throws.
   */
  async startSync(memberId: string, trigger: SyncTrigger): Promise<boolean> {
    if (this.#running.has(memberId)) return false;
    const running = this.#begin(memberId, trigger);
    this.#deps.background.run(`directory sync ${memberId}`, async () => {
      // The outcome is recorded in the meta document and logged by the run itself.
      await running.done.catch(() => undefined);
    });
    try {
      await running.claimed;
      return true;
    } catch (error: unknown) {
      if (!(error instanceof SyncRunningError)) this.#deps.logger.warn({ memberId, err: error }, 'directory sync did not start');
      return false;
    }
  }

  /** Runs a sync and resolves with its report; joins the sync of this portal already running here. */
  runSync(memberId: string, trigger: SyncTrigger): Promise<SyncReport> {
    return (this.#running.get(memberId) ?? this.#begin(memberId, trigger)).done;
  }

  async status(memberId: string): Promise<SyncStatus> {
    const [meta, info] = await Promise.all([this.#store.meta(memberId), this.#deps.portalInfo(memberId)]);
    return syncStatus(meta, { now: this.#deps.clock.now(), running: this.#running.has(memberId), scopes: info?.scopes ?? [] });
  }

  /** The current generation plus incremental updates, cached per portal, generation and overlay revision. */
  async snapshot(memberId: string): Promise<DirectorySnapshot> {
    for (let attempt = 1; ; attempt++) {
      const [meta, overlay] = await Promise.all([this.#store.currentMeta(memberId), this.#store.currentOverlay(memberId)]);
      try {
        return await this.#snapshots.get(memberId, meta.current, overlay, async () =>
          workgroupAvailability((await this.#deps.portalInfo(memberId))?.scopes ?? []),
        );
      } catch (error: unknown) {
        // A flip may delete the chunks being read; the new generation is then read instead.
        if (attempt >= 3) throw error;
        // What this process remembered may name a generation since deleted: read the store again.
        this.#snapshots.forget(memberId);
        this.#store.forgetCurrent(memberId);
      }
    }
  }

  /**
   * Puts one user into the overlay: a `user.get` row or an ONUSERADD `data` block (`ACTIVE: "Y"`). Fields
   * the row lacks keep their mirrored values. Returns the stored user; undefined (nothing stored) for a row
   * without an ID or a portal that is not installed (a late event must not bring back purged data).
   */
  async upsertUser(memberId: string, raw: unknown): Promise<DirectoryUser | undefined> {
    const row = parseUserRow(raw);
    if (row === undefined) {
      this.#deps.logger.warn({ memberId }, 'user row without a usable ID ignored');
      return undefined;
    }
    const info = await this.#deps.portalInfo(memberId);
    if (info?.installed !== true) return undefined;
    const mirrored = (await this.snapshot(memberId)).users.get(row.ID);
    return this.#locks.withLock(memberId, 'overlay', async () => {
      const overlay = await this.#store.overlay(memberId);
      const pending = overlay.users[String(row.ID)];
      const existing = pending === undefined ? mirrored : decodeUser(pending.row);
      const next = applyUserRow(row, existing, emailAllowed(info.scopes));
      if (existing !== undefined && sameUser(existing, next)) return next;
      overlay.users[String(row.ID)] = { at: this.#deps.clock.now(), row: encodeUser(next) };
      overlay.rev += 1;
      await this.#store.putOverlay(memberId, overlay);
      return next;
    });
  }

  /**
   * Someone the mirror knows opened the app: their record is refreshed after the response, at most every
   * REFRESH_OPENER_EVERY_MS per user (Bitrix24 sends no event when a user moves or leaves; an employee
   * reopening the app all day costs one `user.get`).
   */
  refreshOpener(memberId: string, userId: number): void {
    const key = `${memberId}\u0000${userId}`;
    const now = this.#deps.clock.now();
    if (now - (this.#openerRefreshedAt.get(key) ?? -Infinity) < REFRESH_OPENER_EVERY_MS) return;
    if (this.#openerRefreshedAt.size > 100_000) this.#openerRefreshedAt.clear();
    this.#openerRefreshedAt.set(key, now);
    this.#deps.background.run('refresh opening user', () => this.refreshUser(memberId, userId));
  }

  /** Fetches one user (`user.get` by ID, one request) and upserts it; undefined when the portal has no such user. */
  async refreshUser(memberId: string, userId: number): Promise<DirectoryUser | undefined> {
    const client = await this.#deps.clientFor(memberId);
    const rows = userGetResult.parse(await client.call('user.get', { FILTER: { ID: userId }, ADMIN_MODE: true }));
    const row = rows.find((candidate) => parseUserRow(candidate)?.ID === userId);
    return row === undefined ? undefined : this.upsertUser(memberId, row);
  }

  /** Deletes everything mirrored of a portal (uninstall with "clear data"), stopping its sync first. */
  async purgePortal(memberId: string): Promise<void> {
    const running = this.#running.get(memberId);
    if (running !== undefined) {
      running.abort.abort();
      const settled = running.done.then(() => undefined, () => undefined);
      await Promise.race([settled, new Promise<void>((resolve) => setTimeout(resolve, this.#options.purgeWaitMs).unref())]);
    }
    await this.#ledger.purge(memberId);
    await this.#locks.withLock(memberId, 'overlay', () => this.#store.deleteOverlay(memberId));
    this.#snapshots.forget(memberId);
  }

  /**
   * Reconciles every active portal every `intervalMs` (first pass after `scheduleInitialDelayMs`, which
   * also resumes builds a crash left behind). Portals synced within the interval are skipped.
   */
  startSchedule(intervalMs = this.#options.scheduleIntervalMs): void {
    if (this.#timers.length > 0) return;
    const tick = (): void => this.#deps.background.run('directory reconcile', () => this.reconcile(intervalMs));
    const first = setTimeout(tick, Math.min(this.#options.scheduleInitialDelayMs, intervalMs));
    const every = setInterval(tick, intervalMs);
    first.unref();
    every.unref();
    this.#timers = [first, every];
  }

  stopSchedule(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers = [];
  }

  /** One reconcile pass: syncs, one portal after another, every active portal not synced within `freshForMs`. */
  async reconcile(freshForMs = this.#options.scheduleIntervalMs): Promise<void> {
    if (this.#reconciling) return;
    this.#reconciling = true;
    try {
      for (const memberId of await this.#deps.listPortals()) {
        const meta = await this.#store.meta(memberId);
        const age = meta.current === null ? Number.POSITIVE_INFINITY : this.#deps.clock.now() - meta.current.completedAt;
        // A little slack, so a sync that finished just before the previous tick is not skipped twice.
        if (meta.build === null && age < freshForMs * 0.9) continue;
        try {
          await this.runSync(memberId, 'schedule');
        } catch (error: unknown) {
          this.#deps.logger.warn({ memberId, err: error }, 'scheduled directory sync failed');
        }
      }
    } finally {
      this.#reconciling = false;
    }
  }

  #begin(memberId: string, trigger: SyncTrigger): Running {
    const abort = new AbortController();
    const claimed = this.#claim(memberId, trigger);
    const done = claimed.then(({ build, resumed }) => this.#execute(memberId, trigger, build, resumed, abort.signal));
    const running: Running = { claimed, done, abort };
    this.#running.set(memberId, running);
    const release = (): void => {
      if (this.#running.get(memberId) === running) this.#running.delete(memberId);
    };
    done.then(release, release);
    // Callers observe `claimed` through `done`; this keeps an early rejection from counting as unhandled.
    claimed.catch(() => undefined);
    return running;
  }

  /** Takes the portal's build lease (see BuildLedger.claim) once the portal is known to be installed. */
  async #claim(memberId: string, trigger: SyncTrigger): Promise<{ build: BuildCheckpoint; resumed: boolean }> {
    const info = await this.#deps.portalInfo(memberId);
    if (info?.installed !== true) throw new NotInstalledError();
    const claimed = await this.#ledger.claim(memberId, trigger, info.scopes);
    const { build, resumed } = claimed;
    this.#deps.logger.info({ memberId, generation: build.generation, trigger, resumed, phase: build.phase }, 'directory sync started');
    return claimed;
  }

  async #execute(memberId: string, trigger: SyncTrigger, claimed: BuildCheckpoint, resumed: boolean, signal: AbortSignal): Promise<SyncReport> {
    const startedAt = this.#deps.clock.now();
    const run = new SyncRun(
      {
        memberId,
        store: this.#store,
        client: () => this.#deps.clientFor(memberId),
        budget: this.#deps.budgetFor?.(memberId),
        logger: this.#deps.logger,
        signal,
        hooks: this.#options.hooks,
        maxBatchRetries: this.#options.maxBatchRetries,
        retryDelayMs: this.#options.retryDelayMs,
        sleep: this.#options.sleep,
        checkpoint: async (build, chunk) => {
          // After a purge nothing may be written for the portal again.
          if (signal.aborted) throw new SyncAbortedError();
          return this.#ledger.checkpoint(memberId, build, chunk);
        },
      },
      claimed,
    );
    try {
      const { requests } = await run.run();
      if (signal.aborted) throw new SyncAbortedError();
      const report = await this.#ledger.flip(memberId, trigger, run.build, { startedAt, requests, resumed });
      this.#deps.logger.info({ ...report }, 'directory sync finished');
      return report;
    } catch (error: unknown) {
      if (!(error instanceof SyncAbortedError) && !(error instanceof SyncLeaseLostError)) {
        await this.#ledger.recordFailure(memberId, run.build, error).catch((recordError: unknown) => {
          this.#deps.logger.error({ memberId, err: recordError }, 'could not record the directory sync failure');
        });
      }
      this.#deps.logger.warn({ memberId, err: error, generation: run.build.generation, phase: run.build.phase }, 'directory sync failed');
      throw error;
    }
  }
}
