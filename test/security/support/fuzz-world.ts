import { Writable } from 'node:stream';
import { Keyv } from 'keyv';
import { expect } from 'vitest';
import { createApp } from '../../../server/app.js';
import { BackgroundTasks } from '../../../server/background.js';
import { STANDARD_LIMITS, type Sleep } from '../../../server/bitrix/rate-budget.js';
import { RateBudgets } from '../../../server/bitrix/rate-budgets.js';
import { createLogger } from '../../../server/logger.js';
import { loadManifest } from '../../../server/manifest.js';
import {
  isolateNetwork,
  testClock,
  testConfig,
  testPortal,
  UI_TEMPLATE,
  type TestPortal,
} from '../../support/harness.js';
import { FakeBitrix24, type IssuedToken } from './fake-bitrix24.js';
import { secret, watchLog } from './log-scan.js';
import { listen, rawRequest, recordUnmatched, type RawResponse } from './network.js';

/*
 * One fuzz run's world: the app with the production RateBudgets at Bitrix24's standard limits, the scripted
 * Bitrix24, two installed portals and the means to observe everything the model predicts.
 */

export const PORTAL_KEYS = ['acme', 'globex'] as const;
export type PortalKey = (typeof PORTAL_KEYS)[number];
/** A portal Keycard was never installed on (the fake does not vouch for it either). */
export const NOWHERE = testPortal('nowhere');

/**
 * The budget's waits in the test clock's time, at once: the budget is the production one with Bitrix24's limits,
 * but a fuzz step must not sleep for real. Concurrent sleepers move the clock to the latest wake-up, as they
 * would wake in real time.
 */
function virtualSleep(clock: ReturnType<typeof testClock>): Sleep {
  return (ms) => {
    const target = clock.now() + ms;
    clock.advance(Math.max(0, target - clock.now()));
    return Promise.resolve();
  };
}

export interface FuzzWorld {
  url: string;
  app: ReturnType<typeof createApp>;
  services: ReturnType<typeof createApp>['services'];
  clock: ReturnType<typeof testClock>;
  store: Keyv;
  background: BackgroundTasks;
  bitrix: FakeBitrix24;
  portals: Record<PortalKey, TestPortal>;
  /** Requests nock had no answer for: hosts Keycard must never call. */
  unmatched: string[];
  send(request: {
    method: string;
    path: string;
    headers?: Record<string, string>;
    body?: string;
  }): Promise<RawResponse>;
  close(): Promise<void>;
}

/** Builds the app and the fake Bitrix24; the portals are installed by `installPortal`. */
export async function createWorld(): Promise<FuzzWorld> {
  isolateNetwork();
  const logLines: string[] = [];
  const logger = createLogger({
    level: 'debug',
    destination: new Writable({
      write(chunk: Buffer, _encoding, done) {
        logLines.push(chunk.toString('utf8'));
        done();
      },
    }),
  });
  const clock = testClock();
  const store = new Keyv({ store: new Map(), throwOnErrors: true });
  const background = new BackgroundTasks({ logger });
  const sleep = virtualSleep(clock);
  const budgets = new RateBudgets({ clock, defaults: STANDARD_LIMITS, sleep });
  const app = createApp(testConfig(), {
    keyv: store,
    clock,
    logger,
    fetch: globalThis.fetch,
    manifest: loadManifest('test/support/manifest-every-kind.json'),
    ui: { template: UI_TEMPLATE },
    background,
    rateBudgets: budgets,
    // The fuzz scripts every Bitrix24 answer; a full directory sync is the directory tests' business.
    directory: { autoSync: false, sleep },
  });
  watchLog({ logLines, services: app.services });
  const server = await listen(app);
  const url = `http://127.0.0.1:${server.port}`;
  const portals = { acme: securedTestPortal('acme'), globex: securedTestPortal('globex') };
  const bitrix = new FakeBitrix24({ portals: Object.values(portals), clock, limits: STANDARD_LIMITS });
  const unmatched = recordUnmatched();
  return {
    url,
    app,
    services: app.services,
    clock,
    store,
    background,
    bitrix,
    portals,
    unmatched: unmatched.requests,
    send: (request) => rawRequest(url, request),
    async close() {
      unmatched.stop();
      await background.idle();
      await server.close();
    },
  };
}

function securedTestPortal(name: string): TestPortal {
  const portal = testPortal(name);
  for (const token of [portal.adminToken, portal.refreshToken, portal.applicationToken]) secret(token);
  return portal;
}

/** Installs `portal` through its installer frame, as its admin (user 1) would; returns the installer's tokens. */
export async function installPortal(world: FuzzWorld, portal: TestPortal): Promise<IssuedToken> {
  const tokens = world.bitrix.issue(portal, 1);
  const res = await world.send({
    method: 'POST',
    path: `/install?DOMAIN=${portal.host}&PROTOCOL=1&LANG=en&APP_SID=sid`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      AUTH_ID: tokens.accessToken,
      AUTH_EXPIRES: '3600',
      REFRESH_ID: tokens.refreshToken,
      member_id: portal.memberId,
      APPLICATION_TOKEN: portal.applicationToken,
      status: 'F',
      PLACEMENT: 'DEFAULT',
    }).toString(),
  });
  expect(res.status, res.text.slice(0, 300)).toBe(200);
  await world.background.idle();
  return tokens;
}
