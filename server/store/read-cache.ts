/**
 * A cache of parsed documents in front of the store, for this process. Correct because this process
 * writes these documents only through the repository that owns the cache (which calls `wrote`/`forget`);
 * a read that raced a write never caches its possibly older value. With several instances on one store,
 * another instance's writes would never reach `forget`: there the cache is built disabled.
 */
export class ReadCache<T> {
  readonly #enabled: boolean;
  readonly #values = new Map<string, T>();
  /**
   * Per key with a load in flight: how many, and the write epoch they started at. A write or forget bumps
   * the epoch, so those loads do not cache what they read. Entries go when the last load ends, so keys
   * that are only ever missed (any member id anyone sends) leave nothing behind.
   */
  readonly #loading = new Map<string, { count: number; epoch: number }>();
  readonly #maxEntries: number;

  /** `enabled: false` (a store shared by several instances): every read goes to the store. */
  constructor(options: { enabled?: boolean; maxEntries?: number } = {}) {
    this.#enabled = options.enabled ?? true;
    this.#maxEntries = options.maxEntries ?? 10_000;
  }

  async read(key: string, load: () => Promise<T>): Promise<T> {
    if (!this.#enabled) return load();
    if (this.#values.has(key)) return this.#values.get(key) as T;
    const loading = this.#loading.get(key) ?? { count: 0, epoch: 0 };
    loading.count += 1;
    this.#loading.set(key, loading);
    const epoch = loading.epoch;
    try {
      const value = await load();
      if (loading.epoch === epoch) this.#remember(key, value);
      return value;
    } finally {
      loading.count -= 1;
      if (loading.count === 0 && this.#loading.get(key) === loading) this.#loading.delete(key);
    }
  }

  /**
   * Runs the store write of `value` under `key` and keeps the cache in step: `value` once it succeeded,
   * "unknown" if it failed (it may or may not have landed).
   */
  async write(key: string, value: T, store: () => Promise<unknown>): Promise<void> {
    try {
      await store();
    } catch (error: unknown) {
      this.forget(key);
      throw error;
    }
    this.wrote(key, value);
  }

  /** The store now holds `value` under `key` (call after the write succeeded). */
  wrote(key: string, value: T): void {
    if (!this.#enabled) return;
    this.#bump(key);
    this.#remember(key, value);
  }

  /** The stored value is unknown or gone (a delete, or a write that failed midway). */
  forget(key: string): void {
    if (!this.#enabled) return;
    this.#bump(key);
    this.#values.delete(key);
  }

  #bump(key: string): void {
    const loading = this.#loading.get(key);
    if (loading !== undefined) loading.epoch += 1;
  }

  #remember(key: string, value: T): void {
    this.#values.delete(key);
    if (this.#values.size >= this.#maxEntries) {
      const oldest = this.#values.keys().next();
      if (oldest.done !== true) this.#values.delete(oldest.value);
    }
    this.#values.set(key, value);
  }
}
