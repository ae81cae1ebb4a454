import type { DirectoryDeps } from './directory-deps.js';
import type { SyncTrigger } from './directory-documents.js';
import type { DirectoryRepository } from './directory-repository.js';
import type { SyncReport } from './sync-status.js';

export type ReconcileScheduleDeps = Pick<DirectoryDeps, 'clock' | 'logger' | 'background' | 'listPortals'> & {
  store: DirectoryRepository;
  /** Runs a portal's sync, or joins the one running here. */
  runSync: (memberId: string, trigger: SyncTrigger) => Promise<SyncReport>;
  intervalMs: number;
  initialDelayMs: number;
};

/**
 * The hourly reconcile: Bitrix24 sends no event when a user moves or leaves, so every active portal is
 * synced again once its mirror is older than the interval. The first pass also resumes builds a crash left
 * behind (their lease has run out).
 */
export class ReconcileSchedule {
  readonly #deps: ReconcileScheduleDeps;
  #timers: NodeJS.Timeout[] = [];
  #reconciling = false;

  constructor(deps: ReconcileScheduleDeps) {
    this.#deps = deps;
  }

  /** Reconciles every `intervalMs`, the first pass after the initial delay (or the interval, if shorter). */
  start(intervalMs = this.#deps.intervalMs): void {
    if (this.#timers.length > 0) return;
    const tick = (): void => this.#deps.background.run('directory reconcile', () => this.reconcile(intervalMs));
    const first = setTimeout(tick, Math.min(this.#deps.initialDelayMs, intervalMs));
    const every = setInterval(tick, intervalMs);
    first.unref();
    every.unref();
    this.#timers = [first, every];
  }

  stop(): void {
    for (const timer of this.#timers) clearTimeout(timer);
    this.#timers = [];
  }

  /** One pass: syncs, one portal after another, every active portal not synced within `freshForMs`. */
  async reconcile(freshForMs = this.#deps.intervalMs): Promise<void> {
    if (this.#reconciling) return;
    this.#reconciling = true;
    try {
      for (const memberId of await this.#deps.listPortals()) {
        const meta = await this.#deps.store.meta(memberId);
        const age =
          meta.current === null ? Number.POSITIVE_INFINITY : this.#deps.clock.now() - meta.current.completedAt;
        // A little slack, so a sync that finished just before the previous tick is not skipped twice.
        if (meta.build === null && age < freshForMs * 0.9) continue;
        try {
          await this.#deps.runSync(memberId, 'schedule');
        } catch (error: unknown) {
          this.#deps.logger.warn({ memberId, err: error }, 'scheduled directory sync failed');
        }
      }
    } finally {
      this.#reconciling = false;
    }
  }
}
