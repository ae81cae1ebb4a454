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
}

/** One process: a map of keys to their expiry, swept as it grows. */
export class InProcessOnceKeys implements OnceKeys {
  readonly #expiry = new Map<string, number>();
  readonly #clock: Clock;

  constructor(deps: { clock: Clock }) {
    this.#clock = deps.clock;
  }

  first(key: string, ttlMs: number): Promise<boolean> {
    const now = this.#clock.now();
    if ((this.#expiry.get(key) ?? -Infinity) > now) return Promise.resolve(false);
    if (this.#expiry.size >= 100_000)
      for (const [stored, until] of this.#expiry) if (until <= now) this.#expiry.delete(stored);
    this.#expiry.set(key, now + ttlMs);
    return Promise.resolve(true);
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
