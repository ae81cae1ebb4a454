import { describe, expect, it } from 'vitest';
import { BitrixError } from '../../server/bitrix/bitrix-error.js';
import {
  RateBudget,
  ENTERPRISE_LIMITS,
  STANDARD_LIMITS,
  withRateRetry,
  type Sleep,
} from '../../server/bitrix/rate-budget.js';
import { RateBudgets } from '../../server/bitrix/rate-budgets.js';

/** A clock that only moves when the budget sleeps (or the test says so), and a log of every sleep. */
function virtualTime(start = 1_700_000_000_000) {
  let now = start;
  const sleeps: number[] = [];
  const sleep: Sleep = async (ms) => {
    sleeps.push(ms);
    now += ms;
  };
  return { clock: { now: () => now }, sleep, sleeps, advance: (ms: number) => (now += ms), elapsed: () => now - start };
}

describe('RateBudget', () => {
  it('lets a burst through at once (one slot kept free), then paces at the drain rate', async () => {
    const time = virtualTime();
    const budget = new RateBudget({ drainPerSecond: 2, burst: 50 }, { clock: time.clock, sleep: time.sleep });
    for (let i = 0; i < 49; i++) await budget.acquire();
    expect(time.sleeps).toEqual([]);
    for (let i = 0; i < 10; i++) await budget.acquire();
    // 10 more at 2/s: each waits one drain interval (500 ms) plus a 5 ms margin, in order.
    expect(time.sleeps).toHaveLength(10);
    expect(time.elapsed()).toBeGreaterThanOrEqual(5000);
    expect(time.elapsed()).toBeLessThan(5200);
    expect(budget.stats.requests).toBe(59);
  });

  it('never lets the level seen by the portal exceed the burst, even for concurrent callers', async () => {
    const now = 1_700_000_000_000;
    const sleeps: number[] = [];
    // Concurrent callers all start now; the sleep only records how long each would wait.
    const budget = new RateBudget(
      { drainPerSecond: 5, burst: 4 },
      { clock: { now: () => now }, sleep: async (ms) => void sleeps.push(ms) },
    );
    // Reservations are made synchronously in call order: 3 slots usable, the 4th..8th wait 200, 400, … ms.
    await Promise.all(Array.from({ length: 8 }, () => budget.acquire()));
    expect(sleeps.map((ms) => Math.round(ms / 100) * 100)).toEqual([200, 400, 600, 800, 1000]);
  });

  it('drains while idle', async () => {
    const time = virtualTime();
    const budget = new RateBudget({ drainPerSecond: 2, burst: 4 }, { clock: time.clock, sleep: time.sleep });
    for (let i = 0; i < 3; i++) await budget.acquire();
    expect(time.sleeps).toEqual([]);
    time.advance(2000);
    expect(budget.level).toBe(0);
    await budget.acquire();
    expect(time.sleeps).toEqual([]);
  });

  it('a 503 fills the bucket and backs off exponentially until a success', async () => {
    const time = virtualTime();
    const budget = new RateBudget({ drainPerSecond: 2, burst: 10 }, { clock: time.clock, sleep: time.sleep });
    budget.noteQueryLimit();
    await budget.acquire();
    budget.noteQueryLimit();
    await budget.acquire();
    budget.noteQueryLimit();
    await budget.acquire();
    // Full bucket (less the free slot): 1 s; then a penalty of 1, then 3 extra slots: 1.5 s, 2.5 s.
    expect(time.sleeps.map((ms) => Math.round(ms / 100) * 100)).toEqual([1000, 1500, 2500]);
    budget.noteSuccess();
    budget.noteQueryLimit();
    const before = time.sleeps.length;
    await budget.acquire();
    expect(Math.round((time.sleeps[before] ?? 0) / 100) * 100).toBe(1000);
    expect(budget.stats.queryLimitHits).toBe(4);
  });

  it('a 429 blocks only that method, until the operating_reset_at last reported for it', async () => {
    const time = virtualTime();
    const budget = new RateBudget(STANDARD_LIMITS, { clock: time.clock, sleep: time.sleep });
    const resetAt = Math.floor(time.clock.now() / 1000) + 90;
    budget.noteTime('user.get', { operating: 470, operating_reset_at: resetAt });
    budget.noteOperatingLimit('user.get');
    await budget.acquire('department.get');
    expect(time.sleeps).toEqual([]);
    await budget.acquire('user.get');
    expect(time.clock.now()).toBeGreaterThanOrEqual(resetAt * 1000);
    expect(time.clock.now()).toBeLessThanOrEqual(resetAt * 1000 + 1000);
    // Unblocked afterwards.
    const sleeps = time.sleeps.length;
    await budget.acquire('user.get');
    expect(time.sleeps.length).toBe(sleeps);
  });

  it('a 429 without a known reset waits the default, capped by the maximum', async () => {
    const time = virtualTime();
    const budget = new RateBudget(STANDARD_LIMITS, {
      clock: time.clock,
      sleep: time.sleep,
      defaultOperatingWaitMs: 60_000,
      maxOperatingWaitMs: 30_000,
    });
    budget.noteOperatingLimit('user.get');
    await budget.waitForMethod('USER.GET');
    expect(time.elapsed()).toBe(30_000);
  });
});

describe('withRateRetry', () => {
  const limit = () => new BitrixError('QUERY_LIMIT_EXCEEDED', 503);

  it('retries after a 503 through the budget and returns the result', async () => {
    const time = virtualTime();
    const budget = new RateBudget({ drainPerSecond: 2, burst: 50 }, { clock: time.clock, sleep: time.sleep });
    let calls = 0;
    const result = await withRateRetry(budget, 'scope', async () => {
      await budget.acquire('scope');
      calls++;
      if (calls === 1) throw limit();
      return 'ok';
    });
    expect(result).toBe('ok');
    expect(calls).toBe(2);
    expect(budget.stats).toMatchObject({ requests: 2, queryLimitHits: 1 });
    expect(time.elapsed()).toBeGreaterThanOrEqual(500);
  });

  it('retries after a 429 once the method is unblocked', async () => {
    const time = virtualTime();
    const budget = new RateBudget(STANDARD_LIMITS, {
      clock: time.clock,
      sleep: time.sleep,
      defaultOperatingWaitMs: 10_000,
    });
    let calls = 0;
    await withRateRetry(budget, 'user.get', async () => {
      await budget.acquire('user.get');
      calls++;
      if (calls === 1) throw new BitrixError('OPERATION_TIME_LIMIT', 429);
    });
    expect(calls).toBe(2);
    expect(time.elapsed()).toBe(10_000);
    expect(budget.stats.operatingLimitHits).toBe(1);
  });

  it('gives up after maxAttempts and throws the typed error', async () => {
    const time = virtualTime();
    const budget = new RateBudget(STANDARD_LIMITS, { clock: time.clock, sleep: time.sleep, maxAttempts: 3 });
    let calls = 0;
    const failing = withRateRetry(budget, 'scope', async () => {
      calls++;
      throw limit();
    });
    await expect(failing).rejects.toMatchObject({ bitrixCode: 'QUERY_LIMIT_EXCEEDED', bitrixStatus: 503 });
    expect(calls).toBe(3);
  });

  it('does not retry other errors (a manual block by support included)', async () => {
    const time = virtualTime();
    const budget = new RateBudget(STANDARD_LIMITS, { clock: time.clock, sleep: time.sleep });
    for (const error of [
      new BitrixError('insufficient_scope', 403),
      new BitrixError('OVERLOAD_LIMIT', 503),
      new Error('boom'),
    ]) {
      let calls = 0;
      await expect(
        withRateRetry(budget, 'scope', async () => {
          calls++;
          throw error;
        }),
      ).rejects.toBe(error);
      expect(calls).toBe(1);
    }
  });
});

describe('RateBudgets', () => {
  it('keeps one budget per portal, shared by every caller, with per-portal limits', () => {
    const time = virtualTime();
    const budgets = new RateBudgets({ clock: time.clock, sleep: time.sleep });
    expect(budgets.forPortal('a')).toBe(budgets.forPortal('a'));
    expect(budgets.forPortal('a')).not.toBe(budgets.forPortal('b'));
    expect(budgets.forPortal('a').limits).toEqual(STANDARD_LIMITS);
    budgets.setLimits('a', ENTERPRISE_LIMITS);
    expect(budgets.forPortal('a').limits).toEqual({ drainPerSecond: 5, burst: 250 });
    budgets.setLimits('c', ENTERPRISE_LIMITS);
    expect(budgets.forPortal('c').limits).toEqual(ENTERPRISE_LIMITS);
    expect(budgets.forPortal('b').limits).toEqual(STANDARD_LIMITS);
  });
});

describe('RateBudget bounds its queue', () => {
  /** Concurrent callers at one instant (nothing drains); resolves with how each ended. */
  async function flood(budget: RateBudget, count: number, priority: 'interactive' | 'normal' | 'background') {
    return Promise.all(
      Array.from({ length: count }, () =>
        budget.acquire('profile', priority).then(
          () => 'sent',
          (error: unknown) => error,
        ),
      ),
    );
  }

  it('a request that would wait past its bound is refused at once with PORTAL_BUSY and Retry-After', async () => {
    const sleeps: number[] = [];
    const budget = new RateBudget(STANDARD_LIMITS, {
      clock: { now: () => 1_700_000_000_000 },
      sleep: async (ms) => void sleeps.push(ms),
    });
    // 49 at once, then 2/s: an interactive caller may wait 5 s (10 more), a normal one 30 s (60 more).
    const interactive = await flood(budget, 100, 'interactive');
    expect(interactive.filter((outcome) => outcome === 'sent')).toHaveLength(49 + 10);
    const refused = interactive.find((outcome) => outcome !== 'sent');
    expect(refused).toMatchObject({ code: 'PORTAL_BUSY', status: 503 });
    expect((refused as { retryAfterSeconds: number }).retryAfterSeconds).toBeGreaterThan(5);
    expect(Math.max(...sleeps)).toBeLessThanOrEqual(5_000 + 10);
    const normal = await flood(budget, 100, 'normal');
    // The level stood at 59 (49 usable): another 50 fit in 30 s.
    expect(normal.filter((outcome) => outcome === 'sent')).toHaveLength(50);
    expect(budget.stats.requests).toBe(59 + 50);
  });

  it('background requests never wait and leave a fifth of the bucket to people and the sync', async () => {
    const budget = new RateBudget(STANDARD_LIMITS, {
      clock: { now: () => 1_700_000_000_000 },
      sleep: () => Promise.reject(new Error('a background request must not wait')),
    });
    const outcomes = await flood(budget, 100, 'background');
    // 49 usable less 10 kept free.
    expect(outcomes.filter((outcome) => outcome === 'sent')).toHaveLength(39);
    expect(outcomes.at(-1)).toMatchObject({ code: 'PORTAL_BUSY' });
    // A person still gets through at once.
    await expect(flood(budget, 10, 'interactive')).resolves.toEqual(Array(10).fill('sent'));
  });

  it('a refused request gives its reservation back to the shared bucket', async () => {
    let level = 0;
    const shared = {
      update: async (_drain: number, add: number, floor: number) => (level = Math.max(level + add, floor)),
    };
    const budget = new RateBudget(
      STANDARD_LIMITS,
      { clock: { now: () => 1_700_000_000_000 }, sleep: async () => undefined },
      shared,
    );
    await flood(budget, 100, 'background');
    expect(level).toBe(39);
  });

  it('an operating-limit block refuses people and events at once; the sync waits it out', async () => {
    const time = virtualTime();
    const budget = new RateBudget(STANDARD_LIMITS, { clock: time.clock, sleep: time.sleep });
    budget.noteOperatingLimit('user.get');
    await expect(budget.acquire('user.get', 'interactive')).rejects.toMatchObject({ code: 'PORTAL_BUSY' });
    await expect(budget.acquire('user.get', 'background')).rejects.toMatchObject({ code: 'PORTAL_BUSY' });
    await budget.acquire('user.get', 'normal');
    expect(time.elapsed()).toBeGreaterThanOrEqual(60_000);
  });
});
