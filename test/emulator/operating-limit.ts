import type { Clock } from './clock.js';

const WINDOW_MINUTES = 10;

/** Simulated cost of a call, in seconds of "execution time". */
export interface OperatingCost {
  /** Fixed cost of any call. */
  perCallSeconds: number;
  /** Cost per row returned. */
  perRowSeconds: number;
  /** Cost per row scanned to count `total` (lists called with `start >= 0`); `start=-1` skips it. */
  perCountedRowSeconds: number;
}

export const DEFAULT_OPERATING_COST: OperatingCost = {
  perCallSeconds: 0.005,
  perRowSeconds: 0.0005,
  perCountedRowSeconds: 0.00001,
};

/** Default limit per method per 10 minutes, as in the REST docs' example. */
export const DEFAULT_OPERATING_LIMIT_SECONDS = 480;

/**
 * Bitrix24's operating limit: execution time summed per method over ten one-minute buckets; a method over
 * the limit answers 429 `OPERATION_TIME_LIMIT` until old buckets fall out of the window.
 * @see https://apidocs.bitrix24.com/limits.html
 */
export class OperatingLimiter {
  readonly #clock: Clock;
  readonly #limitSeconds: number;
  readonly #buckets = new Map<string, Map<number, number>>();

  constructor(clock: Clock, limitSeconds: number) {
    this.#clock = clock;
    this.#limitSeconds = limitSeconds;
  }

  isBlocked(method: string): boolean {
    return this.used(method) >= this.#limitSeconds;
  }

  add(method: string, seconds: number): void {
    const minute = this.#minute();
    let buckets = this.#buckets.get(method);
    if (buckets === undefined) {
      buckets = new Map();
      this.#buckets.set(method, buckets);
    }
    buckets.set(minute, (buckets.get(minute) ?? 0) + seconds);
  }

  /** Seconds used by `method` in the current window (what `time.operating` reports). */
  used(method: string): number {
    const buckets = this.#buckets.get(method);
    if (buckets === undefined) return 0;
    const oldest = this.#minute() - WINDOW_MINUTES + 1;
    let total = 0;
    for (const [minute, seconds] of buckets) {
      if (minute < oldest) buckets.delete(minute);
      else total += seconds;
    }
    return total;
  }

  /** Unix seconds when the oldest bucket of `method` leaves the window (`time.operating_reset_at`). */
  resetAt(method: string): number {
    this.used(method);
    const buckets = this.#buckets.get(method);
    const oldest = buckets === undefined || buckets.size === 0 ? this.#minute() : Math.min(...buckets.keys());
    return (oldest + WINDOW_MINUTES) * 60;
  }

  reset(): void {
    this.#buckets.clear();
  }

  #minute(): number {
    return Math.floor(this.#clock.now() / 60_000);
  }
}
