import supertest from 'supertest';
import { createManualClock, type ManualClock } from '../emulator/clock.js';
import type { CompanyUser } from '../emulator/company.js';
import { finishInstall, installApp } from '../emulator/lifecycle.js';
import type { Portal } from '../emulator/portal.js';
import { createEmulator, type Emulator, type EmulatorOptions } from '../emulator/server.js';

/** A fetch that accepts every event without network access. */
export const acceptingFetch: typeof fetch = async () => new Response(null, { status: 200 });

export interface TestEmulator {
  emulator: Emulator;
  portal: Portal;
  clock: ManualClock;
  http: ReturnType<typeof supertest>;
  /** Installs and finishes the app; returns the admin's access token. */
  install(): string;
  /** A fresh access token for a user. */
  tokenFor(user: CompanyUser | number): string;
  /** POSTs JSON `{ ...params, auth }` to /rest/<method>, as @bitrix24/b24jssdk does. */
  rest(method: string, params: Record<string, unknown>, token: string | undefined): supertest.Test;
  admin: CompanyUser;
  find(predicate: (user: CompanyUser) => boolean): CompanyUser;
}

/** An in-process emulator on a manual clock, no rate limit, no event network traffic, quiet log. */
export function testEmulator(options: EmulatorOptions = {}): TestEmulator {
  const clock = createManualClock();
  const emulator = createEmulator({ rateLimit: false, clock, fetch: acceptingFetch, log: () => undefined, ...options });
  const portal = emulator.portal;
  const http = supertest(emulator.app);
  const admin = portal.defaultUser();
  return {
    emulator,
    portal,
    clock,
    http,
    admin,
    install() {
      const tokens = installApp(portal, admin);
      finishInstall(portal);
      return tokens.accessToken;
    },
    tokenFor(user) {
      return portal.issueTokens(typeof user === 'number' ? user : user.id).accessToken;
    },
    rest(method, params, token) {
      return http
        .post(`/rest/${method}`)
        .query({ bx24_request_id: 'req-1', bx24_sdk_ver: '2.2.0', bx24_sdk_type: 'b24-js-sdk' })
        .send(token === undefined ? params : { ...params, auth: token });
    },
    find(predicate) {
      const user = portal.directory.users.find(predicate);
      if (user === undefined) throw new Error('no such user in the test company');
      return user;
    },
  };
}

/** Ordinary active employee (not admin). */
export const isOrdinary = (user: CompanyUser): boolean => user.active && !user.admin && user.type === 'employee';
