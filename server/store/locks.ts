import { systemClock, type Clock } from '../clock.js';

/**
 * Mutual exclusion for read-modify-write of a portal's documents (the directory meta document when a
 * build is claimed or flipped, the overlay on every incremental update, the access policy on a save).
 * In one process the in-process implementation is enough; with several instances on a shared store it is
 * replaced by a distributed lock (e.g. Redis `SET NX PX`) behind the same interface.
 */
export interface Locks {
  /**
   * Runs `work` while holding lock `name` of `memberId` (in-process: in arrival order; Redis: by polling). `work`
   * gets the holder's fencing token: larger than every token handed out for any lock before, so a record stamped
   * with it tells a holder whose lease lapsed that someone newer wrote (see InstallationRepository.update).
   */
  withLock<T>(memberId: string, name: string, work: (fence: number) => Promise<T>): Promise<T>;
}

/**
 * Fencing tokens from a clock: microseconds, bumped past the last one handed out. Monotonic across restarts as
 * long as the clock moves forward, and with no counter that could be lost while the records it stamped remain.
 */
export class FenceClock {
  #last = 0;

  next(nowMicros: number): number {
    this.#last = Math.max(nowMicros, this.#last + 1);
    return this.#last;
  }
}

/** Per-key promise chain: each holder starts when the previous one settled (its failure does not leak). */
export class InProcessLocks implements Locks {
  readonly #tails = new Map<string, Promise<void>>();
  readonly #fences = new FenceClock();
  readonly #clock: Clock;

  constructor(deps: { clock?: Clock } = {}) {
    this.#clock = deps.clock ?? systemClock;
  }

  async withLock<T>(memberId: string, name: string, work: (fence: number) => Promise<T>): Promise<T> {
    const key = `${memberId}\u0000${name}`;
    const previous = this.#tails.get(key) ?? Promise.resolve();
    let release: () => void = () => undefined;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => mine);
    this.#tails.set(key, tail);
    await previous;
    try {
      // A process's locks never lapse; the token still orders its writes after any earlier process's.
      return await work(this.#fences.next(this.#clock.now() * 1000));
    } finally {
      release();
      // The last holder cleans up, so the map does not grow with every portal ever locked.
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }
}
