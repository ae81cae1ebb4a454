import type { DirectoryDeps } from './directory-deps.js';
import type { SyncTrigger } from './directory-documents.js';
import type { DirectoryRepository } from './directory-repository.js';
import type { SyncReport } from './sync-status.js';
import type { OnceKeys } from '../store/once-keys.js';

export type ReconcileScheduleDeps = Pick<DirectoryDeps, 'clock' | 'logger' | 'background' | 'listPortals'> & {
  store: DirectoryRepository;
  /** Runs a portal's sync, or joins the one running here. */
  runSync: (memberId: string, trigger: SyncTrigger) => Promise<SyncReport>;
  intervalMs: number;
  initialDelayMs: number;
  /** Only portals opened (or installed) within this window are visited. */
  inUseMs: number;
  /** A number in [0, 1) for the timer's jitter (Math.random unless a test fixes it). */
  random?: () => number;
  /** The lease of a scheduled pass, shared by the instances (their event memory). */
  onceKeys: OnceKeys;
};

/** The schedule looks for due portals this many times per interval, so their syncs do not all fall on one tick. */
const TICKS_PER_INTERVAL = 4;
/** Each portal's mirror is refreshed when its age passes the interval times 0.9 to 1.1, fixed per portal. */
const SPREAD = 0.2;

/**
 * The scheduled reconcile: Bitrix24 sends no event when a user moves or leaves, so a portal in use is synced
 * again once its mirror is older than the interval. Not a token-renewal timer: Bitrix24 asks apps not to renew on
 * a schedule (settings/oauth/auto-renewal.md), so portals nobody has opened for a while, and installations
 * waiting for an uninstall to be confirmed, are left alone (a token is renewed only when a sync needs one). Due
 * times are spread: each portal gets its own share of the interval, and the timer itself wanders, so neither
 * many portals nor several instances fall on the same moment. The first pass also resumes builds a crash left
 * behind (their lease has run out).
 */
export class ReconcileSchedule {
  readonly #deps: ReconcileScheduleDeps;
  #timer: NodeJS.Timeout | undefined;
  #running = false;
  #reconciling = false;

  constructor(deps: ReconcileScheduleDeps) {
    this.#deps = deps;
  }

  /** Looks for due portals a few times per `intervalMs` (±25%), the first time after the initial delay. */
  start(intervalMs = this.#deps.intervalMs): void {
    if (this.#running) return;
    this.#running = true;
    const random = this.#deps.random ?? Math.random;
    const schedule = (delay: number): void => {
      this.#timer = setTimeout(() => {
        this.#deps.background.run('directory reconcile', async () => {
          try {
            await this.#scheduledPass(intervalMs);
          } finally {
            if (this.#running) schedule((intervalMs / TICKS_PER_INTERVAL) * (0.75 + random() * 0.5));
          }
        });
      }, delay);
      this.#timer.unref();
    };
    schedule(Math.min(this.#deps.initialDelayMs, intervalMs));
  }

  stop(): void {
    this.#running = false;
    clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /**
   * A pass of the timer, on one instance at a time: the first to take the pass's lease runs it, the others skip
   * this tick (each portal's sync has its own lease too, so an overlap would cost reads, not syncs).
   */
  async #scheduledPass(intervalMs: number): Promise<void> {
    const leaseMs = (intervalMs / TICKS_PER_INTERVAL) * 0.7;
    if (!(await this.#deps.onceKeys.first('directory-reconcile', leaseMs))) return;
    await this.reconcile(intervalMs);
  }

  /**
   * Someone opened the app: a mirror the reconcile left alone while the portal was idle (or never completed) is
   * synced again, in the background; a sync already running anywhere is joined by its lease.
   */
  async syncIfIdle(memberId: string, start: (memberId: string) => Promise<boolean>): Promise<boolean> {
    const meta = await this.#deps.store.meta(memberId);
    if (meta.build !== null) return false;
    const age = meta.current === null ? Number.POSITIVE_INFINITY : this.#deps.clock.now() - meta.current.completedAt;
    return age >= this.#deps.intervalMs * IDLE_AGE_FACTOR ? start(memberId) : false;
  }

  /** One pass: syncs, one portal after another, every portal in use whose mirror is older than its due age. */
  async reconcile(freshForMs = this.#deps.intervalMs): Promise<void> {
    if (this.#reconciling) return;
    this.#reconciling = true;
    try {
      const { clock, store, logger } = this.#deps;
      for (const memberId of await this.#deps.listPortals(clock.now() - this.#deps.inUseMs)) {
        const meta = await store.meta(memberId);
        const age = meta.current === null ? Number.POSITIVE_INFINITY : clock.now() - meta.current.completedAt;
        if (meta.build === null && age < freshForMs * dueShare(memberId)) continue;
        try {
          await this.#deps.runSync(memberId, 'schedule');
        } catch (error: unknown) {
          logger.warn({ memberId, err: error }, 'scheduled directory sync failed');
        }
      }
    } finally {
      this.#reconciling = false;
    }
  }
}

/** A mirror this much older than the interval was skipped by the reconcile (idle portal): an open refreshes it. */
const IDLE_AGE_FACTOR = 2;

/** The portal's fixed share of the interval, in [1 - SPREAD/2, 1 + SPREAD/2), from its member id. */
export function dueShare(memberId: string): number {
  let hash = 2166136261;
  for (let i = 0; i < memberId.length; i++) hash = Math.imul(hash ^ memberId.charCodeAt(i), 16777619) >>> 0;
  return 1 - SPREAD / 2 + (hash / 2 ** 32) * SPREAD;
}
