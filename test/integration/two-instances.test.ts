import type { Keyv } from 'keyv';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { CompanyUser } from '../emulator/company.js';
import { createKeyv } from '../../server/store/keyv-factory.js';
import { createRedisClient, type RedisClient } from '../../server/store/redis-client.js';
import { RedisLocks } from '../../server/store/redis-locks.js';
import { systemClock } from '../../server/clock.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import type { DirectoryOptions } from '../../server/directory/directory-service.js';
import { directoryStack, type DirectoryStack } from './directory-stack.js';

/*
 * Two Keycard instances on one real Redis (store and locks), one emulated portal: what one instance does,
 * the other sees at once, and shared work happens once.
 */

let redis: RedisServer;
const clients: RedisClient[] = [];
const stores: Keyv[] = [];
const stacks: DirectoryStack[] = [];

beforeAll(async () => {
  redis = await startRedis();
});

afterEach(async () => {
  for (const stack of stacks.splice(0).reverse()) await stack.close();
  // The emulator's portal has the same member id in every test: start each from an empty Redis.
  await clients[0]?.sendCommand(['FLUSHALL']);
  // Disconnecting a store closes its client.
  for (const store of stores.splice(0)) await store.disconnect().catch(() => undefined);
  clients.splice(0);
});

afterAll(async () => {
  await redis.stop();
});

/** One instance's connection to the shared Redis: its own client, for the store and the shared locks. */
async function sharedStore(): Promise<{ store: Keyv; locks: RedisLocks }> {
  const client = createRedisClient(redis.url);
  client.on('error', () => undefined);
  await client.connect();
  clients.push(client);
  const store = createKeyv(redis.url, client);
  stores.push(store);
  return { store, locks: new RedisLocks({ redis: client, clock: systemClock, retryMs: 5 }) };
}

/** Instance A (installs the portal on the emulator) and instance B on the same portal and Redis. */
async function twoInstances(
  directory: Partial<DirectoryOptions> = {},
): Promise<{ a: DirectoryStack; b: DirectoryStack }> {
  // The emulator's own rate limit is off; so is ours (200 calls would otherwise wait out the 2/s bucket).
  const budget = { drainPerSecond: 10_000, burst: 10_000 };
  const shared = { budget, cacheReads: false, directory };
  const a = await directoryStack({ users: 150, departments: 12, ...shared, ...(await sharedStore()) });
  stacks.push(a);
  const b = await directoryStack({ emulator: a.running, ...shared, ...(await sharedStore()) });
  stacks.push(b);
  return { a, b };
}

function open(s: DirectoryStack, user: CompanyUser) {
  const tokens = s.portal.issueTokens(user.id);
  return s.request
    .post('/app')
    .query({ DOMAIN: s.portal.host, PROTOCOL: '0', LANG: 'en', APP_SID: 'sid' })
    .type('form')
    .send({
      AUTH_ID: tokens.accessToken,
      AUTH_EXPIRES: '3600',
      REFRESH_ID: tokens.refreshToken,
      member_id: s.memberId,
      status: 'L',
      PLACEMENT: 'DEFAULT',
    });
}

function employees(s: DirectoryStack): CompanyUser[] {
  return s.portal.directory.users.filter(
    (user) => user.active && !user.admin && user.type === 'employee' && user.departments.length > 0,
  );
}

describe('two instances on one Redis', () => {
  it('a portal installed through A opens through B, and B reads the mirror A synced', async () => {
    const { a, b } = await twoInstances();
    await a.directory.runSync(a.memberId, 'admin');
    const worker = employees(a)[0];
    if (worker === undefined) throw new Error('no employee');
    const res = await open(b, worker);
    expect(res.status).toBe(200);
    const snapshot = await b.directory.snapshot(b.memberId);
    expect(snapshot.users.get(worker.id)?.active).toBe(true);
  });

  it('a policy edit on A is enforced on B at once', async () => {
    const { a, b } = await twoInstances();
    await a.directory.runSync(a.memberId, 'admin');
    const [inside, ...rest] = employees(a);
    if (inside === undefined) throw new Error('no employee');
    const department = inside.departments[0] ?? 0;
    const outside = rest.find((user) => !user.departments.includes(department));
    if (outside === undefined) throw new Error('no employee outside');
    const outsiderOnB = `Bearer ${await b.session({ userId: String(outside.id), isAdmin: false })}`;
    expect((await b.request.get('/api/scopes').set('authorization', outsiderOnB)).status).not.toBe(403);

    const admin = `Bearer ${await a.session({ userId: '1', isAdmin: true })}`;
    const current = await a.request.get('/api/access/policy').set('authorization', admin);
    const { version: _version, ...policy } = current.body.policy;
    const saved = await a.request
      .put('/api/access/policy')
      .set('authorization', admin)
      .set('if-match', current.body.etag)
      .send({ ...policy, allowList: [`D${department}`] })
      .expect(200);

    expect((await open(b, outside)).status).toBe(403);
    expect((await open(b, inside)).status).toBe(200);
    const refused = await b.request.get('/api/scopes').set('authorization', outsiderOnB);
    expect(refused.status).toBe(403);
    expect(refused.body.error).toBe('APP_ACCESS_DENIED');
    // B reads the policy A saved, with A's ETag, and refuses a save based on the older one.
    const adminOnB = `Bearer ${await b.session({ userId: '1', isAdmin: true })}`;
    const onB = await b.request.get('/api/access/policy').set('authorization', adminOnB);
    expect(onB.headers['etag']).toBe(saved.headers['etag']);
    expect(onB.body.policy.allowList).toEqual([`D${department}`]);
    const stale = await b.request
      .put('/api/access/policy')
      .set('authorization', adminOnB)
      .set('if-match', current.body.etag)
      .send(policy);
    expect(stale.status).toBe(409);
  });

  it('200 concurrent calls across both on an expired token renew it exactly once, and both keep working', async () => {
    const { a, b } = await twoInstances();
    a.portal.tokens.expireAll();
    a.portal.resetCounters();
    const calls = Array.from({ length: 200 }, async (_, i) => {
      const instance = i % 2 === 0 ? a : b;
      const client = await instance.services.clients.forPortal(instance.memberId);
      return client.call('profile');
    });
    const results = await Promise.allSettled(calls);
    expect(results.filter((result) => result.status === 'rejected')).toEqual([]);
    expect(a.portal.counters.tokenRefreshes).toBe(1);
    expect(a.portal.counters.tokenRefreshFailures).toBe(0);

    // Neither instance is left holding a dead refresh token: another expiry renews again, from either side.
    a.portal.tokens.expireAll();
    await (await b.services.clients.forPortal(b.memberId)).call('profile');
    await (await a.services.clients.forPortal(a.memberId)).call('profile');
    expect(a.portal.counters.tokenRefreshes).toBe(2);
    expect((await a.services.installations.get(a.memberId))?.state).toBe('active');
  });

  it('syncs of one portal requested on both instances: one runs', async () => {
    // The sync that wins the lease holds at its first checkpoint until both requests were answered: on a
    // loaded machine it could otherwise finish before the other instance even asks, and a second sync would
    // then rightly run.
    let bothAsked = (): void => undefined;
    const asked = new Promise<void>((resolve) => (bothAsked = resolve));
    const { a, b } = await twoInstances({ hooks: { afterBatch: () => asked } });
    a.portal.resetCounters();
    const started = await Promise.all([
      a.directory.startSync(a.memberId, 'admin'),
      b.directory.startSync(b.memberId, 'admin'),
    ]);
    bothAsked();
    await Promise.all([a.background.idle(), b.background.idle()]);
    expect(started.filter(Boolean)).toHaveLength(1);
    const status = await b.directory.status(b.memberId);
    expect(status.state).toBe('idle');
    // A second run would have built generation 2.
    expect(status.generation).toBe(1);
  });
});
