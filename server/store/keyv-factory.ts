import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import KeyvSqlite from '@keyv/sqlite';
import { Keyv } from 'keyv';

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
  throw new Error(`unsupported STORE_URL scheme: ${storeUrl.split(':')[0] ?? ''}`);
}
