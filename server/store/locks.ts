/**
 * Mutual exclusion for read-modify-write of a portal's documents (the directory meta document when a
 * build is claimed or flipped, the overlay on every incremental update, the access policy on a save).
 * In one process the in-process implementation is enough; with several instances on a shared store it is
 * replaced by a distributed lock (e.g. Redis `SET NX PX`) behind the same interface.
 */
export interface Locks {
  /** Runs `work` while holding lock `name` of `memberId` (in-process: in arrival order; Redis: by polling). */
  withLock<T>(memberId: string, name: string, work: () => Promise<T>): Promise<T>;
}

/** Per-key promise chain: each holder starts when the previous one settled (its failure does not leak). */
export class InProcessLocks implements Locks {
  readonly #tails = new Map<string, Promise<void>>();

  async withLock<T>(memberId: string, name: string, work: () => Promise<T>): Promise<T> {
    const key = `${memberId}\u0000${name}`;
    const previous = this.#tails.get(key) ?? Promise.resolve();
    let release: () => void = () => undefined;
    const mine = new Promise<void>((resolve) => (release = resolve));
    const tail = previous.then(() => mine);
    this.#tails.set(key, tail);
    await previous;
    try {
      return await work();
    } finally {
      release();
      // The last holder cleans up, so the map does not grow with every portal ever locked.
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    }
  }
}
