/**
 * The load benchmark's Bitrix24 side, in one helper process: one portal emulator per portal (each its own
 * portal with its own 127.0.0.1 port, so `PORTAL_DOMAINS=127.0.0.1:*` admits them all) and one OAuth server
 * in front of all of them (load-oauth.ts). The app is installed and installation finished on every portal;
 * the first `openers` active employees of each get a frame token (valid a day), returned as the frame POST
 * the portal page would send. The emulators' own limits (2/s leaky bucket, operating time) are off: the
 * benchmark measures Keycard, whose own per-portal budget still applies.
 */
import type { Server } from 'node:http';
import { finishInstall, installApp } from '../emulator/lifecycle.js';
import { frameLaunch } from '../emulator/control/frame.js';
import type { Portal } from '../emulator/portal.js';
import { createEmulator, type ListeningEmulator } from '../emulator/server.js';
import { sharedOAuthServer } from './load-oauth.js';
import { cpuMicros, helperInput, serveBench } from './load-process.js';
import { portalsInputSchema, type LoadPortal, type PortalsReady } from './load-protocol.js';

/** Accepts the ONAPPINSTALL every install posts; the bench stores the installations itself. */
const acceptingFetch: typeof fetch = async () => new Response(null, { status: 200 });

const input = helperInput(portalsInputSchema);
const portals: Portal[] = [];
const listening: ListeningEmulator[] = [];
const described: LoadPortal[] = [];

for (let index = 0; index < input.portals; index += 1) {
  const emulator = createEmulator({
    // The seed also gives each portal its own member_id.
    company: { users: input.users, seed: 1001 + index },
    host: '127.0.0.1',
    rateLimit: false,
    operatingLimitSeconds: false,
    tokenLifetimeSeconds: 86_400,
    fetch: acceptingFetch,
    log: () => undefined,
  });
  listening.push(await emulator.listen(0));
  const portal = emulator.portal;
  portals.push(portal);
  const install = installApp(portal, portal.defaultUser());
  finishInstall(portal);
  await emulator.flushEvents();
  const openers = portal.directory.users
    .filter((user) => user.active && user.type === 'employee')
    .slice(0, input.openers);
  if (openers.length < input.openers) throw new Error(`portal ${index} has only ${openers.length} active employees`);
  described.push({
    memberId: portal.memberId,
    host: portal.host,
    clientEndpoint: portal.clientEndpoint,
    scopes: [...portal.scopes],
    applicationToken: portal.installation.applicationToken ?? '',
    install: { accessToken: install.accessToken, refreshToken: install.refreshToken, expiresAt: install.expiresAt },
    opens: openers.map((user) => {
      const launch = frameLaunch(portal, user, portal.issueTokens(user.id), { installer: false, firstRun: false });
      return { userId: user.id, query: { ...launch.query }, body: launch.body };
    }),
  });
}

const oauth = await new Promise<Server>((resolve, reject) => {
  const server = sharedOAuthServer(portals).listen(0, '127.0.0.1');
  server.once('listening', () => resolve(server));
  server.once('error', reject);
});
const address = oauth.address();
if (address === null || typeof address === 'string') throw new Error('the OAuth server is not listening on a TCP port');
const [first] = portals;
if (first === undefined) throw new Error('no portals');

const ready: PortalsReady = {
  oauthServer: `http://127.0.0.1:${address.port}/oauth-server`,
  clientId: first.app.clientId,
  clientSecret: first.app.clientSecret,
  portals: described,
};
serveBench(
  ready,
  () => ({
    cpuMicros: cpuMicros(),
    portals: {
      httpRequests: portals.reduce((sum, portal) => sum + portal.counters.httpRequests, 0),
      restRequests: portals.reduce((sum, portal) => sum + portal.counters.restRequests, 0),
      appInfo: portals.reduce((sum, portal) => sum + portal.counters.oauthAppInfo, 0),
      tokenRefreshes: portals.reduce((sum, portal) => sum + portal.counters.tokenRefreshes, 0),
    },
  }),
  async () => {
    oauth.closeAllConnections();
    await Promise.all([
      new Promise<void>((resolve) => oauth.close(() => resolve())),
      ...listening.map((emulator) => emulator.close()),
    ]);
  },
);
