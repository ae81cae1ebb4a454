import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import type { Keyv } from 'keyv';
import { afterAll, describe, expect, it } from 'vitest';
import { createKeyv } from '../../server/store/keyv-factory.js';
import { createRedisClient, type RedisClient } from '../../server/store/redis-client.js';
import { RedisLocks } from '../../server/store/redis-locks.js';
import { systemClock } from '../../server/clock.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { directoryStack, type DirectoryStack } from './directory-stack.js';

/*
 * kill -9 of an instance in the middle of a directory sync, on a shared Redis: readers never see the
 * half-written mirror, and the next instance resumes from the last checkpoint once the dead one's lease
 * has run out.
 */
describe('kill -9 during a sync', () => {
  let redis: RedisServer | undefined;
  let client: RedisClient | undefined;
  let store: Keyv | undefined;
  let survivor: DirectoryStack | undefined;

  afterAll(async () => {
    await survivor?.close();
    await store?.disconnect().catch(() => undefined);
    await redis?.stop();
  });

  it('resumes after restart; no reader sees a half-written mirror', async () => {
    redis = await startRedis();
    client = createRedisClient(redis.url);
    client.on('error', () => undefined);
    await client.connect();
    store = createKeyv(redis.url, client);
    const leaseMs = 800;
    // The surviving instance; it also stores the installation the doomed one will use.
    survivor = await directoryStack({
      users: 9000,
      store,
      locks: new RedisLocks({ redis: client, clock: systemClock, leaseMs }),
      cacheReads: false,
      directory: { leaseMs },
    });
    const { portal, url, memberId } = survivor;
    const env = {
      B24_CLIENT_ID: portal.app.clientId,
      B24_CLIENT_SECRET: portal.app.clientSecret,
      APP_URL: 'http://localhost:3999',
      SECRET_KEY: 'directory-test-secret-key-0123456789abcdef',
      STORE_URL: redis.url,
      PORTAL_DOMAINS: `http://${new URL(url).host}`,
      B24_OAUTH_SERVER: `${url}/oauth-server`,
    };
    const child = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        'test/support/crashing-sync.ts',
        JSON.stringify({ env, redisUrl: redis.url, memberId, leaseMs, stopAfterUserChunks: 2 }),
      ],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const lines = createInterface({ input: child.stdout });
    await new Promise<void>((resolve, reject) => {
      lines.on('line', (line) => line === 'CHECKPOINT' && resolve());
      child.once('exit', (code) => reject(new Error(`the instance exited (${String(code)}) before its checkpoint`)));
    });
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;

    // Mid-build, readers get the previous state (no generation yet), never the chunks written so far.
    const during = await survivor.directory.snapshot(memberId);
    expect(during.generation).toBeNull();
    expect(during.users.size).toBe(0);
    expect((await survivor.directory.status(memberId)).state).toBe('running');

    await new Promise((resolve) => setTimeout(resolve, leaseMs + 200));
    portal.resetCounters();
    const report = await survivor.directory.runSync(memberId, 'schedule');
    expect(report).toMatchObject({ resumed: true, users: 9000, generation: 1 });
    // Users 5001..9000 only: the two chunks the dead instance wrote are kept.
    expect(report.requests).toBe(2);
    const after = await survivor.directory.snapshot(memberId);
    expect(after.users.size).toBe(9000);
  });
});
