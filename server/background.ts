import type { Logger } from './logger.js';

/** Tasks running at once past which optional ones are refused (a flood must not grow memory without end). */
const DEFAULT_MAX_RUNNING = 1000;

/** What the task list holds, for `/readyz`. */
export interface BackgroundStats {
  running: number;
  /** Optional tasks refused because too many were running. */
  dropped: number;
}

/**
 * Work started after a response was sent (Bitrix24 wants event handlers to answer fast). Failures are
 * logged, never thrown into the void; `idle()` lets tests and shutdown wait for what is running.
 *
 * Bounded: past `maxRunning` tasks, optional work (refreshing one user, remembering an admin, marking a portal
 * in use — all done again later anyway) is refused and counted; `essential` work (storing an installation,
 * purging a portal, a sync someone asked for) always runs, so nothing that must happen is lost.
 */
export class BackgroundTasks {
  readonly #logger: Logger;
  readonly #maxRunning: number;
  readonly #running = new Set<Promise<void>>();
  #dropped = 0;

  constructor(deps: { logger: Logger; maxRunning?: number }) {
    this.#logger = deps.logger;
    this.#maxRunning = deps.maxRunning ?? DEFAULT_MAX_RUNNING;
  }

  run(name: string, work: () => Promise<unknown>, options: { essential?: boolean } = {}): void {
    if (options.essential !== true && this.#running.size >= this.#maxRunning) {
      this.#dropped++;
      // One line per hundred refusals: a flood must not flood the log too.
      if (this.#dropped % 100 === 1)
        this.#logger.warn({ task: name, dropped: this.#dropped }, 'background work refused: too many tasks running');
      return;
    }
    const task = (async () => {
      try {
        await work();
      } catch (error: unknown) {
        this.#logger.error({ err: error, task: name }, 'background task failed');
      }
    })();
    this.#running.add(task);
    void task.finally(() => this.#running.delete(task));
  }

  get stats(): BackgroundStats {
    return { running: this.#running.size, dropped: this.#dropped };
  }

  /** Resolves once every task started so far (and any they started) has settled. */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.all([...this.#running]);
  }
}
