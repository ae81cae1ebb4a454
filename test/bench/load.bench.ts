/**
 * `npm run bench:load`: Keycard under load on one real Redis, one instance against two.
 *
 * Set-up: a redis-server of its own (test/support/redis-server.ts); 100 emulated Bitrix24 portals and one
 * OAuth server in a helper process (load-portals.ts); each portal's installation stored in Redis as an
 * installation stores it and its directory synced (load-seed.ts); two Keycard instances in their own
 * processes, wired as server/main.ts wires a `redis://` STORE_URL (load-keycard.ts), taking traffic once
 * `/readyz` passes. Before anything is measured, one user of every portal opens the app on each instance
 * and the session it got calls `/api/me` on the other, all answering 200 (load-check.ts).
 *
 * Measured with autocannon from this process (load-drive.ts), on instance A alone and on A and B with the
 * connections split between them: `POST /app` (frame opens rotating over 10 users of each of the 100
 * portals; each open asks the OAuth server's `app.info` and the portal's `profile`) and `GET /api/me` (the
 * sessions the checked opens returned). Each measurement warms up until every user has been served once by
 * each instance, then measures a window. Printed: requests/s, p50/p99 and errors/non-2xx per route and
 * instance count, the 2-vs-1 ratios, and where the CPU went, in these processes and in any other process
 * on the machine (load-report.ts). Any non-2xx answer or request error fails the benchmark.
 *
 * Keycard's own per-portal request budget (2/s, burst 50: Bitrix24's real limit; one bucket per portal on
 * Redis, shared by the instances) caps sustained opens at 2 × portals in all. Every `/app` measurement starts from
 * drained budgets, and
 * the report says whether a window ran within the cap, on the burst, or was held back by the budget.
 *
 * Environment: LOAD_SECONDS (10, per measured window), LOAD_WARMUP_SECONDS (3, at least), LOAD_WARMUP_MAX_SECONDS
 * (20), LOAD_CONNECTIONS (50, over all instances), LOAD_PORTALS (100), LOAD_USERS (50 a portal),
 * LOAD_OPENERS (10 users a portal), LOAD_LOG_LEVEL (Keycard's, `info` as in production), LOAD_ROUTES (`app,me`),
 * LOAD_CPU_PROF (a folder: the Keycard instances run with `--cpu-prof` and write their profiles there on exit).
 */
import { randomBytes } from 'node:crypto';
import { availableParallelism, loadavg } from 'node:os';
import { z } from 'zod';
import { createRedisClient, type RedisClient } from '../../server/store/redis-client.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { checkRoutes } from './load-check.js';
import { drive, type LoadRequest } from './load-drive.js';
import { cpuMicros, startHelper, type Helper } from './load-process.js';
import { keycardReadySchema, portalsReadySchema, type KeycardReady, type PortalsReady } from './load-protocol.js';
import { machineCpu, parseRedisInfo, printReport, type Measured, type Snapshot } from './load-report.js';
import { seedPortals } from './load-seed.js';

const count = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const settingsSchema = z.object({
  LOAD_SECONDS: count(10),
  LOAD_WARMUP_SECONDS: z.coerce.number().min(0).default(3),
  LOAD_WARMUP_MAX_SECONDS: z.coerce.number().min(0).default(20),
  LOAD_CONNECTIONS: count(50),
  LOAD_PORTALS: count(100),
  LOAD_USERS: count(50),
  LOAD_OPENERS: z.coerce.number().int().min(2).default(10),
  LOAD_LOG_LEVEL: z.string().default('info'),
  LOAD_CPU_PROF: z.string().optional(),
  LOAD_ROUTES: z
    .string()
    .default('app,me')
    .transform((value) => value.split(',').map((route) => route.trim()))
    .pipe(z.array(z.enum(['app', 'me'])).min(1)),
});
type Settings = z.infer<typeof settingsSchema>;

/** Before a run that takes from the budgets, they drain (2 a second) until their mean level is this low… */
const DRAINED_LEVEL = 2;
/** …or for at most this long. */
const DRAIN_MAX_MS = 30_000;

interface Stack {
  settings: Settings;
  portals: Helper<PortalsReady>;
  keycards: Helper<KeycardReady>[];
  monitor: RedisClient;
}

interface Route {
  name: string;
  method: 'GET' | 'POST';
  rotation: LoadRequest[];
  /** Each request calls the portal, so it takes from Keycard's per-portal budget. */
  budgeted: boolean;
}

async function snapshot(stack: Stack): Promise<Snapshot> {
  const [keycards, portals, info] = await Promise.all([
    Promise.all(stack.keycards.map((keycard) => keycard.stats())),
    stack.portals.stats(),
    stack.monitor.sendCommand(['INFO']),
  ]);
  return {
    at: performance.now(),
    keycards,
    portals,
    redis: parseRedisInfo(String(info)),
    benchCpuMicros: cpuMicros(),
    machine: machineCpu(),
  };
}

/**
 * Waits until the budgets of `keycards` have drained what earlier runs left in them, so every measured
 * window starts from the same, empty budgets. Returns the seconds waited.
 */
async function drainBudgets(keycards: readonly Helper<KeycardReady>[]): Promise<number> {
  const started = performance.now();
  while (performance.now() - started < DRAIN_MAX_MS) {
    const stats = await Promise.all(keycards.map((keycard) => keycard.stats()));
    if (stats.every((entry) => (entry.budget?.levelMean ?? 0) <= DRAINED_LEVEL)) break;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  return (performance.now() - started) / 1000;
}

async function measure(stack: Stack, route: Route, instances: number): Promise<Measured> {
  const { settings } = stack;
  const targets = stack.keycards.slice(0, instances);
  const drainedSeconds = route.budgeted ? await drainBudgets(targets) : 0;
  process.stdout.write(
    `measuring ${route.name} on ${instances} instance${instances > 1 ? 's' : ''}` +
      `${drainedSeconds >= 1 ? ` (after ${drainedSeconds.toFixed(0)} s for the request budgets to drain)` : ''}…\n`,
  );
  let start: Snapshot | undefined;
  let end: Snapshot | undefined;
  const result = await drive({
    method: route.method,
    rotation: route.rotation,
    targets: targets.map((keycard) => keycard.ready.url),
    connections: settings.LOAD_CONNECTIONS,
    seconds: settings.LOAD_SECONDS,
    warmupSeconds: settings.LOAD_WARMUP_SECONDS,
    // Every user opens once on each instance before the window: a user's first open on an instance also
    // refreshes their mirrored record.
    warmupRequests: route.rotation.length,
    warmupMaxSeconds: Math.max(settings.LOAD_WARMUP_SECONDS, settings.LOAD_WARMUP_MAX_SECONDS),
    around: {
      start: async () => {
        start = await snapshot(stack);
      },
      end: async () => {
        end = await snapshot(stack);
      },
    },
  });
  if (start === undefined || end === undefined) throw new Error('the measured window was not recorded');
  return {
    route: route.name,
    budgeted: route.budgeted,
    instances,
    connections: settings.LOAD_CONNECTIONS,
    drive: result,
    start,
    end,
  };
}

async function untilReady(url: string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const response = await fetch(`${url}/readyz`);
    await response.arrayBuffer();
    if (response.status === 200) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${url}/readyz never answered 200`);
}

export async function run(): Promise<void> {
  const settings = settingsSchema.parse(process.env);
  const began = performance.now();
  const elapsed = () => `${((performance.now() - began) / 1000).toFixed(1)} s`;
  process.stdout.write(
    `node ${process.version}, ${availableParallelism()} CPUs (load average ${loadavg()
      .map((load) => load.toFixed(1))
      .join(' ')}); ${settings.LOAD_PORTALS} portals × ${settings.LOAD_USERS} users, ` +
      `${settings.LOAD_OPENERS} openers a portal; ${settings.LOAD_CONNECTIONS} connections; per measurement ≥ ${settings.LOAD_WARMUP_SECONDS} s ` +
      `warm-up (≤ ${settings.LOAD_WARMUP_MAX_SECONDS} s), then ${settings.LOAD_SECONDS} s measured\n`,
  );
  let redis: RedisServer | undefined;
  let monitor: RedisClient | undefined;
  const helpers: Helper<unknown>[] = [];
  const results: Measured[] = [];
  try {
    redis = await startRedis();
    const portals = await startHelper(
      'test/bench/load-portals.ts',
      { portals: settings.LOAD_PORTALS, users: settings.LOAD_USERS, openers: settings.LOAD_OPENERS },
      portalsReadySchema,
    );
    helpers.push(portals);
    process.stdout.write(`${settings.LOAD_PORTALS} portals and their OAuth server listening (${elapsed()})\n`);
    const env = {
      B24_CLIENT_ID: portals.ready.clientId,
      B24_CLIENT_SECRET: portals.ready.clientSecret,
      APP_URL: 'http://localhost:3999',
      SECRET_KEY: randomBytes(32).toString('hex'),
      STORE_URL: redis.url,
      // Every emulator is its own portal on its own loopback port.
      PORTAL_DOMAINS: 'http://127.0.0.1:*',
      B24_OAUTH_SERVER: portals.ready.oauthServer,
    };
    const seeded = await seedPortals(env, portals.ready.portals);
    process.stdout.write(
      `installations stored in Redis and directories synced: ${seeded.users} users, ${seeded.departments} departments ` +
        `(syncs took ${(seeded.syncMs / 1000).toFixed(1)} s) (${elapsed()})\n`,
    );
    const memberIds = portals.ready.portals.map((portal) => portal.memberId);
    const profile =
      settings.LOAD_CPU_PROF === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${settings.LOAD_CPU_PROF}`];
    const keycards = await Promise.all(
      ['A', 'B'].map(() =>
        startHelper(
          'test/bench/load-keycard.ts',
          { env, logLevel: settings.LOAD_LOG_LEVEL, memberIds },
          keycardReadySchema,
          profile,
        ),
      ),
    );
    helpers.push(...keycards);
    // As a load balancer would: no traffic before /readyz passes. main.ts listens before its Redis client
    // connects, and requests that arrive while it connects fail (the client queues nothing offline).
    await Promise.all(keycards.map((keycard) => untilReady(keycard.ready.url)));
    const routes = await checkRoutes(
      keycards.map((keycard) => keycard.ready.url),
      portals.ready.portals,
    );
    process.stdout.write(
      `checked: ${routes.me.length} frame opens and as many /api/me calls answered 200 across both instances; ` +
        `rotations of ${routes.app.length} frame opens and ${routes.me.length} sessions (${elapsed()})\n`,
    );
    monitor = createRedisClient(redis.url);
    monitor.on('error', () => undefined);
    await monitor.connect();
    const stack: Stack = { settings, portals, keycards, monitor };
    const app: Route = { name: 'POST /app', method: 'POST', rotation: routes.app, budgeted: true };
    const me: Route = { name: 'GET /api/me', method: 'GET', rotation: routes.me, budgeted: false };
    // The /api/me runs sit between the /app runs: they give instance A's budgets time to drain.
    const runs = (
      [
        [app, 1],
        [me, 1],
        [me, 2],
        [app, 2],
      ] as const
    ).filter(([route]) => settings.LOAD_ROUTES.includes(route === app ? 'app' : 'me'));
    for (const [route, instances] of runs) results.push(await measure(stack, route, instances));
  } finally {
    await monitor?.close().catch(() => undefined);
    await Promise.all(helpers.map((helper) => helper.stop()));
    await redis?.stop();
  }
  process.stdout.write(
    `done in ${elapsed()} (load average ${loadavg()
      .map((load) => load.toFixed(1))
      .join(' ')})\n\n`,
  );
  printReport(results, settings.LOAD_PORTALS);
  if (settings.LOAD_CPU_PROF !== undefined)
    process.stdout.write(`CPU profiles of the Keycard instances: ${settings.LOAD_CPU_PROF}\n`);
}
