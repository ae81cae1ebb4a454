import { waitOutBusy } from './busy-wait.js';
import { RateBudget, realSleep, STANDARD_LIMITS, type RateBudgetOptions, type RateLimits } from './rate-budget.js';

/** One budget per portal, created on first use. */
export class RateBudgets {
  readonly #options: RateBudgetOptions;
  readonly #budgets = new Map<string, RateBudget>();
  readonly #limits = new Map<string, RateLimits>();
  /** Uninstalled portals whose budget is kept until it drains (see forget). */
  readonly #retired = new Set<string>();

  constructor(options: RateBudgetOptions) {
    this.#options = options;
  }

  forPortal(memberId: string): RateBudget {
    this.#retired.delete(memberId);
    this.#sweepRetired();
    let budget = this.#budgets.get(memberId);
    if (budget === undefined) {
      budget = new RateBudget(
        this.#limits.get(memberId) ?? this.#options.defaults ?? STANDARD_LIMITS,
        this.#options,
        this.#options.sharedBucket?.(memberId),
      );
      this.#budgets.set(memberId, budget);
    }
    return budget;
  }

  /** waitOutBusy with the budgets' own sleep. */
  patiently<T>(work: () => Promise<T>): Promise<T> {
    return waitOutBusy(work, { sleep: this.#options.sleep ?? realSleep });
  }

  /** Sets a portal's limits, e.g. {@link ENTERPRISE_LIMITS} once `app.info` reports an Enterprise licence. */
  setLimits(memberId: string, limits: RateLimits): void {
    this.#limits.set(memberId, limits);
    this.#budgets.get(memberId)?.setLimits(limits);
  }

  /**
   * Forgets an uninstalled portal once its budget has drained. Bitrix24's bucket is the portal's and keeps its
   * level across an uninstall (other apps count in it too), so an admin who reinstalls at once must not get an
   * empty budget that sends a burst the portal refuses with 503.
   */
  forget(memberId: string): void {
    this.#retired.add(memberId);
    this.#sweepRetired();
  }

  #sweepRetired(): void {
    for (const memberId of this.#retired) {
      if (this.#budgets.get(memberId)?.idle === false) continue;
      this.#budgets.delete(memberId);
      this.#limits.delete(memberId);
      this.#retired.delete(memberId);
    }
  }
}
