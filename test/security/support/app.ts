import { expect } from 'vitest';
import type { Config } from '../../../server/config.js';
import { harness, testPortal, type TestPortal } from '../../support/harness.js';
import { installScopes, installerRequest } from '../../support/bitrix-nock.js';
import { sessionOf } from './frames.js';
import { secret, watchLog } from './log-scan.js';
import { listen } from './network.js';

export type Harness = ReturnType<typeof harness>;

/** The project's harness (memory Keyv, captured log), its log and configuration secrets registered for the scan. */
export function securedHarness(options: Parameters<typeof harness>[0] = {}): Harness {
  const h = harness(options);
  watchLog(h);
  return h;
}

/**
 * Like the project's harness, but with a per-portal request budget far above Bitrix24's 2/s: the fuzz test
 * sends thousands of frame POSTs whose `profile` checks would otherwise wait on the leaky bucket.
 */
export function unthrottledHarness(options: { config?: Config } = {}): Harness {
  return securedHarness({ ...options, rateLimits: { drainPerSecond: 1_000_000, burst: 1_000_000 } });
}

/** A test portal on a Bitrix24 cloud domain whose tokens are registered as secrets. */
export function securedPortal(name: string): TestPortal {
  const portal = testPortal(name);
  for (const token of [portal.adminToken, portal.refreshToken, portal.applicationToken]) secret(token);
  return portal;
}

/** A session token for `userId` of `portal`, as POST /app would mint it; registered as a secret. */
export async function sessionFor(
  h: Harness,
  portal: TestPortal,
  user: { userId: string; isAdmin: boolean | null; name?: string },
): Promise<string> {
  return secret(
    await h.services.sessions.issue({
      memberId: portal.memberId,
      userId: user.userId,
      isAdmin: user.isAdmin,
      lang: 'en',
      name: user.name ?? `User ${user.userId}`,
    }),
  );
}

const served: { close(): Promise<void> }[] = [];

/** `h` with its `request` going to one loopback server for all its requests (see `listen`), and that server's URL. */
export async function serve(h: Harness): Promise<Harness & { url: string }> {
  const server = await listen(h.app);
  served.push(server);
  return { ...h, request: server.request, url: `http://127.0.0.1:${server.port}` };
}

/** Closes every server `serve` opened (call in afterAll). */
export async function closeServed(): Promise<void> {
  for (const server of served.splice(0)) await server.close();
}

/**
 * A verified installation of `portal` (the project's installPortal), whose installer page's session token is
 * registered as a secret too.
 */
export async function install(h: Harness, portal: TestPortal): Promise<void> {
  const scopes = installScopes(portal);
  const { query, body } = installerRequest(portal, { body: { APPLICATION_TOKEN: portal.applicationToken } });
  const res = await h.request.post('/install').query(query).type('form').send(body);
  expect(res.status).toBe(200);
  sessionOf(res.text);
  for (const scope of scopes) scope.done();
}
