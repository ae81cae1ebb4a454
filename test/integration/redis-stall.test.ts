import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../server/clock.js';
import { createLogger } from '../../server/logger.js';
import { openStore, type OpenedStore } from '../../server/open-store.js';
import { createRedisClient, type RedisClient } from '../../server/store/redis-client.js';
import { until } from '../support/keycard-http.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';

/*
 * A Redis that stalls (SIGSTOP: the kernel keeps accepting bytes, nothing is answered) under the client Keycard
 * uses, as openStore wires it: every call has a deadline whatever sent it — the store, the shared locks, the event
 * memory, the request budgets, a raw command — and the same client serves again once Redis runs (SIGCONT).
 */

/** A call's deadline (a probe interval and the stall threshold) plus scheduling slack. */
const DEADLINE_MS = 1600;

type Outcome = 'answered' | 'failed' | 'hung';

/** How `work` ended and how long it took; `hung` when it had not ended after 5 s. */
async function timed(work: Promise<unknown>): Promise<{ outcome: Outcome; ms: number }> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const outcome = await Promise.race([
    work.then(
      (): Outcome => 'answered',
      (): Outcome => 'failed',
    ),
    new Promise<Outcome>((resolve) => (timer = setTimeout(() => resolve('hung'), 5000))),
  ]);
  clearTimeout(timer);
  return { outcome, ms: Math.round(performance.now() - started) };
}

describe('a Redis that stalls', () => {
  let redis: RedisServer;
  let opened: OpenedStore;
  let client: RedisClient;

  beforeAll(async () => {
    redis = await startRedis();
    const quiet = createLogger({ level: 'silent', destination: new Writable({ write: (_c, _e, done) => done() }) });
    // What every Keycard process opens on a redis:// STORE_URL.
    opened = openStore(redis.url, systemClock, quiet);
    await opened.connected;
    client = createRedisClient(redis.url);
    client.on('error', () => undefined);
    await client.connect();
  });

  afterAll(async () => {
    redis?.resume();
    client?.destroy();
    await opened?.close();
    await redis?.stop();
  });

  it('every call fails within its deadline while Redis is frozen, and the same client serves after SIGCONT', async () => {
    const { keyv } = opened;
    const { locks, onceKeys, rateBudgets } = opened.shared;
    if (locks === undefined || onceKeys === undefined || rateBudgets === undefined) throw new Error('not on Redis');
    await keyv.set('before', 'kept');
    redis.pause();
    try {
      const calls = Object.entries({
        'store read': keyv.get('before'),
        'store write': keyv.set('during', 'maybe'),
        lock: locks.withLock('m1', 'policy', () => Promise.resolve('ran')),
        'event memory': onceKeys.first('event:1', 60_000),
        'request budget': rateBudgets.forPortal('m1').acquire(),
        'raw command': client.sendCommand(['GET', 'before']),
      });
      const ended = await Promise.all(calls.map(async ([name, call]) => ({ name, ...(await timed(call)) })));
      console.log(`frozen Redis: ${ended.map(({ name, outcome, ms }) => `${name} ${outcome} in ${ms} ms`).join(', ')}`);
      expect(ended.filter(({ outcome, ms }) => outcome !== 'failed' || ms >= DEADLINE_MS)).toEqual([]);
    } finally {
      redis.resume();
    }
    await until('the store answering again', async () => (await timed(keyv.get('before'))).outcome === 'answered');
    expect(await keyv.get('before')).toBe('kept');
    expect(await client.sendCommand(['PING'])).toBe('PONG');
  });

  it('an instance that was itself too busy to read the answer in time does not take that for a stall', async () => {
    const drops: unknown[] = [];
    const onError = (error: unknown) => {
      if (String(error).includes('did not answer')) drops.push(error);
    };
    client.on('error', onError);
    try {
      redis.pause();
      const sent = timed(client.sendCommand(['GET', 'before']));
      // A probe goes out within 250 ms and finds no answer; its second runs out within 1.25 s.
      await new Promise((resolve) => setTimeout(resolve, 400));
      // Redis runs again and answers at once, but this process is busy and reads nothing until 1.4 s, past the
      // probe's second (busy from a setImmediate: what runs first afterwards are the timers that expired).
      await new Promise((resolve) => setImmediate(resolve));
      redis.resume();
      const busyUntil = performance.now() + 1000;
      while (performance.now() < busyUntil);
      expect((await sent).outcome).toBe('answered');
      expect(drops).toEqual([]);
    } finally {
      redis.resume();
      client.off('error', onError);
    }
  });
});
