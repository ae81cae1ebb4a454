import { Writable } from 'node:stream';
import { Keyv } from 'keyv';
import { z } from 'zod';
import nock from 'nock';
import supertest from 'supertest';
import { createApp } from '../../server/app.js';
import { BackgroundTasks } from '../../server/background.js';
import { type RateLimits } from '../../server/bitrix/rate-budget.js';
import { RateBudgets } from '../../server/bitrix/rate-budgets.js';
import { loadConfig, type Config } from '../../server/config.js';
import { createLogger } from '../../server/logger.js';
import { loadManifest } from '../../server/manifest.js';
import type { Clock } from '../../server/clock.js';

export const OAUTH = 'https://oauth.test';
export const CLIENT_ID = 'app.keycard.test';
export const CLIENT_SECRET = 'client-secret-DO-NOT-LOG-7f3a';
export const APP_URL = 'https://keycard.test';

/** A test portal on a Bitrix24 cloud domain. */
export interface TestPortal {
  memberId: string;
  host: string;
  origin: string;
  adminToken: string;
  refreshToken: string;
  applicationToken: string;
}

export function testPortal(name: string): TestPortal {
  return {
    memberId: `member-${name}`,
    host: `${name}.bitrix24.com`,
    origin: `https://${name}.bitrix24.com`,
    adminToken: `access-${name}-0a1b2c3d`,
    refreshToken: `refresh-${name}-4e5f6a7b`,
    applicationToken: `apptoken-${name}-8c9d0e1f`,
  };
}

/** Clock at real time plus an adjustable offset (the SDK reads Date.now itself, so tests stay near real time). */
export function testClock(): Clock & { advance(ms: number): void } {
  let offset = 0;
  return { now: () => Date.now() + offset, advance: (ms) => (offset += ms) };
}

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    B24_CLIENT_ID: CLIENT_ID,
    B24_CLIENT_SECRET: CLIENT_SECRET,
    APP_URL,
    SECRET_KEY: 'test-secret-key-0123456789abcdef0123456789',
    STORE_URL: 'memory://',
    B24_OAUTH_SERVER: OAUTH,
    ...overrides,
  });
}

export const UI_TEMPLATE =
  '<!doctype html><html lang="en"><head></head><body><div id="app"></div><!--keycard-bootstrap--></body></html>';

/** Builds the app in-process with a memory store and a logger whose every line is kept in `logLines`. */
export function harness(options: { config?: Config; store?: Keyv; rateLimits?: RateLimits } = {}) {
  const logLines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      logLines.push(chunk.toString('utf8'));
      done();
    },
  });
  const logger = createLogger({ level: 'debug', destination });
  const clock = testClock();
  const store = options.store ?? new Keyv({ store: new Map(), throwOnErrors: true });
  const background = new BackgroundTasks({ logger: logger });
  const app = createApp(options.config ?? testConfig(), {
    keyv: store,
    clock,
    logger,
    fetch: globalThis.fetch,
    manifest: loadManifest('test/support/manifest-every-kind.json'),
    ui: { template: UI_TEMPLATE },
    background,
    ...(options.rateLimits === undefined
      ? {}
      : { rateBudgets: new RateBudgets({ clock, defaults: options.rateLimits }) }),
    // These tests script every Bitrix24 call with nock; the install-time sync would consume their mocks.
    directory: { autoSync: false },
  });
  return { app, request: supertest(app), store, clock, logLines, background, services: app.services };
}

/** Blocks real network, allowing only supertest's loopback server. */
export function isolateNetwork(): void {
  nock.cleanAll();
  nock.disableNetConnect();
  nock.enableNetConnect(/^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/);
}

const bootstrapSchema = z.object({
  mode: z.enum(['install', 'app']),
  lang: z.enum(['en', 'ru']),
  session: z.string(),
  user: z.object({ id: z.string(), name: z.string(), isAdmin: z.boolean().nullable() }),
  portal: z.object({ domain: z.string() }),
});

/** The JSON bootstrap embedded in a rendered app page. */
export function bootstrapOf(html: string): z.infer<typeof bootstrapSchema> {
  const match = /<script id="keycard-bootstrap" type="application\/json">(.*?)<\/script>/s.exec(html);
  if (match?.[1] === undefined) throw new Error('no bootstrap in page');
  return bootstrapSchema.parse(JSON.parse(match[1]));
}
