/**
 * Puts the load benchmark's portals into the shared Redis before any instance starts: each installation
 * record sealed and stored as a verified installation stores it (see test/integration/directory-stack.ts),
 * active, then a full directory sync of each, as the install-time sync would have run. Done through the
 * real services (createApp on the same Redis, with RedisLocks), so the stored layout is exactly the
 * product's; the process's connection is closed before anything is measured.
 */
import { createApp } from '../../server/app.js';
import { systemClock } from '../../server/clock.js';
import { loadConfig } from '../../server/config.js';
import { createLogger } from '../../server/logger.js';
import { loadManifest } from '../../server/manifest.js';
import { createKeyv } from '../../server/store/keyv-factory.js';
import { createRedisClient } from '../../server/store/redis-client.js';
import { RedisLocks } from '../../server/store/redis-locks.js';
import type { LoadPortal } from './load-protocol.js';
import { storeActiveInstallation } from '../support/stored-installation.js';

/** Syncs run this many at a time (each portal has its own budget; the emulators' limits are off). */
const SYNC_CONCURRENCY = 10;

export interface SeedReport {
  users: number;
  departments: number;
  syncMs: number;
}

async function eachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let at = next++; at < items.length; at = next++) {
      const item = items[at];
      if (item !== undefined) await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export async function seedPortals(env: Record<string, string>, portals: readonly LoadPortal[]): Promise<SeedReport> {
  const config = loadConfig(env);
  const redis = createRedisClient(config.storeUrl);
  redis.on('error', () => undefined);
  await redis.connect();
  const store = createKeyv(config.storeUrl, redis);
  const app = createApp(config, {
    keyv: store,
    clock: systemClock,
    logger: createLogger({ level: 'warn', destination: process.stderr }),
    fetch: globalThis.fetch,
    manifest: loadManifest('manifest/keycard.json'),
    ui: { template: '<!--keycard-bootstrap-->' },
    locks: new RedisLocks({ redis: redis, clock: systemClock }),
  });
  const { services } = app;
  try {
    for (const portal of portals) {
      await storeActiveInstallation(services, {
        memberId: portal.memberId,
        host: portal.host,
        clientEndpoint: portal.clientEndpoint,
        scopes: portal.scopes,
        tokens: portal.install,
        applicationToken: portal.applicationToken,
      });
    }
    const report: SeedReport = { users: 0, departments: 0, syncMs: 0 };
    const started = performance.now();
    await eachLimited(portals, SYNC_CONCURRENCY, async (portal) => {
      const synced = await services.directory.runSync(portal.memberId, 'manual');
      report.users += synced.users;
      report.departments += synced.departments;
    });
    report.syncMs = performance.now() - started;
    return report;
  } finally {
    await services.background.idle();
    // Disconnecting the store closes its client.
    await store.disconnect().catch(() => undefined);
  }
}
