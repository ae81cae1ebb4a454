import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import { kindOf } from '../bitrix/bitrix-error.js';
import type { RateBudget, Sleep } from '../bitrix/rate-budget.js';
import type { BitrixClient } from '../bitrix/sdk-client.js';
import { BatchCommandError } from './batch.js';
import type { ChunkCounts, DirectoryRepository, PendingChunk, SyncBuild, SyncPhase } from './directory-repository.js';
import { CursorIgnoredError } from './paging.js';

/** Test and benchmark hooks of a sync run. */
export interface SyncHooks {
  /**
   * Called after each request's chunk and checkpoint were written. Throwing here stops the run as a crash
   * would (the checkpoint stays); tests use it to prove resuming.
   */
  afterBatch?: (progress: { phase: SyncPhase; requests: number; chunks: ChunkCounts }) => void | Promise<void>;
}

/** The run was cancelled (the portal is being purged). */
export class SyncAbortedError extends AppError {
  constructor() {
    super('SYNC_ABORTED', 409, 'The directory sync was cancelled.');
  }
}

export interface SyncRunDeps {
  memberId: string;
  store: DirectoryRepository;
  /** The portal's client; asked before every request, so a token renewed or a reinstall elsewhere is picked up. */
  client: () => Promise<BitrixClient>;
  /** Present when requests go through a rate budget: batch commands refused by the operating limit wait there. */
  budget: RateBudget | undefined;
  logger: Logger;
  signal: AbortSignal;
  hooks: SyncHooks;
  /** Retries of one request after a failed command or a transport error (default 2). */
  maxBatchRetries: number;
  retryDelayMs: number;
  sleep: Sleep;
  /** Writes the chunk, then the build (the checkpoint), renewing the lease; throws when the lease was lost. */
  checkpoint: (build: SyncBuild, chunk?: PendingChunk) => Promise<void>;
}

/**
 * Worth another try: Bitrix24 failed on its side or could not be reached (a transport failure, a malformed
 * answer), or the portal's bucket was still full after the budget's own waits. Refusals are not.
 */
function isTransient(error: unknown): boolean {
  const kind = kindOf(error);
  return kind === 'transient' || kind === 'rate_limited';
}

/** Retry bookkeeping shared by the steps of one run. */
export class Stepper {
  readonly #deps: SyncRunDeps;
  readonly #build: SyncBuild;
  #failures = 0;
  #operatingWaits = 0;
  /** IDs already stored by the current phase (offset de-duplication, the group list), loaded once per run. */
  #ids: { phase: SyncPhase; ids: Set<number> } | undefined;

  constructor(deps: SyncRunDeps, build: SyncBuild) {
    this.#deps = deps;
    this.#build = build;
  }

  /** Runs one request; transient failures are retried (bounded), the rest thrown. Returns undefined to retry. */
  async attempt<T>(work: () => Promise<T>): Promise<T | undefined> {
    try {
      return await work();
    } catch (error: unknown) {
      if (error instanceof CursorIgnoredError || !isTransient(error)) throw error;
      await this.#afterFailure(error);
      return undefined;
    }
  }

  /**
   * A command failed before the end of the data. The rows before it are already stored; the next request
   * starts from the cursor. The operating limit waits in the budget; other errors are retried a few times.
   */
  async commandFailed(method: string, error: BatchCommandError): Promise<void> {
    if (error.kind === 'operation_limit' && this.#deps.budget !== undefined) {
      this.#operatingWaits++;
      if (this.#operatingWaits >= this.#deps.budget.maxAttempts) throw error;
      this.#deps.budget.noteOperatingLimit(method);
      await this.#deps.budget.waitForMethod(method);
      return;
    }
    if (!isTransient(error)) throw error;
    await this.#afterFailure(error);
  }

  succeeded(): void {
    this.#failures = 0;
    this.#operatingWaits = 0;
  }

  async #afterFailure(error: unknown): Promise<void> {
    this.#failures++;
    if (this.#failures > this.#deps.maxBatchRetries) throw error;
    this.#deps.logger.warn({ memberId: this.#deps.memberId, err: error, phase: this.#build.phase, attempt: this.#failures }, 'directory sync request failed; retrying');
    await this.#deps.sleep(this.#deps.retryDelayMs * this.#failures);
  }

  /** Writes the request's rows as the next chunk and the checkpoint, then lets the hook see it. */
  async commit(chunk?: PendingChunk): Promise<void> {
    await this.#deps.checkpoint(this.#build, chunk);
    await this.#deps.hooks.afterBatch?.({ phase: this.#build.phase, requests: this.#build.requests, chunks: { ...this.#build.chunks } });
  }

  /** The IDs stored by `phase` so far, loaded from its chunks once per run and then kept up to date by paging. */
  async idsOf(phase: SyncPhase, load: () => Promise<number[]>): Promise<Set<number>> {
    if (this.#ids?.phase !== phase) this.#ids = { phase, ids: new Set(await load()) };
    return this.#ids.ids;
  }
}

