import { NotInstalledError } from '../portals/installation-state.js';
import { SyncLeaseLostError, SyncRunningError, type BuildCheckpoint, type BuildLedger } from './build-ledger.js';
import type { DirectoryDeps, DirectoryOptions } from './directory-deps.js';
import type { SyncTrigger } from './directory-documents.js';
import type { DirectoryRepository } from './directory-repository.js';
import { SyncAbortedError, SyncRun } from './sync-run.js';
import type { SyncReport } from './sync-status.js';

export type SyncRunnerDeps = Pick<
  DirectoryDeps,
  'clock' | 'logger' | 'background' | 'clientFor' | 'portalInfo' | 'budgetFor'
> & {
  store: DirectoryRepository;
  ledger: BuildLedger;
  options: Pick<DirectoryOptions, 'hooks' | 'maxBatchRetries' | 'retryDelayMs' | 'sleep' | 'purgeWaitMs'>;
};

interface Running {
  claimed: Promise<{ build: BuildCheckpoint; resumed: boolean }>;
  done: Promise<SyncReport>;
  abort: AbortController;
}

/**
 * The full syncs this process runs, at most one per portal: takes the build lease, runs the build
 * (SyncRun), flips it to current or records its failure, and stops a portal's sync when asked.
 */
export class SyncRunner {
  readonly #deps: SyncRunnerDeps;
  readonly #running = new Map<string, Running>();

  constructor(deps: SyncRunnerDeps) {
    this.#deps = deps;
  }

  /** Whether this process runs a sync of the portal. */
  isRunning(memberId: string): boolean {
    return this.#running.has(memberId);
  }

  /**
   * Starts a sync in the background unless one of this portal is already running (here or, by its lease,
   * on another instance). Resolves to whether it started; never throws.
   */
  async start(memberId: string, trigger: SyncTrigger): Promise<boolean> {
    if (this.#running.has(memberId)) return false;
    const running = this.#begin(memberId, trigger);
    // Already running: the task only lets idle() (tests, shutdown) wait for it.
    this.#deps.background.run(
      `directory sync ${memberId}`,
      async () => {
        // The outcome is recorded in the meta document and logged by the run itself.
        await running.done.catch(() => undefined);
      },
      { essential: true },
    );
    try {
      await running.claimed;
      return true;
    } catch (error: unknown) {
      if (!(error instanceof SyncRunningError))
        this.#deps.logger.warn({ memberId, err: error }, 'directory sync did not start');
      return false;
    }
  }

  /** Runs a sync and resolves with its report; joins the sync of this portal already running here. */
  run(memberId: string, trigger: SyncTrigger): Promise<SyncReport> {
    return (this.#running.get(memberId) ?? this.#begin(memberId, trigger)).done;
  }

  /** Cancels the portal's running sync and waits for it to stop, at most `purgeWaitMs`. */
  async stop(memberId: string): Promise<void> {
    const running = this.#running.get(memberId);
    if (running === undefined) return;
    running.abort.abort();
    const settled = running.done.then(
      () => undefined,
      () => undefined,
    );
    await Promise.race([
      settled,
      new Promise<void>((resolve) => setTimeout(resolve, this.#deps.options.purgeWaitMs).unref()),
    ]);
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
    const claimed = await this.#deps.ledger.claim(memberId, trigger, info.scopes);
    const { build, resumed } = claimed;
    this.#deps.logger.info(
      { memberId, generation: build.generation, trigger, resumed, phase: build.phase },
      'directory sync started',
    );
    return claimed;
  }

  async #execute(
    memberId: string,
    trigger: SyncTrigger,
    claimed: BuildCheckpoint,
    resumed: boolean,
    signal: AbortSignal,
  ): Promise<SyncReport> {
    const { ledger, logger, options } = this.#deps;
    const startedAt = this.#deps.clock.now();
    const run = new SyncRun(
      {
        memberId,
        store: this.#deps.store,
        client: () => this.#deps.clientFor(memberId),
        budget: this.#deps.budgetFor?.(memberId),
        logger,
        signal,
        hooks: options.hooks,
        maxBatchRetries: options.maxBatchRetries,
        retryDelayMs: options.retryDelayMs,
        sleep: options.sleep,
        checkpoint: async (build, chunk) => {
          // After a purge nothing may be written for the portal again.
          if (signal.aborted) throw new SyncAbortedError();
          return ledger.checkpoint(memberId, build, chunk);
        },
      },
      claimed,
    );
    try {
      const { requests } = await run.run();
      if (signal.aborted) throw new SyncAbortedError();
      const report = await ledger.flip(memberId, trigger, run.build, { startedAt, requests, resumed });
      logger.info({ ...report }, 'directory sync finished');
      return report;
    } catch (error: unknown) {
      if (!(error instanceof SyncAbortedError) && !(error instanceof SyncLeaseLostError)) {
        await ledger.recordFailure(memberId, run.build, error).catch((recordError: unknown) => {
          logger.error({ memberId, err: recordError }, 'could not record the directory sync failure');
        });
      }
      logger.warn(
        { memberId, err: error, generation: run.build.generation, phase: run.build.phase },
        'directory sync failed',
      );
      throw error;
    }
  }
}
