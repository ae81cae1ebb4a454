import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { systemClock } from '../../server/clock.js';
import { SessionTokens } from '../../server/http/session-tokens.js';
import type { CompanyUser } from '../emulator/company.js';
import { frameLaunch, type FrameLaunch } from '../emulator/control/frame.js';
import { userAddPayload } from '../emulator/event-payloads.js';
import { finishInstall, installApp } from '../emulator/lifecycle.js';
import type { Portal } from '../emulator/portal.js';
import { buildPhpQuery } from '../emulator/php-query.js';
import { createEmulator, type Emulator, type EmulatorOptions, type ListeningEmulator } from '../emulator/server.js';
import { call, type Answer } from './keycard-http.js';

/**
 * The public address every Keycard instance of a test shares, as behind a load balancer. Nothing listens on
 * it: the portal's events are routed to the instances the test names, and the test posts frames itself.
 */
export const SHARED_APP_URL = 'http://localhost:3999';

/** One event delivery as an instance answered it. */
export interface EventAnswer {
  url: string;
  status: number;
  body: string;
}

/**
 * An emulated portal for Keycard instances started as `npm start` starts them (from an environment), driven
 * the way Bitrix24 drives the app: the installer and app frame POSTs, events posted form-encoded, and UI
 * sessions signed as Keycard's frame page signs them.
 */
export interface SharedPortal {
  emulator: Emulator;
  portal: Portal;
  /** Keycard's environment for this portal, on `storeUrl`; every instance gets the same one. */
  env(storeUrl: string): Record<string, string>;
  /** The instances (base URLs) that receive each event the portal sends, all at the same moment. */
  deliverEventsTo(urls: readonly string[]): void;
  /** Every answer to an event delivery so far. */
  eventAnswers: EventAnswer[];
  /** Installs Keycard through the instance at `url` as the portal's admin, and finishes the installation. */
  install(url: string): Promise<void>;
  /** The frame POST Bitrix24 sends when `user` opens the app (or its installer), for `call`. */
  frame(user: CompanyUser, installer?: boolean): { path: string; form: string };
  /** Opens the app as `user` through the instance at `url`. */
  open(url: string, user: CompanyUser): Promise<Answer>;
  /** ONUSERADD for `user` as the portal posts it to the handler Keycard bound, for `call`. */
  userAdded(user: CompanyUser): string;
  /** An `Authorization` header value for the UI API, as the app frame would have minted it. */
  bearer(user: { userId: string; isAdmin: boolean }): Promise<string>;
  /** Active employees with a department who are not admins. */
  employees(): CompanyUser[];
  close(): Promise<void>;
}

function framePost(launch: FrameLaunch): { path: string; form: string } {
  return {
    path: `${new URL(launch.url).pathname}?${new URLSearchParams(launch.query).toString()}`,
    form: new URLSearchParams(launch.body).toString(),
  };
}

export async function sharedPortal(options: EmulatorOptions = {}): Promise<SharedPortal> {
  const clientId = `local.${randomBytes(6).toString('hex')}.${randomBytes(4).toString('hex')}`;
  const clientSecret = randomBytes(24).toString('base64url');
  const secretKey = randomBytes(32).toString('hex');
  let targets: readonly string[] = [];
  /** While set, deliveries wait for it (see `install`). */
  let held: Promise<void> | undefined;
  const eventAnswers: EventAnswer[] = [];
  // The portal posts each event once; here it reaches every target at the same moment.
  const routeEvent: typeof fetch = async (input, init) => {
    await held;
    const path = new URL(input instanceof Request ? input.url : input).pathname;
    const answers = await Promise.all(
      targets.map(async (target) => {
        const res = await fetch(new URL(path, target), init);
        const answer = { url: target, status: res.status, body: await res.text() };
        eventAnswers.push(answer);
        return answer;
      }),
    );
    const first = answers[0];
    return new Response(first?.body ?? null, { status: first?.status ?? 503 });
  };
  const emulator = createEmulator({
    company: { users: 60, seed: 11 },
    scopes: ['user_brief', 'department', 'placement'],
    rateLimit: false,
    operatingLimitSeconds: false,
    log: () => undefined,
    ...options,
    app: { clientId, clientSecret, appUrl: SHARED_APP_URL },
    fetch: routeEvent,
  });
  const listening: ListeningEmulator = await emulator.listen(0);
  const { portal } = emulator;
  const sessions = new SessionTokens({ secretKeys: [secretKey], issuer: SHARED_APP_URL, clock: systemClock });
  const admin = portal.defaultUser();
  const frame = (user: CompanyUser, installer = false) =>
    framePost(frameLaunch(portal, user, portal.issueTokens(user.id), { installer, firstRun: false }));

  return {
    emulator,
    portal,
    eventAnswers,
    env: (storeUrl) => ({
      B24_CLIENT_ID: clientId,
      B24_CLIENT_SECRET: clientSecret,
      APP_URL: SHARED_APP_URL,
      SECRET_KEY: secretKey,
      STORE_URL: storeUrl,
      PORTAL_DOMAINS: `http://${portal.host}`,
      // The portal's own OAuth server first, as the stack configures it.
      B24_OAUTH_SERVER: [
        portal.oauthServer,
        ...Object.values(listening.oauthServers).filter((url) => url !== portal.oauthServer),
      ].join(','),
      PORT: '0',
      LOG_LEVEL: 'fatal',
    }),
    deliverEventsTo(urls) {
      targets = urls;
    },
    async install(url) {
      // ONAPPINSTALL (sent by installApp) reaches Keycard once the installer has answered. Bitrix24 may send it
      // before, too; that order can lose the application token today (the installer's write of a new record
      // can overwrite what ONAPPINSTALL stored meanwhile), which is not what these tests are about.
      let release: () => void = () => undefined;
      held = new Promise((resolve) => (release = resolve));
      try {
        const tokens = installApp(portal, admin);
        const { path, form } = framePost(frameLaunch(portal, admin, tokens, { installer: true, firstRun: false }));
        const installer = await call(url, path, { method: 'POST', form });
        expect(installer.status, installer.text.slice(0, 500)).toBe(200);
      } finally {
        held = undefined;
        release();
      }
      finishInstall(portal);
      await emulator.flushEvents();
    },
    frame,
    open(url, user) {
      const { path, form } = frame(user);
      return call(url, path, { method: 'POST', form });
    },
    userAdded(user) {
      const handler = portal.installation.events.find((binding) => binding.event === 'ONUSERADD');
      return buildPhpQuery(userAddPayload(portal, user, portal.issueTokens(admin.id), handler?.id ?? 0));
    },
    async bearer({ userId, isAdmin }) {
      const token = await sessions.issue({ memberId: portal.memberId, userId, isAdmin, lang: 'en', name: 'Test User' });
      return `Bearer ${token}`;
    },
    employees: () =>
      portal.directory.users.filter(
        (user) => user.active && !user.admin && user.type === 'employee' && user.departments.length > 0,
      ),
    close: () => listening.close(),
  };
}
