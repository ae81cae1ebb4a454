import type { Keyv } from 'keyv';
import type { AppDeps } from './services.js';
import { RateBudgets } from './bitrix/rate-budgets.js';
import type { Clock } from './clock.js';
import type { Logger } from './logger.js';
import { createKeyv } from './store/keyv-factory.js';
import { RedisOnceKeys } from './store/once-keys.js';
import { redisBucket } from './store/redis-bucket.js';
import { createRedisClient } from './store/redis-client.js';
import { RedisLocks } from './store/redis-locks.js';

/** The key-value store of STORE_URL, and on Redis what instances must share besides it. */
export interface OpenedStore {
  keyv: Keyv;
  /** On Redis: shared locks, handled-event memory and per-portal request budgets; empty otherwise. */
  shared: Pick<AppDeps, 'locks' | 'onceKeys' | 'rateBudgets'>;
  /** Resolves once the store answers (at once for SQLite and memory). */
  connected: Promise<void>;
  close(): Promise<void>;
}

/**
 * Opens the store for a Keycard process (server/main.ts and tools that run an instance). On Redis, one
 * client serves the store, the locks, the event memory and the request budgets, so several instances can
 * serve the same portals.
 */
export function openStore(storeUrl: string, clock: Clock, logger: Logger): OpenedStore {
  if (!/^rediss?:/.test(storeUrl)) {
    const keyv = createKeyv(storeUrl);
    keyv.on('error', (error: unknown) => logger.error({ err: error }, 'store error'));
    return { keyv, shared: {}, connected: Promise.resolve(), close: () => keyv.disconnect() };
  }
  const redis = createRedisClient(storeUrl);
  redis.on('error', (error: unknown) => logger.warn({ err: error }, 'redis connection error'));
  // Connect now: with the offline queue off, commands sent while connecting would fail.
  const connected = redis.connect().then(() => undefined);
  const keyv = createKeyv(storeUrl, redis);
  keyv.on('error', (error: unknown) => logger.error({ err: error }, 'store error'));
  return {
    keyv,
    shared: {
      locks: new RedisLocks({ redis, clock }),
      onceKeys: new RedisOnceKeys({ redis }),
      rateBudgets: new RateBudgets({ clock, sharedBucket: (memberId) => redisBucket(redis, memberId) }),
    },
    connected,
    close: () => keyv.disconnect(),
  };
}
