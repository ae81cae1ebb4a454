import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { EmulatorOptions } from '../emulator/server.js';
import { startKeycardInstance, type KeycardProcess } from '../support/keycard-process.js';
import { call, readPolicy, savePolicy, until, waitForMirror } from '../support/keycard-http.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { sharedPortal, type SharedPortal } from '../support/shared-portal.js';

/*
 * Two Keycard instances as two OS processes, each started as `npm start` starts one (STORE_URL=redis://…,
 * so openStore's shared locks, event memory and request budgets), on one real Redis and one emulated portal,
 * reached only over HTTP: what one instance does, the other sees at once, and shared work happens once.
 */

let redis: RedisServer;
const running: { close(): Promise<void> }[] = [];
let portals = 0;

beforeAll(async () => {
  redis = await startRedis();
});

afterEach(async () => {
  for (const thing of running.splice(0).reverse()) await thing.close();
});

afterAll(async () => {
  await redis.stop();
});

interface TwoInstances {
  shared: SharedPortal;
  a: KeycardProcess;
  b: KeycardProcess;
  /** A portal admin's UI session (valid on both: they share SECRET_KEY and APP_URL). */
  admin: string;
}

/** A fresh portal installed through instance A, whose first sync has completed; B serves the same portal. */
async function twoInstances(emulator: EmulatorOptions = {}): Promise<TwoInstances> {
  portals += 1;
  const shared = await sharedPortal({
    company: { users: 250, departments: 12, seed: 7 },
    // Each test its own portal, so nothing one left in Redis meets the next.
    memberId: `two-instances-${portals}`,
    ...emulator,
  });
  running.push(shared);
  const env = shared.env(redis.url);
  const [a, b] = await Promise.all([startKeycardInstance({ env }), startKeycardInstance({ env })]);
  running.push({ close: () => a.stop() }, { close: () => b.stop() });
  shared.deliverEventsTo([a.url]);
  await shared.install(a.url);
  const admin = await shared.bearer({ userId: '1', isAdmin: true });
  await waitForMirror(a.url, admin);
  return { shared, a, b, admin };
}

const usersSchema = z.object({ users: z.array(z.object({ id: z.union([z.number(), z.string()]) })) });

/** Events at once in the expired-token tests. */
const EVENTS = 100;

/** `user.get` calls answered with the user (those sent with an expired token were refused with expired_token). */
function fetched(shared: SharedPortal): number {
  const { byMethod, errors } = shared.portal.counters;
  return (byMethod['user.get'] ?? 0) - (errors['expired_token'] ?? 0);
}

/**
 * Expires the portal's tokens and posts 100 ONUSERADD, half to each instance: each makes the instance that got
 * it fetch the user with the installation's expired token. Resolves once every user was fetched. (The portal is
 * on Enterprise, whose bucket of 250 requests takes the calls and their refused first tries without a wait:
 * Keycard reads the plan on install.)
 */
async function fetchEveryoneOnExpiredToken({ shared, a, b }: TwoInstances): Promise<void> {
  const { portal } = shared;
  portal.tokens.expireAll();
  portal.resetCounters();
  const answers = await Promise.all(
    portal.directory.users
      .slice(0, EVENTS)
      .map((user, i) => call(i % 2 === 0 ? a.url : b.url, '/events', { method: 'POST', form: shared.userAdded(user) })),
  );
  expect(answers.map((answer) => answer.status).filter((status) => status !== 200)).toEqual([]);
  await until(`${EVENTS} users fetched`, async () => fetched(shared) >= EVENTS);
  expect(fetched(shared)).toBe(EVENTS);
}

describe('two instances (two processes) on one Redis', () => {
  it('a portal installed through A opens through B, and B reads the mirror A synced', async () => {
    const { shared, a, b, admin } = await twoInstances();
    const [worker] = shared.employees();
    if (worker === undefined) throw new Error('no employee');
    const page = await shared.open(b.url, worker);
    expect(page.status).toBe(200);
    expect(page.text).toContain('keycard-bootstrap');
    const onB = usersSchema.parse((await call(b.url, '/api/directory/users?limit=500', { bearer: admin })).json());
    const onA = usersSchema.parse((await call(a.url, '/api/directory/users?limit=500', { bearer: admin })).json());
    expect(onB.users.map((user) => String(user.id))).toContain(String(worker.id));
    expect(onB).toEqual(onA);
  });

  it('a policy edit on A is enforced on B at once', async () => {
    const { shared, a, b, admin } = await twoInstances();
    const [inside, ...rest] = shared.employees();
    if (inside === undefined) throw new Error('no employee');
    const department = inside.departments[0] ?? 0;
    const outside = rest.find((user) => !user.departments.includes(department));
    if (outside === undefined) throw new Error('no employee outside');
    const outsider = await shared.bearer({ userId: String(outside.id), isAdmin: false });
    expect((await call(b.url, '/api/scopes', { bearer: outsider })).status).toBe(200);

    const current = await readPolicy(a.url, admin);
    const saved = await savePolicy(a.url, admin, current.etag, { ...current.content, allowList: [`D${department}`] });
    expect(saved.status).toBe(200);

    expect((await shared.open(b.url, outside)).status).toBe(403);
    expect((await shared.open(b.url, inside)).status).toBe(200);
    const refused = await call(b.url, '/api/scopes', { bearer: outsider });
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('APP_ACCESS_DENIED');
    // B reads the policy A saved, with A's ETag, and refuses a save based on the older one.
    const onB = await readPolicy(b.url, admin);
    expect(onB.etag).toBe(saved.headers.get('etag'));
    expect(onB.content['allowList']).toEqual([`D${department}`]);
    expect((await savePolicy(b.url, admin, current.etag, current.content)).status).toBe(409);
  });

  it('100 events across both on an expired token: every user is fetched, no renewal refused; both keep working', async () => {
    const pair = await twoInstances({ plan: 'enterprise' });
    const { shared, a, b } = pair;
    const { counters } = shared.portal;
    await fetchEveryoneOnExpiredToken(pair);
    expect(Object.keys(counters.errors).filter((code) => code !== 'expired_token')).toEqual([]);
    expect(counters.tokenRefreshes).toBeGreaterThanOrEqual(1);
    expect(counters.tokenRefreshFailures).toBe(0);

    // Neither instance is left holding a dead refresh token: another expiry renews again, from either side.
    const renewed = counters.tokenRefreshes;
    shared.portal.tokens.expireAll();
    const [first, second] = shared.portal.directory.users.slice(EVENTS, EVENTS + 2);
    if (first === undefined || second === undefined) throw new Error('not enough users');
    await call(b.url, '/events', { method: 'POST', form: shared.userAdded(first) });
    await until('the user fetched through B', async () => fetched(shared) >= EVENTS + 1);
    await call(a.url, '/events', { method: 'POST', form: shared.userAdded(second) });
    await until('the user fetched through A', async () => fetched(shared) >= EVENTS + 2);
    expect(counters.tokenRefreshes).toBeGreaterThan(renewed);
    expect(counters.tokenRefreshFailures).toBe(0);
    // Two processes, 200 event requests and their refreshes: seconds on an idle machine, more on a busy CI runner.
  }, 60_000);

  it('100 events across both on an expired token renew it exactly once', async () => {
    const pair = await twoInstances({ plan: 'enterprise' });
    await fetchEveryoneOnExpiredToken(pair);
    expect(pair.shared.portal.counters.tokenRefreshes).toBe(1);
  }, 60_000);

  it('syncs of one portal requested on both instances at once: one runs', async () => {
    // Every REST answer takes 300 ms, so the winning sync is still running when the other instance asks.
    const { a, b, admin } = await twoInstances({ restLatencyMs: 300 });
    const started = await Promise.all(
      [a, b].map(async (instance) => {
        const res = await call(instance.url, '/api/sync', { method: 'POST', bearer: admin });
        expect(res.status).toBe(202);
        return z.object({ started: z.boolean() }).parse(res.json()).started;
      }),
    );
    expect(started.filter(Boolean)).toHaveLength(1);
    await waitForMirror(b.url, admin, 2);
    const status = z.object({ state: z.string(), generation: z.number() });
    // The install's sync built generation 1 and the one that ran generation 2; a second run would have built 3.
    expect(status.parse((await call(b.url, '/api/sync', { bearer: admin })).json())).toEqual({
      state: 'idle',
      generation: 2,
    });
  });
});
