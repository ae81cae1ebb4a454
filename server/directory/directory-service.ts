import { randomUUID } from 'node:crypto';
import type { RequestPriority } from '../bitrix/rate-budget.js';
import type { PortalDataOwner } from '../portals/data-owner.js';
import { InProcessLocks, type Locks } from '../store/locks.js';
import { BuildLedger } from './build-ledger.js';
import { DEFAULT_DIRECTORY_OPTIONS, type DirectoryDeps, type DirectoryOptions } from './directory-deps.js';
import { type SyncTrigger } from './directory-documents.js';
import { DocumentDirectoryRepository, type DirectoryRepository } from './directory-repository.js';
import type { DirectoryUser } from './records.js';
import { InProcessOnceKeys } from '../store/once-keys.js';
import { ReconcileSchedule } from './reconcile-schedule.js';
import { SnapshotCache } from './snapshot-cache.js';
import type { DirectorySnapshot } from './snapshot.js';
import { SyncRunner } from './sync-runner.js';
import { syncStatus, workgroupAvailability, type SyncReport, type SyncStatus } from './sync-status.js';
import { UserUpdates } from './user-updates.js';

export type { DirectoryDeps, DirectoryOptions, DirectoryPortalInfo } from './directory-deps.js';

/**
 * The directory mirror of every portal: full syncs into generations (atomic flip, resumable, one at a
 * time per portal), incremental updates in an overlay, snapshots for readers, and the scheduled reconcile.
 * This facade wires the parts together: SyncRunner (full syncs), UserUpdates (the overlay),
 * ReconcileSchedule, BuildLedger (the meta document) and SnapshotCache.
 */
export class DirectoryService implements PortalDataOwner {
  /** Identifies this instance as the owner of the build leases it takes. */
  readonly instanceId = randomUUID();
  readonly #deps: DirectoryDeps;
  readonly #store: DirectoryRepository;
  readonly #locks: Locks;
  readonly #snapshots: SnapshotCache;
  readonly #ledger: BuildLedger;
  readonly #syncs: SyncRunner;
  readonly #updates: UserUpdates;
  readonly #schedule: ReconcileSchedule;
  readonly #autoSync: boolean;

  constructor(deps: DirectoryDeps) {
    const options: DirectoryOptions = { ...DEFAULT_DIRECTORY_OPTIONS, ...deps.options };
    this.#deps = deps;
    this.#autoSync = options.autoSync;
    this.#store = new DocumentDirectoryRepository({ documents: deps.documents, cacheReads: deps.cacheReads ?? true });
    this.#locks = deps.locks ?? new InProcessLocks();
    this.#snapshots = new SnapshotCache(this.#store, options.maxCachedPortals);
    this.#ledger = new BuildLedger({
      store: this.#store,
      locks: this.#locks,
      clock: deps.clock,
      logger: deps.logger,
      owner: this.instanceId,
      leaseMs: options.leaseMs,
      checkpointMaxAgeMs: options.checkpointMaxAgeMs,
    });
    // Each part gets what it uses; calls go through `deps`, so deps written as methods keep their `this`.
    const { clock, logger, background } = deps;
    const clientFor = (memberId: string) => deps.clientFor(memberId);
    const portalInfo = (memberId: string) => deps.portalInfo(memberId);
    this.#syncs = new SyncRunner({
      clock,
      logger,
      background,
      clientFor,
      portalInfo,
      budgetFor: (memberId) => deps.budgetFor?.(memberId),
      store: this.#store,
      ledger: this.#ledger,
      options,
    });
    this.#updates = new UserUpdates({
      clock,
      logger,
      background,
      clientFor,
      portalInfo,
      store: this.#store,
      locks: this.#locks,
      snapshot: (memberId) => this.snapshot(memberId),
      sleep: options.sleep,
    });
    this.#schedule = new ReconcileSchedule({
      clock,
      logger,
      background,
      listPortals: (usedSince) => deps.listPortals(usedSince),
      store: this.#store,
      runSync: (memberId, trigger) => this.runSync(memberId, trigger),
      intervalMs: options.scheduleIntervalMs,
      initialDelayMs: options.scheduleInitialDelayMs,
      inUseMs: options.scheduleInUseMs,
      onceKeys: deps.onceKeys ?? new InProcessOnceKeys({ clock }),
    });
  }

  /** An installation was just stored: its first sync starts (the installer shows its progress). */
  installed(memberId: string): void {
    if (this.#autoSync) void this.startSync(memberId, 'install');
  }

  /**
   * Starts a sync in the background unless one of this portal is already running (here or, by its lease,
   * on another instance). Resolves to whether it started; never throws.
   */
  startSync(memberId: string, trigger: SyncTrigger): Promise<boolean> {
    return this.#syncs.start(memberId, trigger);
  }

  /** Runs a sync and resolves with its report; joins the sync of this portal already running here. */
  runSync(memberId: string, trigger: SyncTrigger): Promise<SyncReport> {
    return this.#syncs.run(memberId, trigger);
  }

  async status(memberId: string): Promise<SyncStatus> {
    const [meta, info] = await Promise.all([this.#store.meta(memberId), this.#deps.portalInfo(memberId)]);
    const status = syncStatus(meta, {
      now: this.#deps.clock.now(),
      running: this.#syncs.isRunning(memberId),
      scopes: info?.scopes ?? [],
    });
    // The sync's own counts are of records fetched (fired users included); screens count what the directory
    // lists, from the snapshot (cached per generation, so this is a lookup after the first call).
    if (meta.current !== null) status.shown = shownCounts(await this.snapshot(memberId));
    return status;
  }

  /** The current generation plus incremental updates, cached per portal, generation and overlay revision. */
  async snapshot(memberId: string): Promise<DirectorySnapshot> {
    for (let attempt = 1; ; attempt++) {
      const [meta, overlay] = await Promise.all([
        this.#store.currentMeta(memberId),
        this.#store.currentOverlay(memberId),
      ]);
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

  /** See UserUpdates.upsertUser. */
  upsertUser(memberId: string, raw: unknown): Promise<DirectoryUser | undefined> {
    return this.#updates.upsertUser(memberId, raw);
  }

  /** See UserUpdates.refreshOpener. */
  refreshOpener(memberId: string, userId: number): void {
    this.#updates.refreshOpener(memberId, userId);
  }

  /** See UserUpdates.refreshUser. */
  refreshUser(memberId: string, userId: number, priority?: RequestPriority): Promise<DirectoryUser | undefined> {
    return this.#updates.refreshUser(memberId, userId, priority);
  }

  /** An event's refresh, which waits out a busy portal (see UserUpdates.refreshFromEvent). */
  refreshFromEvent(memberId: string, userId: number): Promise<DirectoryUser | undefined> {
    return this.#updates.refreshFromEvent(memberId, userId);
  }

  /** Deletes everything mirrored of a portal (uninstall with "clear data"), stopping its sync first. */
  async purgePortal(memberId: string): Promise<void> {
    await this.#syncs.stop(memberId);
    await this.#ledger.purge(memberId);
    await this.#locks.withLock(memberId, 'overlay', () => this.#store.deleteOverlay(memberId));
    this.#snapshots.forget(memberId);
  }

  /** See ReconcileSchedule.syncIfIdle: resolves to whether a sync started. */
  syncIfIdle(memberId: string): Promise<boolean> {
    if (!this.#autoSync) return Promise.resolve(false);
    return this.#schedule.syncIfIdle(memberId, (id) => this.startSync(id, 'open'));
  }

  /** See ReconcileSchedule.start. */
  startSchedule(intervalMs?: number): void {
    this.#schedule.start(intervalMs);
  }

  stopSchedule(): void {
    this.#schedule.stop();
  }

  /** One reconcile pass: syncs, one portal after another, every active portal not synced within `freshForMs`. */
  reconcile(freshForMs?: number): Promise<void> {
    return this.#schedule.reconcile(freshForMs);
  }
}

const shownBySnapshot = new WeakMap<DirectorySnapshot, { users: number; activeUsers: number; departments: number }>();

/** What the directory lists of a snapshot: every user, the active ones (its default), every department. */
function shownCounts(snapshot: DirectorySnapshot): { users: number; activeUsers: number; departments: number } {
  let counts = shownBySnapshot.get(snapshot);
  if (counts === undefined) {
    let activeUsers = 0;
    for (const user of snapshot.users.values()) if (user.active) activeUsers += 1;
    counts = { users: snapshot.users.size, activeUsers, departments: snapshot.departments.size };
    shownBySnapshot.set(snapshot, counts);
  }
  return counts;
}
