import { describe, expect, it } from 'vitest';
import { testEmulator } from './helpers.js';

async function statuses(call: () => Promise<{ status: number }>, times: number): Promise<number[]> {
  const out: number[] = [];
  for (let index = 0; index < times; index++) out.push((await call()).status);
  return out;
}

describe('leaky bucket (QUERY_LIMIT_EXCEEDED)', () => {
  it('lets a burst of 50 through, then answers 503, and drains 2 requests per second', async () => {
    const t = testEmulator({ rateLimit: { drainPerSecond: 2, burst: 50 } });
    const token = t.install();
    const call = () => t.rest('user.admin', {}, token);
    expect(await statuses(call, 50)).toEqual(Array(50).fill(200));
    const refused = await call().expect(503);
    expect(refused.body).toEqual({ error: 'QUERY_LIMIT_EXCEEDED', error_description: 'Too many requests' });
    t.clock.advance(1000);
    expect(await statuses(call, 3)).toEqual([200, 200, 503]);
    t.clock.advance(25_000);
    expect(await statuses(call, 51)).toEqual([...Array(50).fill(200), 503]);
    expect(t.portal.counters.rateLimited).toBe(3);
  });

  it('is on by default and counts a whole batch as one request', async () => {
    const t = testEmulator({ rateLimit: undefined });
    const token = t.install();
    const call = () => t.rest('user.admin', {}, token);
    expect(await statuses(call, 49)).toEqual(Array(49).fill(200));
    const cmd = Object.fromEntries(Array.from({ length: 20 }, (_, index) => [`c${index}`, 'profile']));
    await t.rest('batch', { cmd }, token).expect(200);
    await call().expect(503);
  });

  it('can be switched off', async () => {
    const t = testEmulator({ rateLimit: false });
    const token = t.install();
    expect(await statuses(() => t.rest('user.admin', {}, token), 120)).toEqual(Array(120).fill(200));
  });
});

describe('operating limit (OPERATION_TIME_LIMIT)', () => {
  it('blocks one method with 429 once its simulated time exceeds the limit, until the window moves on', async () => {
    const t = testEmulator({
      operatingLimitSeconds: 0.02,
      operatingCost: { perCallSeconds: 0.005, perRowSeconds: 0, perCountedRowSeconds: 0 },
    });
    const token = t.install();
    const operating: number[] = [];
    for (let index = 0; index < 4; index++)
      operating.push((await t.rest('user.get', { start: -1 }, token).expect(200)).body.time.operating);
    expect(operating).toEqual([0.005, 0.01, 0.015, 0.02]);
    const blocked = await t.rest('user.get', { start: -1 }, token).expect(429);
    expect(blocked.body.error).toBe('OPERATION_TIME_LIMIT');
    await t.rest('department.get', {}, token).expect(200);
    t.clock.advance(10 * 60_000);
    await t.rest('user.get', { start: -1 }, token).expect(200);
    expect(t.portal.counters.operatingLimited).toBe(1);
  });

  it('charges rows and counting: start=-1 is cheaper than counting a total', async () => {
    const t = testEmulator({ company: { users: 1000 } });
    const token = t.install();
    const fast = (await t.rest('user.get', { start: -1 }, token)).body.time.processing;
    const counted = (await t.rest('user.get', { start: 0 }, token)).body.time.processing;
    expect(counted).toBeGreaterThan(fast);
  });

  it('counts batch commands against their own methods, not the batch call', async () => {
    const t = testEmulator({
      operatingLimitSeconds: 0.01,
      operatingCost: { perCallSeconds: 0.005, perRowSeconds: 0, perCountedRowSeconds: 0 },
    });
    const token = t.install();
    const response = await t
      .rest('batch', { cmd: { a: 'profile', b: 'profile', c: 'profile', d: 'user.admin' } }, token)
      .expect(200);
    expect(Object.keys(response.body.result.result)).toEqual(['a', 'b', 'd']);
    expect(response.body.result.result_error.c.error).toBe('OPERATION_TIME_LIMIT');
    expect(response.body.time.operating).toBe(0);
  });
});
