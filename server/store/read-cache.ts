/**
 * A cache of parsed documents in front of the store, for this process. Correct because this process
 * writes these documents only through the repository that owns the cache (which calls `wrote`/`forget`);
 * a read that raced a write never caches its possibly older value. With several instances on one store,
 * another instance's writes would never reach `forget`: there the cache is built disabled.
 */
export class ReadCache<T> {
  readonly #enabled: boolean;
  readonly #values = new Map<string, T>();
  /** Bumped on every write or forget, so a load that started before it does not cache a stale value. */
  readonly #epochs = new Map<string, number>();
  readonly #maxEntries: number;

  /** `enabled: false` (a store shared by several instances): every read goes to the store. */
  constructor(options: { enabled?: boolean; maxEntries?: number } = {}) {
    this.#enabled = options.enabled ?? true;
    this.#maxEntries = options.maxEntries ?? 10_000;
  }

  async read(key: string, load: () => Promise<T>): Promise<T> {
    if (!this.#enabled) return load();
    if (this.#values.has(key)) return this.#values.get(key) as T;
    const epoch = this.#epochs.get(key) ?? 0;
    const value = await load();
    if ((this.#epochs.get(key) ?? 0) === epoch) this.#remember(key, value);
    return value;
  }

  /** The store now holds `value` under `key` (call after the write succeeded). */
  wrote(key: string, value: T): void {
    this.#bump(key);
    this.#remember(key, value);
  }

  /** The stored value is unknown or gone (a delete, or a write that failed midway). */
  forget(key: string): void {
    this.#bump(key);
    this.#values.delete(key);
  }

  #bump(key: string): void {
    this.#epochs.set(key, (this.#epochs.get(key) ?? 0) + 1);
  }

  #remember(key: string, value: T): void {
    if (!this.#enabled) return;
    this.#values.delete(key);
    if (this.#values.size >= this.#maxEntries) {
      const oldest = this.#values.keys().next();
      if (oldest.done !== true) this.#values.delete(oldest.value);
    }
    this.#values.set(key, value);
  }
}
