import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import KeyvRedis from '@keyv/redis';
import KeyvSqlite from '@keyv/sqlite';
import { Keyv } from 'keyv';
import { createRedisClient, REDIS_CONNECT_TIMEOUT_MS, type RedisClient } from './redis-client.js';

/**
 * Builds the Keyv behind every repository from STORE_URL. Errors are thrown, never swallowed: a store
 * failure must surface as "unavailable", not read as "nothing stored".
 */
export function createKeyv(storeUrl: string, redis?: RedisClient): Keyv {
  if (storeUrl.startsWith('memory://')) {
    return new Keyv({ store: new Map(), throwOnErrors: true });
  }
  if (storeUrl.startsWith('sqlite://')) {
    const file = storeUrl.slice('sqlite://'.length);
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    return new Keyv({ store: new KeyvSqlite({ uri: storeUrl, busyTimeout: 5000 }), throwOnErrors: true });
  }
  if (storeUrl.startsWith('redis://') || storeUrl.startsWith('rediss://')) {
    const client = redis ?? createRedisClient(storeUrl);
    const store = new KeyvRedis(client, {
      throwOnConnectError: true,
      throwOnErrors: true,
      connectionTimeout: REDIS_CONNECT_TIMEOUT_MS,
    });
    return new Keyv({ store, throwOnErrors: true, namespace: 'keycard', useKeyPrefix: false });
  }
  throw new Error(`unsupported STORE_URL scheme: ${storeUrl.split(':')[0] ?? ''}`);
}
