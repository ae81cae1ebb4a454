import type { Keyv } from 'keyv';
import { RateBudgets } from '../bitrix/rate-budget.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import type { AppDeps } from '../services.js';
import { createKeyv } from './keyv-factory.js';
import { RedisOnceKeys } from './once-keys.js';
import { redisBucket } from './redis-bucket.js';
import { createRedisClient } from './redis-client.js';
import { RedisLocks } from './redis-locks.js';

/** The store of STORE_URL, and on Redis what instances must share besides it. */
export interface OpenedStore {
  store: Keyv;
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
    const store = createKeyv(storeUrl);
    store.on('error', (error: unknown) => logger.error({ err: error }, 'store error'));
    return { store, shared: {}, connected: Promise.resolve(), close: () => store.disconnect() };
  }
  const redis = createRedisClient(storeUrl);
  redis.on('error', (error: unknown) => logger.warn({ err: error }, 'redis connection error'));
  // Connect now: with the offline queue off, commands sent while connecting would fail.
  const connected = redis.connect().then(() => undefined);
  const store = createKeyv(storeUrl, redis);
  store.on('error', (error: unknown) => logger.error({ err: error }, 'store error'));
  return {
    store,
    shared: {
      locks: new RedisLocks(redis),
      onceKeys: new RedisOnceKeys(redis),
      rateBudgets: new RateBudgets({ clock, sharedBucket: (memberId) => redisBucket(redis, memberId) }),
    },
    connected,
    close: () => store.disconnect(),
  };
}
