/**
 * A Keycard instance in its own process that starts a directory sync on a shared Redis and stops at a
 * checkpoint, printing CHECKPOINT, so a test can kill -9 it there. Settings come as JSON in argv[2].
 */
import { Writable } from 'node:stream';
import { z } from 'zod';
import { createApp } from '../../server/app.js';
import { systemClock } from '../../server/clock.js';
import { loadConfig } from '../../server/config.js';
import { createLogger } from '../../server/logger.js';
import { loadManifest } from '../../server/manifest.js';
import { createKeyv } from '../../server/store/keyv-factory.js';
import { createRedisClient } from '../../server/store/redis-client.js';
import { RedisLocks } from '../../server/store/redis-locks.js';

const settings = z
  .object({
    env: z.record(z.string(), z.string()),
    redisUrl: z.string(),
    memberId: z.string(),
    leaseMs: z.number(),
    stopAfterUserChunks: z.number(),
  })
  .parse(JSON.parse(process.argv[2] ?? '{}'));

const redis = createRedisClient(settings.redisUrl);
redis.on('error', () => undefined);
await redis.connect();
const logger = createLogger({
  level: 'silent',
  destination: new Writable({ write: (_chunk, _encoding, done) => done() }),
});
const app = createApp(loadConfig(settings.env), {
  keyv: createKeyv(settings.redisUrl, redis),
  locks: new RedisLocks({ redis: redis, clock: systemClock, leaseMs: settings.leaseMs }),
  cacheReads: false,
  clock: systemClock,
  logger,
  fetch: globalThis.fetch,
  manifest: loadManifest('manifest/keycard.json'),
  ui: { template: '<!--keycard-bootstrap-->' },
  directory: {
    leaseMs: settings.leaseMs,
    hooks: {
      afterBatch: async ({ phase, chunks }) => {
        if (phase === 'users' && chunks.u >= settings.stopAfterUserChunks) {
          process.stdout.write('CHECKPOINT\n');
          await new Promise(() => undefined); // hold here until killed
        }
      },
    },
  },
});
await app.services.directory.runSync(settings.memberId, 'admin');
