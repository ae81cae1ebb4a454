import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import KeyvRedis, { createClient } from '@keyv/redis';
import KeyvSqlite from '@keyv/sqlite';
import { Keyv } from 'keyv';

/** How long a Redis command may wait for a connection before it fails (and the request answers 503). */
const REDIS_CONNECT_TIMEOUT_MS = 2000;

/**
 * Builds the Keyv behind every repository from STORE_URL. Errors are thrown, never swallowed: a store
 * failure must surface as "unavailable", not read as "nothing stored".
 */
export function createKeyv(storeUrl: string): Keyv {
  if (storeUrl.startsWith('memory://')) {
    return new Keyv({ store: new Map(), throwOnErrors: true });
  }
  if (storeUrl.startsWith('sqlite://')) {
    const file = storeUrl.slice('sqlite://'.length);
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    return new Keyv({ store: new KeyvSqlite({ uri: storeUrl, busyTimeout: 5000 }), throwOnErrors: true });
  }
  if (storeUrl.startsWith('redis://') || storeUrl.startsWith('rediss://')) {
    const client = createClient({
      url: storeUrl,
      // While Redis is down, commands fail at once instead of queueing: requests answer 503 and no
      // decision waits on a write that may land later. The client keeps reconnecting in the background,
      // so service resumes without a restart.
      disableOfflineQueue: true,
      socket: { connectTimeout: REDIS_CONNECT_TIMEOUT_MS, reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 2000) },
    });
    const store = new KeyvRedis(client, { throwOnConnectError: true, throwOnErrors: true, connectionTimeout: REDIS_CONNECT_TIMEOUT_MS });
    return new Keyv({ store, throwOnErrors: true, namespace: 'keycard', useKeyPrefix: false });
  }
  throw new Error(`unsupported STORE_URL scheme: ${storeUrl.split(':')[0] ?? ''}`);
}
