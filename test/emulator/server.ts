import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import express, { type ErrorRequestHandler } from 'express';
import { controlRouter } from './control/router.js';
import { authorize, oauthServerRouter } from './oauth/router.js';
import { OAUTH_SERVER_PATHS } from './behaviour.js';
import type { EmulatorOptions, OAuthRegion } from './options.js';
import { Portal } from './portal.js';
import { restRouter } from './rest/router.js';

export type { EmulatorOptions, OAuthRegion } from './options.js';

/** A running emulator. */
export interface ListeningEmulator {
  /** `http://localhost:<port>`: the portal origin; the OAuth servers are `url + '/oauth-server'` and `…-east`. */
  url: string;
  /** Base URLs of both OAuth servers (`west`, `east`); the portal's own is `portal.oauthServer`. */
  oauthServers: Record<OAuthRegion, string>;
  close(): Promise<void>;
}

export interface Emulator {
  /** The Express app, for supertest in-process. */
  app: express.Express;
  /** The in-memory portal: company, installation, tokens, counters, clock. */
  portal: Portal;
  /** Listens on `port` (default: the `port` option, else 4000; 0 picks a free one) and fixes the URLs to it. */
  listen(port?: number): Promise<ListeningEmulator>;
  /** Resolves when every event sent so far has been delivered or has failed. */
  flushEvents(): Promise<void>;
  /** Base URLs of both OAuth servers (`west`, `east`): configure the app to trust both. */
  readonly oauthServers: Record<OAuthRegion, string>;
}

const PAGE_DIR = fileURLToPath(new URL('./page/', import.meta.url));

function listenOn(app: express.Express, port: number, host: string): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(port, host);
    server.once('listening', () => resolve(server));
    server.once('error', reject);
  });
}

function portOf(server: Server): number {
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the emulator is not listening on a TCP port');
  return address.port;
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

/**
 * A local Bitrix24 portal and its two OAuth servers on one port: `/rest/<method>`, `/oauth-server[-east]/oauth/token/`,
 * `/oauth-server[-east]/rest/app.info`, `/oauth/authorize/`, the page's `/_emulator/…` endpoints and the page.
 */
export function createEmulator(options: EmulatorOptions = {}): Emulator {
  const portal = new Portal(options);
  const app = express();
  app.disable('x-powered-by');
  app.use((req, _res, next) => {
    portal.counters.httpRequests++;
    // nginx in front of a portal merges slashes, so `/rest//profile` (an endpoint with a trailing slash
    // plus `/method`, as b24jssdk builds it) still reaches the method.
    const mark = req.url.indexOf('?');
    const path = mark === -1 ? req.url : req.url.slice(0, mark);
    if (path.includes('//')) req.url = path.replace(/\/{2,}/g, '/') + (mark === -1 ? '' : req.url.slice(mark));
    next();
  });
  // After a rename the old address redirects to the new one: REST calls answer 302 with Location at the new
  // address (`settings/how-to-call-rest-api/change-domen.md`), and so do the portal's own pages.
  app.use(['/rest', '/oauth/authorize'], (req, res, next) => {
    if (portal.isFormerHost(req.get('host'))) res.redirect(302, `${portal.origin}${req.originalUrl}`);
    else next();
  });
  app.get('/', (req, res, next) => {
    if (portal.isFormerHost(req.get('host'))) res.redirect(302, `${portal.origin}${req.originalUrl}`);
    else next();
  });
  const latency = options.restLatencyMs ?? 0;
  if (latency > 0) app.use('/rest', (_req, _res, next) => void setTimeout(next, latency));
  app.use('/rest', restRouter(portal));
  app.use(OAUTH_SERVER_PATHS.west, oauthServerRouter(portal, 'west'));
  app.use(OAUTH_SERVER_PATHS.east, oauthServerRouter(portal, 'east'));
  app.get(['/oauth/authorize', '/oauth/authorize/'], authorize(portal));
  app.use('/_emulator/page', express.static(PAGE_DIR, { fallthrough: true, index: false }));
  app.use('/_emulator', controlRouter(portal));
  app.get('/', (_req, res) => {
    const index = `${PAGE_DIR}index.html`;
    if (existsSync(index)) res.sendFile(index);
    else res.status(404).type('text').send('The portal page (test/emulator/page/index.html) is not there yet.');
  });
  // A link into an app: `/marketplace/view/<CODE>/?params[view]=…&params[id]=…` opens the app's REST_APP_URI
  // handler in a slider with the `params` as PLACEMENT_OPTIONS; CODE is app.info CODE (docs
  // widgets/universal/app-url.md). The portal page does the opening (test/emulator/page/placements.js).
  app.get('/marketplace/view/:code/', (req, res, next) => {
    const index = `${PAGE_DIR}index.html`;
    if (req.params.code !== portal.app.code || !existsSync(index)) next();
    else res.sendFile(index);
  });
  app.use((_req, res) => {
    res.status(404).json({ error: 'NOT_FOUND', message: 'No such emulator route.' });
  });
  const onError: ErrorRequestHandler = (error: unknown, _req, res, _next) => {
    const status =
      typeof error === 'object' && error !== null && 'status' in error && typeof error.status === 'number'
        ? error.status
        : 500;
    if (status >= 500) portal.log(`internal error: ${error instanceof Error ? error.stack : String(error)}`);
    res.status(status).json({
      error: status >= 500 ? 'INTERNAL_SERVER_ERROR' : 'BAD_REQUEST',
      message: status >= 500 ? 'Internal server error' : 'Bad request',
    });
  };
  app.use(onError);

  return {
    app,
    portal,
    flushEvents: () => portal.events.flush(),
    get oauthServers() {
      return portal.oauthServers;
    },
    async listen(port = options.port ?? 4000) {
      const host = options.host ?? 'localhost';
      const servers: Server[] = [];
      if (host === 'localhost') {
        // Both loopback families: browsers and Node may resolve localhost to either.
        const first = await listenOn(app, port, '127.0.0.1');
        servers.push(first);
        const actual = portOf(first);
        try {
          servers.push(await listenOn(app, actual, '::1'));
        } catch {
          // No IPv6 loopback here; IPv4 is enough.
        }
      } else {
        servers.push(await listenOn(app, port, host));
      }
      const [primary] = servers;
      if (primary === undefined) throw new Error('the emulator could not listen');
      portal.setHost(`${host}:${portOf(primary)}`);
      return {
        url: portal.origin,
        oauthServers: portal.oauthServers,
        close: async () => {
          await Promise.all(servers.map(closeServer));
        },
      };
    },
  };
}
