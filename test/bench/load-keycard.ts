/**
 * One Keycard instance of the load benchmark, in its own process, wired as server/main.ts wires a
 * `redis://` STORE_URL (openStore: one node-redis client for the store, the shared locks, the handled-event
 * memory and the per-portal request budgets; reads not cached in memory), the directory schedule started,
 * the product's log level. What differs from main.ts, and why: the UI template is a one-line stand-in (no
 * build needed; the page is a few hundred bytes either way), the log goes to stderr, it listens on an
 * ephemeral 127.0.0.1 port, and it reports its CPU time and request budgets to the bench (load-process.ts).
 */
import type { Server } from 'node:http';
import { createApp } from '../../server/app.js';
import type { RateBudgets } from '../../server/bitrix/rate-budgets.js';
import { systemClock } from '../../server/clock.js';
import { loadConfig } from '../../server/config.js';
import { createLogger } from '../../server/logger.js';
import { loadManifest } from '../../server/manifest.js';
import { openStore } from '../../server/open-store.js';
import { cpuMicros, helperInput, serveBench } from './load-process.js';
import { keycardInputSchema, type HelperStats, type KeycardReady } from './load-protocol.js';

/** As test/support/harness.ts's UI_TEMPLATE (not imported: that module loads nock, which patches http). */
const UI_TEMPLATE =
  '<!doctype html><html lang="en"><head></head><body><div id="app"></div><!--keycard-bootstrap--></body></html>';

const input = helperInput(keycardInputSchema);
const config = loadConfig(input.env);
if (!/^rediss?:/.test(config.storeUrl)) throw new Error('the load benchmark runs Keycard on Redis');
const logger = createLogger({ level: input.logLevel, destination: process.stderr });
// Wired as server/main.ts wires a redis:// STORE_URL: shared locks, event memory and request budgets.
const opened = openStore(config.storeUrl, systemClock, logger);
await opened.connected;
const app = createApp(config, {
  keyv: opened.keyv,
  clock: systemClock,
  logger,
  fetch: globalThis.fetch,
  manifest: loadManifest('manifest/keycard.json'),
  ui: { template: UI_TEMPLATE },
  ...opened.shared,
});
const server = await new Promise<Server>((resolve, reject) => {
  const listening = app.listen(0, '127.0.0.1');
  listening.once('listening', () => resolve(listening));
  listening.once('error', reject);
});
app.services.directory.startSchedule(config.syncIntervalMinutes * 60_000);
const address = server.address();
if (address === null || typeof address === 'string') throw new Error('Keycard is not listening on a TCP port');

function budgetStats(budgets: RateBudgets, memberIds: readonly string[]): HelperStats['budget'] {
  const all = memberIds.map((memberId) => budgets.forPortal(memberId));
  const [first] = all;
  if (first === undefined) return undefined;
  const levels = all.map((budget) => budget.level);
  return {
    requests: all.reduce((sum, budget) => sum + budget.stats.requests, 0),
    waitedMs: all.reduce((sum, budget) => sum + budget.stats.waitedMs, 0),
    queryLimitHits: all.reduce((sum, budget) => sum + budget.stats.queryLimitHits, 0),
    levelMin: Math.min(...levels),
    levelMean: levels.reduce((sum, level) => sum + level, 0) / levels.length,
    levelMax: Math.max(...levels),
    burst: first.limits.burst,
    drainPerSecond: first.limits.drainPerSecond,
  };
}

const ready: KeycardReady = { url: `http://127.0.0.1:${address.port}` };
serveBench(
  ready,
  () => ({ cpuMicros: cpuMicros(), budget: budgetStats(app.services.budgets, input.memberIds) }),
  // As main.ts stops: requests in flight and background work finish first (the Redis client stays open
  // for them), then the process exits.
  async () => {
    app.services.directory.stopSchedule();
    const forced = setTimeout(() => server.closeAllConnections(), 3000);
    await new Promise<void>((resolve) => server.close(() => resolve()));
    clearTimeout(forced);
    await app.services.background.idle();
  },
);
