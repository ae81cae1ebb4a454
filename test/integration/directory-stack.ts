import { Writable } from 'node:stream';
import { Keyv } from 'keyv';
import supertest from 'supertest';
import { createApp, type AppDeps } from '../../server/app.js';
import { BackgroundTasks } from '../../server/background.js';
import { type RateLimits } from '../../server/bitrix/rate-budget.js';
import { RateBudgets } from '../../server/bitrix/rate-budgets.js';
import { systemClock } from '../../server/clock.js';
import { loadConfig } from '../../server/config.js';
import type { DirectoryOptions } from '../../server/directory/directory-service.js';
import { createLogger } from '../../server/logger.js';
import type { Locks } from '../../server/store/locks.js';
import { loadManifest } from '../../server/manifest.js';
import type { CompanyUser } from '../emulator/company.js';
import { finishInstall, installApp } from '../emulator/lifecycle.js';
import { createEmulator, type Emulator, type EmulatorOptions } from '../emulator/server.js';
import { UI_TEMPLATE } from '../support/harness.js';
import { storeActiveInstallation } from '../support/stored-installation.js';

/** Accepts every event the emulator sends, without network. */
const acceptingFetch: typeof fetch = async () => new Response(null, { status: 200 });

export interface DirectoryStackOptions {
  users?: number;
  departments?: number;
  seed?: number;
  scopes?: string[];
  /** The emulator's leaky bucket (default off). */
  portalLimit?: EmulatorOptions['rateLimit'];
  /** Our budget's limits (default: standard plan). */
  budget?: RateLimits;
  directory?: Partial<DirectoryOptions>;
  store?: Keyv;
  /** Reuse a running emulator (a second app instance on the same portal, already installed). */
  emulator?: RunningEmulator;
  /** Shared locks (e.g. RedisLocks when two instances share a Redis store). */
  locks?: Locks;
  /** Keep reads in memory (off when instances share the store). */
  cacheReads?: boolean;
  /** The manifest (default: the test manifest with every kind of feature). */
  manifest?: string;
  /** The app's own API routes (default: the sample's stock routes). */
  apiRoutes?: AppDeps['apiRoutes'];
  /** The app's resources roles can be limited to (default: the sample warehouses). */
  resources?: AppDeps['resources'];
}

/**
 * The app (in-process) and a portal emulator on loopback: the SDK talks real HTTP to the emulator, whose
 * OAuth server renews tokens. The portal is installed on the emulator and its record stored as an
 * installation would store it, active.
 */
export async function directoryStack(options: DirectoryStackOptions = {}) {
  const started = options.emulator ?? (await startEmulator(options));
  const { emulator, url } = started;
  const portal = emulator.portal;
  const config = loadConfig({
    B24_CLIENT_ID: portal.app.clientId,
    B24_CLIENT_SECRET: portal.app.clientSecret,
    APP_URL: 'http://localhost:3999',
    SECRET_KEY: 'directory-test-secret-key-0123456789abcdef',
    STORE_URL: 'memory://',
    PORTAL_DOMAINS: `http://${new URL(url).host}`,
    B24_OAUTH_SERVER: `${url}/oauth-server`,
  });
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
  const store = options.store ?? new Keyv({ store: new Map(), throwOnErrors: true });
  const background = new BackgroundTasks({ logger: logger });
  const budgets = new RateBudgets({
    clock: systemClock,
    ...(options.budget === undefined ? {} : { defaults: options.budget }),
  });
  const app = createApp(config, {
    keyv: store,
    clock: systemClock,
    logger,
    fetch: globalThis.fetch,
    manifest: loadManifest(options.manifest ?? 'test/support/manifest-every-kind.json'),
    ui: { template: UI_TEMPLATE },
    background,
    rateBudgets: budgets,
    directory: { retryDelayMs: 10, scheduleInitialDelayMs: 0, ...options.directory },
    ...(options.locks === undefined ? {} : { locks: options.locks }),
    ...(options.cacheReads === undefined ? {} : { cacheReads: options.cacheReads }),
    ...(options.apiRoutes === undefined ? {} : { apiRoutes: options.apiRoutes }),
    ...(options.resources === undefined ? {} : { resources: options.resources }),
  });
  const services = app.services;
  const memberId = portal.memberId;

  if (options.emulator === undefined) {
    const tokens = installApp(portal, portal.defaultUser());
    finishInstall(portal);
    await storeActiveInstallation(services, {
      memberId,
      host: portal.host,
      clientEndpoint: portal.clientEndpoint,
      scopes: portal.scopes,
      tokens,
      applicationToken: portal.installation.applicationToken ?? '',
      bound: ['ONAPPUNINSTALL'],
    });
  }

  return {
    emulator,
    running: started,
    portal,
    url,
    app,
    services,
    directory: services.directory,
    budget: budgets.forPortal(memberId),
    store,
    background,
    logLines,
    memberId,
    request: supertest(app),
    /** A session token for the UI API. */
    session: (user: { userId?: string; isAdmin?: boolean | null } = {}) =>
      services.sessions.issue({
        memberId,
        userId: user.userId ?? '1',
        isAdmin: user.isAdmin === undefined ? true : user.isAdmin,
        lang: 'en',
        name: 'Test User',
      }),
    /** Keys of the store that belong to this portal's directory. */
    directoryKeys: () =>
      [...(store.store instanceof Map ? store.store.keys() : [])]
        .map(String)
        .filter((key) => key.includes(`directory:${memberId}:`)),
    async close() {
      services.directory.stopSchedule();
      await background.idle();
      if (options.emulator === undefined) await started.close();
    },
  };
}

interface RunningEmulator {
  emulator: Emulator;
  url: string;
  close(): Promise<void>;
}

async function startEmulator(options: DirectoryStackOptions): Promise<RunningEmulator> {
  const emulator = createEmulator({
    company: {
      users: options.users ?? 200,
      seed: options.seed ?? 7,
      ...(options.departments === undefined ? {} : { departments: options.departments }),
    },
    rateLimit: options.portalLimit ?? false,
    operatingLimitSeconds: false,
    fetch: acceptingFetch,
    log: () => undefined,
    ...(options.scopes === undefined ? {} : { scopes: options.scopes }),
  });
  const listening = await emulator.listen(0);
  return { emulator, url: listening.url, close: () => listening.close() };
}

export type DirectoryStack = Awaited<ReturnType<typeof directoryStack>>;

/** A promise with its resolve handle, to hold a sync at a hook. */
export function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve: () => void = () => undefined;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

/**
 * The frame POST the portal sends when `user` opens `path` (`/app`, `/install`): fresh tokens from the emulated
 * portal, in `placement` with its options (a JSON string, as Bitrix24 posts them) when given.
 */
export function framePost(
  s: DirectoryStack,
  user: CompanyUser,
  options: { path?: '/app' | '/install'; lang?: string; placement?: string; placementOptions?: string } = {},
) {
  const tokens = s.portal.issueTokens(user.id);
  return s.request
    .post(options.path ?? '/app')
    .query({ DOMAIN: s.portal.host, PROTOCOL: '0', LANG: options.lang ?? 'en', APP_SID: 'sid' })
    .type('form')
    .send({
      AUTH_ID: tokens.accessToken,
      AUTH_EXPIRES: '3600',
      REFRESH_ID: tokens.refreshToken,
      member_id: s.memberId,
      status: 'L',
      PLACEMENT: options.placement ?? 'DEFAULT',
      ...(options.placementOptions === undefined ? {} : { PLACEMENT_OPTIONS: options.placementOptions }),
    });
}

/** The company's active employees in a department (not admins, not extranet). */
export function employees(s: DirectoryStack): CompanyUser[] {
  return s.portal.directory.users.filter(
    (user) => user.active && !user.admin && user.type === 'employee' && user.departments.length > 0,
  );
}
