import type { Logger } from './logger.js';

/**
 * Work started after a response was sent (Bitrix24 wants event handlers to answer fast). Failures are
 * logged, never thrown into the void; `idle()` lets tests and shutdown wait for what is running.
 */
export class BackgroundTasks {
  readonly #logger: Logger;
  readonly #running = new Set<Promise<void>>();

  constructor(deps: { logger: Logger }) {
    this.#logger = deps.logger;
  }

  run(name: string, work: () => Promise<unknown>): void {
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

  /** Resolves once every task started so far (and any they started) has settled. */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.all([...this.#running]);
  }
}
