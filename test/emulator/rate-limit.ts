import type { Clock } from './clock.js';

export interface LeakyBucketOptions {
  /** Requests drained per second (2 on ordinary plans, 5 on Enterprise). */
  drainPerSecond: number;
  /** Bucket size: requests allowed in a burst (50 on ordinary plans, 250 on Enterprise). */
  burst: number;
}

/** "Others | 2 per sec | 50" (`limits.md`). */
export const DEFAULT_RATE_LIMIT: LeakyBucketOptions = { drainPerSecond: 2, burst: 50 };
/** "Enterprise | 5 per sec | 250" (`limits.md`). */
export const ENTERPRISE_RATE_LIMIT: LeakyBucketOptions = { drainPerSecond: 5, burst: 250 };

/**
 * Bitrix24's per-portal request limit: every HTTP request to /rest/ adds one to a bucket that drains at a
 * fixed rate; a request that finds it full gets 503 `QUERY_LIMIT_EXCEEDED` (and is not counted).
 * @see https://apidocs.bitrix24.com/limits.html
 */
export class LeakyBucket {
  readonly #clock: Clock;
  readonly #options: LeakyBucketOptions;
  #level = 0;
  #updatedAt: number;

  constructor(clock: Clock, options: LeakyBucketOptions) {
    this.#clock = clock;
    this.#options = options;
    this.#updatedAt = clock.now();
  }

  /** True when the request may pass (and is now counted). */
  take(): boolean {
    this.#drain();
    if (this.#level + 1 > this.#options.burst) return false;
    this.#level += 1;
    return true;
  }

  /** Current fill, after draining. */
  get level(): number {
    this.#drain();
    return this.#level;
  }

  reset(): void {
    this.#level = 0;
    this.#updatedAt = this.#clock.now();
  }

  #drain(): void {
    const now = this.#clock.now();
    const elapsed = Math.max(0, now - this.#updatedAt) / 1000;
    this.#level = Math.max(0, this.#level - elapsed * this.#options.drainPerSecond);
    this.#updatedAt = now;
  }
}
