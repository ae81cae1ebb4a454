import { describe, expect, it } from 'vitest';
import { BackgroundTasks } from '../../server/background.js';
import { createLogger } from '../../server/logger.js';
import { InProcessOnceKeys } from '../../server/store/once-keys.js';
import { harness } from '../support/harness.js';

const silent = createLogger({ level: 'silent' });

describe('handled-event memory in one process', () => {
  it('stays within its bound: the oldest keys go first, and a check never walks the whole map', async () => {
    let now = 1_000;
    const keys = new InProcessOnceKeys({ clock: { now: () => now }, maxKeys: 1000 });
    for (let i = 0; i < 5000; i++) expect(await keys.first(`event-${i}`, 60_000)).toBe(true);
    expect(keys.size).toBe(1000);
    // The newest are still remembered; the oldest were forgotten to make room.
    expect(await keys.first('event-4999', 60_000)).toBe(false);
    expect(await keys.first('event-0', 60_000)).toBe(true);

    // Expired keys are swept as new ones arrive.
    now += 120_000;
    for (let i = 0; i < 200; i++) await keys.first(`later-${i}`, 60_000);
    expect(keys.size).toBeLessThan(1000);
  });

  it('checking against a full map costs the same as against an empty one (no scan per call)', async () => {
    const now = 1_000;
    const keys = new InProcessOnceKeys({ clock: { now: () => now }, maxKeys: 200_000 });
    for (let i = 0; i < 200_000; i++) await keys.first(`event-${i}`, 3_600_000);
    // Before the fix, every call past 100k keys walked all of them looking for expired ones.
    let visited = 0;
    const iterate = Map.prototype[Symbol.iterator];
    Map.prototype[Symbol.iterator] = function (this: Map<unknown, unknown>) {
      const inner = iterate.call(this);
      return {
        next: () => {
          visited++;
          return inner.next();
        },
        [Symbol.iterator]() {
          return this;
        },
      } as MapIterator<[unknown, unknown]>;
    };
    try {
      for (let i = 0; i < 100; i++) await keys.first(`new-${i}`, 3_600_000);
    } finally {
      Map.prototype[Symbol.iterator] = iterate;
    }
    expect(visited).toBeLessThan(100 * 10);
  });
});

describe('background tasks', () => {
  it('refuse optional work past their bound and count it; essential work always runs', async () => {
    const tasks = new BackgroundTasks({ logger: silent, maxRunning: 10 });
    const gates: (() => void)[] = [];
    let ran = 0;
    const hold = () =>
      new Promise<void>((resolve) => {
        ran++;
        gates.push(resolve);
      });
    for (let i = 0; i < 50; i++) tasks.run('refresh user', hold);
    tasks.run('purge portal data', hold, { essential: true });
    expect(tasks.stats).toEqual({ running: 11, dropped: 40 });
    expect(ran).toBe(11);
    for (const open of gates) open();
    await tasks.idle();
    expect(tasks.stats).toEqual({ running: 0, dropped: 40 });
  });
});

describe('/readyz', () => {
  it('reports the background tasks and the handled-event memory of the process', async () => {
    const h = harness();
    h.services.background.run('wait a little', () => new Promise((resolve) => setTimeout(resolve, 50)));
    await h.services.onceKeys.first('event-1', 60_000);
    const res = await h.request.get('/readyz');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ready', background: { running: 1, dropped: 0 }, handledEvents: 1 });
    await h.background.idle();
  });
});
