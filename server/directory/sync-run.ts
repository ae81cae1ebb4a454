import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import { kindOf } from '../bitrix/bitrix-error.js';
import type { RateBudget, Sleep } from '../bitrix/rate-budget.js';
import type { BitrixClient } from '../bitrix/sdk-client.js';
import { sendBatch } from './batch.js';
import { frozenBuild, type BuildCheckpoint } from './build-ledger.js';
import type { ChunkCounts, ChunkKind, DirectoryCounts, PendingChunk, SyncPhase } from './directory-documents.js';
import type { DirectoryRepository } from './directory-repository.js';
import type { SendBatch, TimeSink } from './paging.js';
import type { FailedCommand, Page, Pages, PhaseContext } from './phase-pages.js';
import { phasePages } from './sync-phases.js';

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
  /**
   * Writes the chunk, then the build (the checkpoint), renewing the lease; returns the build as stored. Throws when
   * the lease was lost.
   */
  checkpoint: (build: BuildCheckpoint, chunk?: PendingChunk) => Promise<BuildCheckpoint>;
}

/** The phase after each one; the run ends with the workgroup members. */
const NEXT_PHASE: Record<SyncPhase, SyncPhase | undefined> = {
  departments: 'users',
  users: 'workgroups',
  workgroups: 'workgroup-members',
  'workgroup-members': undefined,
};

/** The count each chunk kind adds to (members are not counted). */
const COUNTED: Record<ChunkKind, keyof DirectoryCounts | undefined> = {
  d: 'departments',
  u: 'users',
  g: 'workgroups',
  m: undefined,
};

/**
 * Worth another try: Bitrix24 failed on its side or could not be reached (a transport failure, a malformed
 * answer), or the portal's bucket was still full after the budget's own waits. Refusals are not.
 */
function isTransient(error: unknown): boolean {
  const kind = kindOf(error);
  return kind === 'transient' || kind === 'rate_limited';
}

/**
 * One run of a build, from its checkpoint to the end of its last phase: departments → users → workgroups →
 * workgroup members. The phases (sync-phases.ts) yield one page per request; this loop is the only
 * consumer: it commits every page — its rows as one chunk of the build's generation, then a new checkpoint
 * value (phase, cursor, counts, requests) — and applies the retry policy. Memory holds one batch at a time
 * and a crash loses at most one request.
 */
export class SyncRun {
  readonly #deps: SyncRunDeps;
  /** Requests of the build before this run (a resumed build counts those of earlier runs too). */
  readonly #requestsBefore: number;
  /** The build as last checkpointed, or being checkpointed (a failure is logged with its phase). */
  #build: BuildCheckpoint;
  /** HTTP requests this run sent. */
  #requests = 0;
  /** Failed requests in a row (a page without a failed command ends the row). */
  #failures = 0;
  /** Batches in a row whose command waited for the operating limit. */
  #operatingWaits = 0;

  constructor(deps: SyncRunDeps, build: BuildCheckpoint) {
    this.#deps = deps;
    this.#build = build;
    this.#requestsBefore = build.requests;
  }

  /** The latest build value: what the caller flips to current, or records the failure of. */
  get build(): BuildCheckpoint {
    return this.#build;
  }

  /** Runs every phase left; resolves with the HTTP requests this run sent. */
  async run(): Promise<{ requests: number }> {
    const context: PhaseContext = {
      memberId: this.#deps.memberId,
      store: this.#deps.store,
      logger: this.#deps.logger,
      send: this.#send,
      onTime: this.#onTime,
    };
    for (;;) {
      const { phase, workgroups } = this.#build;
      if ((phase === 'workgroups' || phase === 'workgroup-members') && !workgroups.available) break;
      // Each phase's pages end once its last page is committed; the stored build then names the next phase
      // (or, for users whose cursor was ignored, offset paging).
      await this.#consume(phasePages(context, this.#build));
      if (phase === 'workgroup-members') break;
    }
    return { requests: this.#requests };
  }

  async #consume(pages: Pages): Promise<void> {
    try {
      for (;;) {
        // Checked before every request, and before a phase reads what it stored: a purge may be under way.
        this.#throwIfAborted();
        const next = await pages.next();
        if (next.done === true) return;
        await this.#take(next.value);
      }
    } finally {
      await pages.return(undefined);
    }
  }

  async #take(page: Page): Promise<void> {
    const build = this.#build;
    switch (page.kind) {
      case 'request-failed':
        // Nothing to store; the phase sends the same request when asked for its next page.
        if (!isTransient(page.error)) throw page.error;
        await this.#backOff(page.error);
        return;
      case 'repaged':
        await this.#commit({ ...build, cursor: page.cursor, requests: this.#requestsSoFar() });
        return;
      case 'unavailable':
        await this.#commit({
          ...build,
          workgroups: page.workgroups,
          counts: { ...build.counts, workgroups: 0 },
          requests: this.#requestsSoFar(),
        });
        return;
      case 'rows': {
        const { chunk, cursor, done, commandFailed } = page;
        const counted = COUNTED[chunk.kind];
        const counts =
          counted === undefined
            ? build.counts
            : { ...build.counts, [counted]: build.counts[counted] + chunk.rows.length };
        const next = done ? NEXT_PHASE[build.phase] : undefined;
        // A new phase starts at its beginning; how users are paged stays decided for the whole build.
        const where =
          next === undefined ? { cursor } : { phase: next, cursor: { ...cursor, start: 0, total: null, afterId: 0 } };
        // Rows before a failed command are stored before the failure is judged: the next request starts after them.
        await this.#commit({ ...build, ...where, counts, requests: this.#requestsSoFar() }, chunk);
        if (commandFailed === undefined) this.#succeeded();
        else await this.#commandFailed(commandFailed);
        return;
      }
    }
  }

  /** Stores `next` (and the chunk) as the checkpoint, then lets the hook see it. */
  async #commit(next: BuildCheckpoint, chunk?: PendingChunk): Promise<void> {
    this.#build = frozenBuild(next);
    this.#build = await this.#deps.checkpoint(this.#build, chunk);
    const { phase, requests, chunks } = this.#build;
    await this.#deps.hooks.afterBatch?.({ phase, requests, chunks: { ...chunks } });
  }

  /**
   * A command failed before the end of the data. The rows before it are already stored; the next request
   * starts from the cursor. The operating limit waits in the budget; other errors are retried a few times.
   */
  async #commandFailed({ method, error }: FailedCommand): Promise<void> {
    const budget = this.#deps.budget;
    if (kindOf(error) === 'operation_limit' && budget !== undefined) {
      this.#operatingWaits++;
      if (this.#operatingWaits >= budget.maxAttempts) throw error;
      budget.noteOperatingLimit(method);
      await budget.waitForMethod(method);
      return;
    }
    if (!isTransient(error)) throw error;
    await this.#backOff(error);
  }

  #succeeded(): void {
    this.#failures = 0;
    this.#operatingWaits = 0;
  }

  /** Bounded retries with a delay growing with each failure in a row. */
  async #backOff(error: unknown): Promise<void> {
    this.#failures++;
    if (this.#failures > this.#deps.maxBatchRetries) throw error;
    this.#deps.logger.warn(
      { memberId: this.#deps.memberId, err: error, phase: this.#build.phase, attempt: this.#failures },
      'directory sync request failed; retrying',
    );
    await this.#deps.sleep(this.#deps.retryDelayMs * this.#failures);
  }

  #requestsSoFar(): number {
    return this.#requestsBefore + this.#requests;
  }

  #throwIfAborted(): void {
    if (this.#deps.signal.aborted) throw new SyncAbortedError();
  }

  readonly #onTime: TimeSink = (method, time) => this.#deps.budget?.noteTime(method, time);

  /**
   * `user.get` has no `select` in the rest module (the emulator, which imitates it, ignores one), so rows
   * come with every field the scope shows and are cut down to the stored fields as soon as they arrive.
   */
  readonly #send: SendBatch = async (cmd, fields) => {
    this.#throwIfAborted();
    const client = await this.#deps.client();
    let sent = 0;
    try {
      return await sendBatch(client, cmd, { onRequest: () => sent++, ...(fields === undefined ? {} : { fields }) });
    } finally {
      this.#requests += Math.max(1, sent);
    }
  };
}
