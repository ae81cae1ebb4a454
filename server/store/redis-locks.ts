import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import { StoreUnavailableError, UnavailableError } from '../errors.js';
import type { Locks } from './locks.js';
import type { RedisCommands } from './redis-client.js';

/** Extends the lease only while this holder still owns it. */
const RENEW = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end`;
/**
 * The next fencing token, on Redis' clock: its microseconds, bumped past the last one handed out (kept per lock
 * key). Monotonic for every instance, and still so if the key is evicted (the clock has moved on).
 */
const FENCE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local last = tonumber(redis.call('GET', KEYS[1]) or '0')
local fence = math.max(now, last + 1)
redis.call('SET', KEYS[1], string.format('%.0f', fence), 'PX', 86400000)
return string.format('%.0f', fence)`;
/** Releases only this holder's lease: one whose lease expired must not delete its successor's. */
const RELEASE = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;

export interface RedisLockOptions {
  /** Lease length; a crashed holder's lock frees itself after this (default 15 s). Renewed while work runs. */
  leaseMs?: number;
  /** How long a caller waits for the lock before giving up with a 503 (default 30 s). */
  waitMs?: number;
  /** Pause between attempts while waiting (default 20 ms, with jitter). */
  retryMs?: number;
}

/**
 * Locks shared by every instance on one Redis: `SET key token NX PX lease`, renewed at a third of the
 * lease while the work runs, released with a compare-and-delete. A holder that dies (kill -9) leaves a
 * lease that expires on its own. A lease can still lapse under a holder stalled longer than the lease (GC
 * pause, partition): each holder gets a fencing token (see FENCE), and portal records carry the token of their
 * last writer, so a holder whose lease lapsed cannot overwrite what a newer one wrote. The sync keeps its own
 * lease in its meta document and stops without writing once it lost it; policy saves are guarded by the
 * policy's version.
 */
export class RedisLocks implements Locks {
  readonly #redis: RedisCommands;
  readonly #clock: Clock;
  readonly #leaseMs: number;
  readonly #waitMs: number;
  readonly #retryMs: number;

  constructor(deps: { redis: RedisCommands; clock: Clock } & RedisLockOptions) {
    this.#redis = deps.redis;
    this.#clock = deps.clock;
    this.#leaseMs = deps.leaseMs ?? 15_000;
    this.#waitMs = deps.waitMs ?? 30_000;
    this.#retryMs = deps.retryMs ?? 20;
  }

  async withLock<T>(memberId: string, name: string, work: (fence: number) => Promise<T>): Promise<T> {
    const key = `keycard:lock:${memberId}:${name}`;
    const token = randomUUID();
    await this.#acquire(key, token);
    let fence: number;
    try {
      fence = Number(await this.#redis.sendCommand(['EVAL', FENCE, '1', `keycard:fence:${memberId}:${name}`]));
    } catch (error: unknown) {
      await this.#redis.sendCommand(['EVAL', RELEASE, '1', key, token]).catch(() => undefined);
      throw new StoreUnavailableError('The shared store is not reachable.', { cause: error });
    }
    let renewing = false;
    const renewal = setInterval(
      () => {
        if (renewing) return; // a stalled Redis: do not pile renewals on top of one still waiting
        renewing = true;
        this.#redis
          .sendCommand(['EVAL', RENEW, '1', key, token, String(this.#leaseMs)])
          .catch(() => undefined)
          .finally(() => (renewing = false));
      },
      Math.max(10, Math.floor(this.#leaseMs / 3)),
    );
    renewal.unref();
    try {
      return await work(fence);
    } finally {
      clearInterval(renewal);
      // A failed release is not the caller's failure: the lease expires on its own.
      await this.#redis.sendCommand(['EVAL', RELEASE, '1', key, token]).catch(() => undefined);
    }
  }

  async #acquire(key: string, token: string): Promise<void> {
    const deadline = this.#clock.now() + this.#waitMs;
    for (;;) {
      let answer: unknown;
      try {
        answer = await this.#redis.sendCommand(['SET', key, token, 'NX', 'PX', String(this.#leaseMs)]);
      } catch (error: unknown) {
        throw new StoreUnavailableError('The shared store is not reachable.', { cause: error });
      }
      if (answer === 'OK') return;
      if (this.#clock.now() >= deadline)
        throw new UnavailableError('LOCK_TIMEOUT', 'Another instance is still working on this portal. Try again.');
      await new Promise((resolve) => setTimeout(resolve, this.#retryMs + Math.random() * this.#retryMs));
    }
  }
}
