import { describe, expect, it } from 'vitest';
import { BackgroundTasks } from '../../server/background.js';
import type { Clock } from '../../server/clock.js';
import { dueShare, ReconcileSchedule } from '../../server/directory/reconcile-schedule.js';
import type { DirectoryRepository } from '../../server/directory/directory-repository.js';
import { createLogger } from '../../server/logger.js';
import { InProcessOnceKeys, type OnceKeys } from '../../server/store/once-keys.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const NOW = 1_800_000_000_000;
const clock: Clock = { now: () => NOW };
const silent = createLogger({ level: 'silent' });

/**
 * A schedule at NOW over `listed` portals whose mirrors are `ages` ms old (null: never synced); records what it
 * asked for and whom it synced.
 */
function schedule(
  ages: Record<string, number | null>,
  options: { random?: () => number; intervalMs?: number; onceKeys?: OnceKeys } = {},
) {
  const synced: string[] = [];
  const asked: number[] = [];
  const store = {
    meta: (memberId: string) => {
      const age = ages[memberId];
      return Promise.resolve({ build: null, current: age == null ? null : { completedAt: NOW - age } });
    },
  } as unknown as DirectoryRepository;
  const reconcile = new ReconcileSchedule({
    clock,
    logger: silent,
    background: new BackgroundTasks({ logger: silent }),
    store,
    listPortals: (usedSince) => {
      asked.push(usedSince);
      return Promise.resolve(Object.keys(ages));
    },
    runSync: (memberId) => {
      synced.push(memberId);
      return Promise.resolve({} as never);
    },
    intervalMs: options.intervalMs ?? HOUR,
    initialDelayMs: 1000,
    inUseMs: 14 * DAY,
    onceKeys: options.onceKeys ?? new InProcessOnceKeys({ clock }),
    ...(options.random === undefined ? {} : { random: options.random }),
  });
  return { synced, asked, reconcile };
}

describe('the scheduled reconcile', () => {
  it('asks only for portals used within the window, and syncs those whose mirror is due', async () => {
    const { synced, asked, reconcile } = schedule({ fresh: 60_000, stale: 1.5 * HOUR, never: null });
    await reconcile.reconcile();
    expect(asked).toEqual([NOW - 14 * DAY]);
    expect(synced).toEqual(['stale', 'never']);
    // With a zero interval every mirror is due.
    await reconcile.reconcile(0);
    expect(synced).toEqual(['stale', 'never', 'fresh', 'stale', 'never']);
  });

  it('spreads portals over a fifth of the interval, each at its own fixed share', () => {
    const shares = Array.from({ length: 2000 }, (_, i) => dueShare(`member-${i}`));
    expect(Math.min(...shares)).toBeGreaterThanOrEqual(0.9);
    expect(Math.max(...shares)).toBeLessThan(1.1);
    // Spread, not bunched: every tenth of the range holds some portals.
    expect(new Set(shares.map((share) => Math.floor((share - 0.9) * 50))).size).toBe(10);
    expect(dueShare('member-1')).toBe(dueShare('member-1'));
  });

  it('mirrors of the same age fall due at different times: the early share syncs, the late one waits', async () => {
    const ids = Array.from({ length: 200 }, (_, i) => `m${i}`);
    const early = ids.reduce((a, b) => (dueShare(a) < dueShare(b) ? a : b));
    const late = ids.reduce((a, b) => (dueShare(a) > dueShare(b) ? a : b));
    const { synced, reconcile } = schedule({ [early]: HOUR, [late]: HOUR });
    await reconcile.reconcile();
    expect(synced).toEqual([early]);
  });

  it('looks a few times per interval, each wait drawn anew (75% to 125% of a quarter)', async () => {
    const draws = [0, 0.999, 0.5];
    const { asked, reconcile } = schedule(
      {},
      {
        intervalMs: 400,
        random: () => draws.shift() ?? 0.5,
        // The pass lease runs on real time here (70 ms: under the shortest wait between ticks).
        onceKeys: new InProcessOnceKeys({ clock: { now: () => Date.now() } }),
      },
    );
    const started = Date.now();
    reconcile.start();
    // First pass after min(initial delay, interval) = 400 ms, then 75 ms (0.75 × 100) and ≈125 ms.
    while (asked.length < 3 && Date.now() - started < 5000) await new Promise((resolve) => setTimeout(resolve, 5));
    reconcile.stop();
    const elapsed = Date.now() - started;
    expect(asked.length).toBe(3);
    expect(elapsed).toBeGreaterThanOrEqual(400 + 75 + 120);
    expect(draws).toEqual([]);
  });

  it('instances sharing the event memory run each scheduled pass once between them', async () => {
    const shared = new InProcessOnceKeys({ clock: { now: () => Date.now() } });
    const instances = [0, 1, 2].map(() =>
      schedule({ stale: 3 * HOUR }, { intervalMs: 400, random: () => 0.5, onceKeys: shared }),
    );
    for (const { reconcile } of instances) reconcile.start();
    await new Promise((resolve) => setTimeout(resolve, 450));
    for (const { reconcile } of instances) reconcile.stop();
    // All three ticked at 400 ms; one of them took the pass.
    expect(instances.map(({ asked }) => asked.length).sort()).toEqual([0, 0, 1]);
  });

  it('an open syncs a mirror the reconcile left alone while the portal was idle, and nothing fresher', async () => {
    const { reconcile } = schedule({ idle: 3 * HOUR, recent: 1.5 * HOUR, never: null });
    const started: string[] = [];
    const start = (memberId: string) => {
      started.push(memberId);
      return Promise.resolve(true);
    };
    for (const memberId of ['idle', 'recent', 'never']) await reconcile.syncIfIdle(memberId, start);
    expect(started).toEqual(['idle', 'never']);
  });
});
