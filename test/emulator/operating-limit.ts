import type { Clock } from './clock.js';

const WINDOW_MINUTES = 10;

/**
 * Simulated cost of a call, in seconds of "execution time".
 *
 * List paging follows the REST docs' page on loading large amounts of data (b24restdocs
 * `settings/performance/huge-data.md`, https://apidocs.bitrix24.com/settings/performance/huge-data.html): with
 * `start >= 0` every page also runs a count of all the rows matching the filter for `total` ("on large datasets
 * … this calculation can be slow"; its example: 49.9 s with the count against 0.097 s without, over 2,387,743
 * items, about 21 µs a counted row), and the database reads and throws away the `start` rows before the page,
 * so offset pages cost more the deeper they go. `start=-1` with a `>ID` filter skips the count and seeks to the
 * bound by the primary key: each page costs the same, however deep.
 */
export interface OperatingCost {
  /** Fixed cost of any call. */
  perCallSeconds: number;
  /** Cost per row returned. */
  perRowSeconds: number;
  /** Cost per row scanned to count `total` (lists called with `start >= 0`); `start=-1` skips it. */
  perCountedRowSeconds: number;
  /** Cost per row an offset page skips before its first row (`start` rows); a `>ID` bound skips none. */
  perSkippedRowSeconds: number;
}

export const DEFAULT_OPERATING_COST: OperatingCost = {
  perCallSeconds: 0.005,
  perRowSeconds: 0.0005,
  perCountedRowSeconds: 0.00001,
  // Half the doc's example per counted row; reading a row to discard it costs about what counting it does.
  perSkippedRowSeconds: 0.00001,
};

/** All the execution time a portal spent since it started, whether or not its limit is on. */
const spent = new WeakMap<object, number>();

/** Adds `seconds` to what `portal` spent in all: the portal-side cost of a workload, for benchmarks. */
export function chargeOperating(portal: object, seconds: number): void {
  spent.set(portal, (spent.get(portal) ?? 0) + seconds);
}

/** The execution time `portal` spent since it started (compare two readings to cost a workload). */
export function operatingSpent(portal: object): number {
  return spent.get(portal) ?? 0;
}

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
