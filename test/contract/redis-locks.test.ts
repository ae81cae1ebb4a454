import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisClient, type RedisClient } from '../../server/store/redis-client.js';
import { RedisLocks } from '../../server/store/redis-locks.js';
import { InProcessOnceKeys, RedisOnceKeys } from '../../server/store/once-keys.js';
import { RateBudget } from '../../server/bitrix/rate-budget.js';
import { redisBucket } from '../../server/store/redis-bucket.js';
import { systemClock } from '../../server/clock.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';

/** Shared locks against a real redis-server: two "instances" are two clients. */
describe('RedisLocks', () => {
  let redis: RedisServer;
  const clients: RedisClient[] = [];
  const client = async () => {
    const created = createRedisClient(redis.url);
    created.on('error', () => undefined); // reconnect attempts while the test stops Redis
    await created.connect();
    clients.push(created);
    return created;
  };

  beforeAll(async () => {
    redis = await startRedis();
  });

  afterAll(async () => {
    for (const created of clients) created.destroy();
    await redis.stop();
  });

  it('two instances never hold one lock at once; every holder runs', async () => {
    const a = new RedisLocks({ redis: await client(), clock: systemClock, retryMs: 2 });
    const b = new RedisLocks({ redis: await client(), clock: systemClock, retryMs: 2 });
    let inside = 0;
    let most = 0;
    let runs = 0;
    const work = async () => {
      inside++;
      most = Math.max(most, inside);
      await new Promise((resolve) => setTimeout(resolve, 5));
      inside--;
      runs++;
    };
    await Promise.all(Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? a : b).withLock('m1', 'policy', work)));
    expect(most).toBe(1);
    expect(runs).toBe(20);
  });

  it('each holder gets a larger fencing token than every holder before it, on any instance, key lost or not', async () => {
    const redisA = await client();
    const a = new RedisLocks({ redis: redisA, clock: systemClock, retryMs: 2 });
    const b = new RedisLocks({ redis: await client(), clock: systemClock, retryMs: 2 });
    const fences: number[] = [];
    for (let i = 0; i < 20; i++) {
      await (i % 2 === 0 ? a : b).withLock('m-fence', 'portal', async (fence) => void fences.push(fence));
      // Evicted or flushed: the next token is still larger (it comes from Redis' clock).
      if (i === 10) await redisA.sendCommand(['DEL', 'keycard:fence:m-fence:portal']);
    }
    expect(fences.every((fence, i) => i === 0 || fence > (fences[i - 1] ?? Infinity))).toBe(true);
    expect(fences.every(Number.isSafeInteger)).toBe(true);
  });

  it('different portals and names do not wait for each other', async () => {
    const locks = new RedisLocks({ redis: await client(), clock: systemClock });
    const order: string[] = [];
    let release: () => void = () => undefined;
    const held = locks.withLock('m1', 'sync', () =>
      new Promise<void>((resolve) => (release = resolve)).then(() => order.push('m1')),
    );
    await locks.withLock('m2', 'sync', () => Promise.resolve(order.push('m2')));
    await locks.withLock('m1', 'policy', () => Promise.resolve(order.push('m1-policy')));
    release();
    await held;
    expect(order).toEqual(['m2', 'm1-policy', 'm1']);
  });

  it('a holder that died frees the lock when its lease runs out; a long holder keeps it by renewing', async () => {
    const raw = await client();
    // A crashed instance: its lease is in Redis, nobody will release it.
    await raw.sendCommand(['SET', 'keycard:lock:m3:sync', 'dead-holder', 'NX', 'PX', '300']);
    const locks = new RedisLocks({ redis: await client(), clock: systemClock, leaseMs: 300, retryMs: 10 });
    const started = Date.now();
    await locks.withLock('m3', 'sync', () => Promise.resolve());
    expect(Date.now() - started).toBeGreaterThanOrEqual(200);

    const other = new RedisLocks({ redis: await client(), clock: systemClock, leaseMs: 300, waitMs: 200, retryMs: 10 });
    let release: () => void = () => undefined;
    const long = locks.withLock('m3', 'sync', () => new Promise<void>((resolve) => (release = resolve)));
    await new Promise((resolve) => setTimeout(resolve, 700)); // more than two leases
    await expect(other.withLock('m3', 'sync', () => Promise.resolve())).rejects.toMatchObject({
      code: 'LOCK_TIMEOUT',
      status: 503,
    });
    release();
    await long;
    await other.withLock('m3', 'sync', () => Promise.resolve());
  });

  it('a holder whose lease lapsed cannot release its successor’s lock', async () => {
    const raw = await client();
    const locks = new RedisLocks({ redis: raw, clock: systemClock, leaseMs: 100 });
    await locks.withLock('m4', 'policy', async () => {
      // Simulate the lapse: the lease is gone and someone else took the lock.
      await raw.sendCommand(['SET', 'keycard:lock:m4:policy', 'successor', 'PX', '5000']);
    });
    expect(await raw.sendCommand(['GET', 'keycard:lock:m4:policy'])).toBe('successor');
  });

  it('Redis down: acquiring fails with 503, never runs the work unlocked', async () => {
    const locks = new RedisLocks({ redis: await client(), clock: systemClock });
    await redis.stop();
    let ran = false;
    await expect(locks.withLock('m5', 'policy', () => Promise.resolve((ran = true)))).rejects.toMatchObject({
      status: 503,
    });
    expect(ran).toBe(false);
    await redis.start();
  });

  it('once-keys: across instances exactly one caller is first, and the key expires', async () => {
    const a = new RedisOnceKeys({ redis: await client() });
    const b = new RedisOnceKeys({ redis: await client() });
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, i) => (i % 2 === 0 ? a : b).first('event:x', 200)),
    );
    expect(answers.filter(Boolean)).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await b.first('event:x', 200)).toBe(true);

    let now = 0;
    const local = new InProcessOnceKeys({ clock: { now: () => now } });
    expect(await local.first('k', 100)).toBe(true);
    expect(await local.first('k', 100)).toBe(false);
    now = 101;
    expect(await local.first('k', 100)).toBe(true);
  });

  it('rate budget: two instances take from one bucket per portal on Redis', async () => {
    const waits: number[] = [];
    const instance = async () =>
      new RateBudget(
        { drainPerSecond: 20, burst: 5 },
        { clock: systemClock, sleep: (ms) => Promise.resolve(void waits.push(ms)) },
        redisBucket(await client(), 'm-bucket'),
      );
    const [a, b] = [await instance(), await instance()];
    for (let i = 0; i < 5; i++) {
      await a.acquire();
      await b.acquire();
    }
    // Ten requests against one bucket of 5 (one slot kept free): the sixth to tenth wait 50…300 ms.
    // Two private buckets would have let all ten through without a wait but one each.
    expect(waits.length).toBeGreaterThanOrEqual(6);
    expect(Math.max(...waits)).toBeGreaterThan(250);
  });
});
