import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { Keyv } from 'keyv';
import { createApp } from '../../server/app.js';
import { BackgroundTasks } from '../../server/background.js';
import { loadConfig, type Config } from '../../server/config.js';
import { systemClock } from '../../server/clock.js';
import type { Logger } from '../../server/logger.js';
import { loadManifest } from '../../server/manifest.js';
import { createKeyv } from '../../server/store/keyv-factory.js';
import { createEmulator, type Emulator, type EmulatorOptions } from '../emulator/server.js';

/** The app and a portal emulator wired to each other on loopback: what the demo and the e2e tests run. */
export interface Stack {
  /** The portal page: the one URL a person opens. */
  portalUrl: string;
  appUrl: string;
  emulator: Emulator;
  app: ReturnType<typeof createApp>;
  store: Keyv;
  background: BackgroundTasks;
  close(): Promise<void>;
}

export interface StackOptions {
  /** 0 picks free ports (tests); the demo uses fixed ones. */
  appPort?: number;
  portalPort?: number;
  storeUrl?: string;
  logger: Logger;
  /** The built UI (dist/client). */
  ui: { template: string; assetsDir?: string };
  emulator?: Omit<EmulatorOptions, 'app' | 'port'>;
  /** More of the app's environment (e.g. TRUST_PROXY). */
  env?: Record<string, string>;
}

function listen(server: Server, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, 'localhost', () => {
      const address = server.address();
      if (address === null || typeof address === 'string') reject(new Error('not listening on a TCP port'));
      else resolve(address.port);
    });
  });
}

/**
 * The app's configuration for the emulator. Keycard trusts both emulated OAuth servers (`B24_OAUTH_SERVER` is a
 * list, the first the default: here the portal's own server), and reaches the portal over plain http under both
 * loopback names of its port (`http://` entries of PORTAL_DOMAINS), so the page's "Change portal address"
 * (localhost ⇄ 127.0.0.1) keeps working.
 */
function stackConfig(env: Record<string, string>, emulator: Emulator): Config {
  const { portal } = emulator;
  const servers = [
    portal.oauthServer,
    ...Object.values(emulator.oauthServers).filter((url) => url !== portal.oauthServer),
  ];
  return loadConfig({ ...env, B24_OAUTH_SERVER: servers.join(',') });
}

/** `http://localhost:<port>` and `http://127.0.0.1:<port>`: the two addresses the page's rename button switches between. */
function portalDomains(host: string): string {
  const port = host.slice(host.lastIndexOf(':') + 1);
  return [...new Set([host, `localhost:${port}`, `127.0.0.1:${port}`])].map((entry) => `http://${entry}`).join(',');
}

/**
 * Starts the app on `appPort` and the emulator on `portalPort`, each knowing the other's URL, with fresh
 * client credentials and secret key (nothing is reused between runs).
 */
export async function startStack(options: StackOptions): Promise<Stack> {
  const clientId = `local.${randomBytes(6).toString('hex')}.${randomBytes(4).toString('hex')}`;
  const clientSecret = randomBytes(24).toString('base64url');
  const appServer = createServer();
  const appPort = await listen(appServer, options.appPort ?? 0);
  const appUrl = `http://localhost:${appPort}`;

  // The portal grants what the manifest requests, as Bitrix24 does on install (tests narrow it via options).
  const emulator = createEmulator({
    scopes: ['user_brief', 'department', 'placement', 'sonet_group', 'im'],
    ...options.emulator,
    app: { clientId, clientSecret, appUrl },
  });
  const portal = await emulator.listen(options.portalPort ?? 0);
  const portalHost = new URL(portal.url).host;

  const config = stackConfig(
    {
      B24_CLIENT_ID: clientId,
      B24_CLIENT_SECRET: clientSecret,
      APP_URL: appUrl,
      SECRET_KEY: randomBytes(32).toString('hex'),
      STORE_URL: options.storeUrl ?? 'memory://',
      PORTAL_DOMAINS: portalDomains(portalHost),
      PORT: String(appPort),
      ...options.env,
    },
    emulator,
  );
  const store = createKeyv(config.storeUrl);
  store.on('error', (error: unknown) => options.logger.error({ err: error }, 'store error'));
  const background = new BackgroundTasks({ logger: options.logger });
  const app = createApp(config, {
    keyv: store,
    clock: systemClock,
    logger: options.logger,
    fetch: globalThis.fetch,
    manifest: loadManifest('manifest/keycard.json'),
    ui: options.ui,
    background,
  });
  appServer.on('request', app);

  return {
    portalUrl: `${portal.url}/`,
    appUrl,
    emulator,
    app,
    store,
    background,
    async close() {
      await background.idle();
      await emulator.flushEvents();
      await portal.close();
      await new Promise<void>((resolve) => {
        appServer.close(() => resolve());
        appServer.closeAllConnections();
      });
      await store.disconnect();
    },
  };
}
