import type { Clock } from '../clock.js';
import { StoreUnavailableError } from '../errors.js';
import type { RedisCommands } from './redis-client.js';

/**
 * "Has this happened before?" for keys that only need to live a while (e.g. an event Bitrix24 delivered
 * twice, or to two instances). `first` answers true exactly once per key within `ttlMs`, across every
 * instance sharing the implementation.
 */
export interface OnceKeys {
  first(key: string, ttlMs: number): Promise<boolean>;
  /** The handling after `first` failed: the next delivery must be acted on. */
  forget(key: string): Promise<void>;
  /** Keys held in this process (for `/readyz`); undefined when they live elsewhere (Redis). */
  readonly size?: number;
}

/** Keys one process remembers at most: past it the oldest are forgotten first (memory stays bounded). */
const DEFAULT_MAX_KEYS = 100_000;

/**
 * One process: keys with their expiry in a Map, kept in the order they were set. Expired keys are swept from the
 * front as new ones arrive (keys live about as long as each other, so the front expires first), a few at a time;
 * past `maxKeys` the oldest go even if not expired, so no call ever walks the whole map.
 */
export class InProcessOnceKeys implements OnceKeys {
  readonly #expiry = new Map<string, number>();
  readonly #clock: Clock;
  readonly #maxKeys: number;

  constructor(deps: { clock: Clock; maxKeys?: number }) {
    this.#clock = deps.clock;
    this.#maxKeys = deps.maxKeys ?? DEFAULT_MAX_KEYS;
  }

  first(key: string, ttlMs: number): Promise<boolean> {
    const now = this.#clock.now();
    if ((this.#expiry.get(key) ?? -Infinity) > now) return Promise.resolve(false);
    this.#expiry.delete(key);
    this.#sweep(now);
    this.#expiry.set(key, now + ttlMs);
    return Promise.resolve(true);
  }

  get size(): number {
    return this.#expiry.size;
  }

  /** Drops expired keys from the front (a bounded number per call), then the oldest while over the limit. */
  #sweep(now: number): void {
    let budget = 8;
    for (const [key, until] of this.#expiry) {
      const over = this.#expiry.size >= this.#maxKeys;
      if (!over && (until > now || budget-- <= 0)) break;
      this.#expiry.delete(key);
    }
  }

  forget(key: string): Promise<void> {
    this.#expiry.delete(key);
    return Promise.resolve();
  }
}

/** Every instance on one Redis: `SET key 1 NX PX ttl` answers OK for exactly one caller. A failed call is a 503. */
export class RedisOnceKeys implements OnceKeys {
  readonly #redis: RedisCommands;

  constructor(deps: { redis: RedisCommands }) {
    this.#redis = deps.redis;
  }

  async first(key: string, ttlMs: number): Promise<boolean> {
    return (
      (await this.#send(['SET', `keycard:once:${key}`, '1', 'NX', 'PX', String(Math.max(1, Math.round(ttlMs)))])) ===
      'OK'
    );
  }

  async forget(key: string): Promise<void> {
    await this.#send(['DEL', `keycard:once:${key}`]);
  }

  async #send(args: string[]): Promise<unknown> {
    try {
      return await this.#redis.sendCommand(args);
    } catch (error: unknown) {
      throw new StoreUnavailableError('The event log could not be read.', { cause: error });
    }
  }
}
