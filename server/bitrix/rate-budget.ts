import type { Clock } from '../clock.js';
import { UnavailableError } from '../errors.js';
import { kindOf } from './bitrix-error.js';

/**
 * Bitrix24's request limit of one portal: a leaky bucket that gains one per HTTP request (a `batch` is
 * one) and drains at a fixed rate; above the burst the portal answers 503 `QUERY_LIMIT_EXCEEDED`.
 * @see https://apidocs.bitrix24.com/limits.html
 */
export interface RateLimits {
  /** Requests drained per second (2 on ordinary plans, 5 on Enterprise). */
  drainPerSecond: number;
  /** Bucket size: requests allowed in a burst (50 on ordinary plans, 250 on Enterprise). */
  burst: number;
}

/** Every plan but Enterprise (b24jssdk `ParamsFactory.getDefault()`). */
export const STANDARD_LIMITS: RateLimits = { drainPerSecond: 2, burst: 50 };
/** Enterprise plans (b24jssdk `ParamsFactory.getEnterprise()`). */
export const ENTERPRISE_LIMITS: RateLimits = { drainPerSecond: 5, burst: 250 };

/**
 * Who is waiting for the portal's bucket, which bounds the wait: a person in front of a page (`interactive`, 5 s),
 * the app's own work such as a sync or an installation (`normal`, 30 s), and work that can be dropped or done
 * later, such as refreshing one user after an event (`background`: never waits, and leaves a fifth of the
 * bucket to the others). A request that would wait longer is refused at once with PORTAL_BUSY and a
 * `Retry-After`, instead of queueing: the queue stays bounded whatever arrives.
 */
export type RequestPriority = 'interactive' | 'normal' | 'background';

const MAX_WAIT_MS: Readonly<Record<Exclude<RequestPriority, 'background'>, number>> = {
  interactive: 5_000,
  normal: 30_000,
};
/** Share of the bucket background requests leave free. */
const BACKGROUND_RESERVE = 0.2;

/** The portal's bucket (or one method's operating limit) would make a request wait past its bound. */
export class PortalBusyError extends UnavailableError {
  constructor(waitMs: number) {
    super('PORTAL_BUSY', 'Bitrix24 is busy with requests for this portal. Try again in a few seconds.', {
      retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)),
    });
  }
}

/** Waits `ms` of the budget's time; injected with the clock so a benchmark can run emulated time faster. */
export type Sleep = (ms: number) => Promise<void>;

export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export interface RateBudgetOptions {
  clock: Clock;
  sleep?: Sleep;
  /** Limits of portals without their own (default {@link STANDARD_LIMITS}). */
  defaults?: RateLimits;
  /**
   * Attempts of one request refused by a limit (503 or 429) before its error is thrown (default 3, as b24jssdk's
   * maxRetries).
   */
  maxAttempts?: number;
  /** Wait after a 429 when no `operating_reset_at` was seen for the method (default 60 s: one window bucket). */
  defaultOperatingWaitMs?: number;
  /** Longest wait for an operating-limit reset (default 10 min: the whole window). */
  maxOperatingWaitMs?: number;
  /** The bucket level kept where every instance sees it (Redis); absent, this process keeps it. */
  sharedBucket?: (memberId: string) => SharedBucket;
}

/**
 * A portal's bucket level kept outside the process, so instances serving the same portal take from one
 * budget, as Bitrix24 counts them together.
 */
export interface SharedBucket {
  /** Drains the level by the time passed, adds `add`, lifts it to at least `floor`; returns the new level. */
  update(drainPerSecond: number, add: number, floor: number): Promise<number>;
}

/** What a budget has let through and held back since it was created. */
export interface RateBudgetStats {
  /** HTTP requests admitted. */
  requests: number;
  /** Milliseconds requests spent waiting for the bucket or an operating-limit reset. */
  waitedMs: number;
  /** 503 QUERY_LIMIT_EXCEEDED answers seen. */
  queryLimitHits: number;
  /** 429 OPERATION_TIME_LIMIT answers seen (top-level or inside a batch). */
  operatingLimitHits: number;
}

/** The `time` block Bitrix24 adds to every answer (and per command in `result_time` of a batch). */
export interface TimeBlock {
  operating?: number | undefined;
  /** Unix seconds when the oldest minute of the method's operating window expires. */
  operating_reset_at?: number | undefined;
}

/** Timers fire a little late, never early; this margin rounds every wait up a little more. */
const SAFETY_MS = 5;
/**
 * Slots of the portal's bucket kept free. We count a request when it leaves, the portal when it arrives;
 * arrival delays vary (network, a busy event loop), so a request sent exactly at the burst can arrive
 * after a slower predecessor and find the bucket full. One free slot absorbs one drain interval of jitter.
 */
const HEADROOM = 1;
/** Extra back-off after consecutive 503s is capped at this many drain intervals. */
const MAX_BACKOFF_STEPS = 64;

/**
 * The request budget of one portal, shared by every client of that portal in this process (and, given a
 * SharedBucket on Redis, by every instance): the cached
 * app client, throw-away user-token clients and the directory sync all take from it, because Bitrix24
 * counts them together. It mirrors the portal's leaky bucket (less one slot of headroom) by virtual
 * scheduling: each request reserves the next slot (the level may run ahead of the burst) and sleeps until
 * the slot is due, so concurrent callers queue in order without a mutex.
 *
 * A 503 means the portal's bucket was fuller than ours (other apps on the same portal count too): the
 * level jumps to the burst plus an exponential penalty, so the retry and everything after it wait. A 429
 * blocks one method until the `operating_reset_at` last reported for it.
 */
export class RateBudget {
  readonly #clock: Clock;
  readonly #sleep: Sleep;
  readonly #options: Required<Omit<RateBudgetOptions, 'clock' | 'sleep' | 'defaults' | 'sharedBucket'>>;
  #limits: RateLimits;
  #level = 0;
  #updatedAt: number;
  #consecutiveQueryLimits = 0;
  /** Per method: unix ms of the last reported `operating_reset_at`. */
  readonly #resetAt = new Map<string, number>();
  /** Per method: unix ms until which it is blocked by a 429. */
  readonly #blockedUntil = new Map<string, number>();
  readonly stats: RateBudgetStats = { requests: 0, waitedMs: 0, queryLimitHits: 0, operatingLimitHits: 0 };
  readonly #shared: SharedBucket | undefined;

  constructor(limits: RateLimits, options: RateBudgetOptions, shared?: SharedBucket) {
    this.#shared = shared;
    this.#clock = options.clock;
    this.#sleep = options.sleep ?? realSleep;
    this.#limits = limits;
    this.#updatedAt = options.clock.now();
    this.#options = {
      maxAttempts: options.maxAttempts ?? 3,
      defaultOperatingWaitMs: options.defaultOperatingWaitMs ?? 60_000,
      maxOperatingWaitMs: options.maxOperatingWaitMs ?? 600_000,
    };
  }

  get limits(): RateLimits {
    return this.#limits;
  }

  /** Changes the limits (e.g. once the portal's plan is known); the current level is kept. */
  setLimits(limits: RateLimits): void {
    this.#drain();
    this.#limits = limits;
  }

  /** Attempts one request may make when limits refuse it. */
  get maxAttempts(): number {
    return this.#options.maxAttempts;
  }

  /** Current fill of the bucket as this process sees it (may exceed the burst while requests are queued). */
  get level(): number {
    this.#drain();
    return this.#level;
  }

  /** Whether forgetting this budget loses nothing Bitrix24 still counts: drained, and no method blocked. */
  get idle(): boolean {
    const now = this.#clock.now();
    return this.level === 0 && [...this.#blockedUntil.values()].every((until) => until <= now);
  }

  /**
   * Waits until one more HTTP request may go to the portal and counts it, or refuses it with PortalBusyError when
   * the wait would pass the bound of its `priority`. `method` (the REST method in the URL, `batch` for batches) is
   * first checked against operating-limit blocks.
   */
  async acquire(method?: string, priority: RequestPriority = 'normal'): Promise<void> {
    if (method !== undefined) await this.waitForMethod(method, priority);
    this.#drain();
    const { burst, drainPerSecond } = this.#limits;
    const usable = Math.max(1, burst - HEADROOM);
    // Shared: the level after this reservation, counted with every other instance's requests.
    if (this.#shared !== undefined) this.#level = (await this.#shared.update(drainPerSecond, 1, 0)) - 1;
    const waitMs = Math.max(0, ((this.#level + 1 - usable) / drainPerSecond) * 1000);
    const ceiling = priority === 'background' ? usable - Math.ceil(burst * BACKGROUND_RESERVE) : usable;
    if (priority === 'background' ? this.#level + 1 > ceiling : waitMs > MAX_WAIT_MS[priority]) {
      // Not sent: the reservation is given back (a failed give-back only makes others wait a little longer).
      this.#shared?.update(drainPerSecond, -1, 0).catch(() => undefined);
      throw new PortalBusyError(Math.max(waitMs, ((this.#level + 1 - ceiling) / drainPerSecond) * 1000));
    }
    this.#level += 1;
    this.stats.requests += 1;
    if (waitMs > 0) {
      const rounded = Math.ceil(waitMs) + SAFETY_MS;
      this.stats.waitedMs += rounded;
      await this.#sleep(rounded);
    }
  }

  /** Waits while `method` is blocked by an operating-limit answer (refused when that is past the bound). */
  async waitForMethod(method: string, priority: RequestPriority = 'normal'): Promise<void> {
    const until = this.#blockedUntil.get(method.toLowerCase());
    if (until === undefined) return;
    const waitMs = until - this.#clock.now();
    if (waitMs <= 0) {
      this.#blockedUntil.delete(method.toLowerCase());
      return;
    }
    // The sync waits out a whole operating window (it is the one that spent it); others do not queue behind it.
    if (priority !== 'normal') throw new PortalBusyError(waitMs);
    this.stats.waitedMs += waitMs;
    await this.#sleep(waitMs);
  }

  /** A request went through: the back-off resets. */
  noteSuccess(): void {
    this.#consecutiveQueryLimits = 0;
  }

  /** The portal answered 503 QUERY_LIMIT_EXCEEDED: its bucket is full, and stays so a little longer each time. */
  noteQueryLimit(): void {
    this.stats.queryLimitHits += 1;
    this.#drain();
    const penalty = Math.min(2 ** this.#consecutiveQueryLimits - 1, MAX_BACKOFF_STEPS);
    this.#consecutiveQueryLimits += 1;
    this.#level = Math.max(this.#level, this.#limits.burst + penalty);
    // Other instances must slow down too; a failed update only loses that hint (their own 503s teach them).
    this.#shared?.update(this.#limits.drainPerSecond, 0, this.#level).catch(() => undefined);
  }

  /** Records the operating-time report of `method` (from `time` or a batch's `result_time`). */
  noteTime(method: string, time: TimeBlock | undefined): void {
    const resetAt = time?.operating_reset_at;
    if (typeof resetAt === 'number' && Number.isFinite(resetAt))
      this.#resetAt.set(method.toLowerCase(), resetAt * 1000);
  }

  /**
   * `method` answered 429 OPERATION_TIME_LIMIT: it is blocked until the last reported `operating_reset_at`
   * (the error itself carries no time block), or for a default wait when none is known.
   */
  noteOperatingLimit(method: string): void {
    this.stats.operatingLimitHits += 1;
    const key = method.toLowerCase();
    const now = this.#clock.now();
    const reported = this.#resetAt.get(key);
    const until =
      reported !== undefined && reported > now ? reported + 1000 : now + this.#options.defaultOperatingWaitMs;
    this.#blockedUntil.set(key, Math.min(until, now + this.#options.maxOperatingWaitMs));
  }

  #drain(): void {
    const now = this.#clock.now();
    const elapsedSeconds = Math.max(0, now - this.#updatedAt) / 1000;
    this.#level = Math.max(0, this.#level - elapsedSeconds * this.#limits.drainPerSecond);
    this.#updatedAt = now;
  }
}

/**
 * Runs one request (`attempt` sends exactly one HTTP request through `budget.acquire`) and repeats it
 * while a limit refuses it: the single place where 503 back-off and 429 waits happen. Other errors, and
 * the last refusal once attempts run out, are thrown as they came (`BitrixError` or `TransportError`).
 */
export async function withRateRetry<T>(budget: RateBudget, method: string, attempt: () => Promise<T>): Promise<T> {
  for (let tries = 1; ; tries++) {
    try {
      const result = await attempt();
      budget.noteSuccess();
      return result;
    } catch (error: unknown) {
      // The portal's "too many requests" (503) and the method's operating limit (429).
      const kind = kindOf(error);
      if (kind === 'rate_limited') budget.noteQueryLimit();
      else if (kind === 'operation_limit') budget.noteOperatingLimit(method);
      else throw error;
      if (tries >= budget.maxAttempts) throw error;
    }
  }
}
