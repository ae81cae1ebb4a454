import { existsSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp, type AppDeps } from './app.js';
import { systemClock } from './clock.js';
import { loadConfig } from './config.js';
import type { DirectoryOptions } from './directory/directory-service.js';
import { BOOTSTRAP_MARKER, type UiAssets } from './http/pages/app-shell.js';
import { createLogger, type Logger } from './logger.js';
import { ManifestError, parseManifest, type Manifest } from './manifest.js';
import { openStore } from './open-store.js';

/** The repository root (from `server/` when run by tsx, from `dist/server/` when built). */
const root = join(
  dirname(fileURLToPath(import.meta.url)),
  existsSync(join(dirname(fileURLToPath(import.meta.url)), '..', 'manifest')) ? '..' : '../..',
);

function readUi(): UiAssets {
  const clientDir = join(root, 'dist', 'client');
  const indexFile = join(clientDir, 'index.html');
  if (!existsSync(indexFile)) throw new Error(`The UI is not built (${indexFile} is missing): run npm run build`);
  const template = readFileSync(indexFile, 'utf8');
  if (!template.includes(BOOTSTRAP_MARKER)) throw new Error(`${indexFile} lacks the ${BOOTSTRAP_MARKER} marker`);
  return { template, assetsDir: join(clientDir, 'assets') };
}

/**
 * The manifest of MANIFEST_PATH (default the shipped one), read before anything starts: an unreadable file and every
 * problem of its content are one ManifestError, which server/main.ts prints as it prints configuration errors.
 */
export function readManifest(path: string | undefined): Manifest {
  const file = path ?? join(root, 'manifest', 'keycard.json');
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error: unknown) {
    throw new ManifestError([error instanceof Error ? error.message : String(error)], `manifest ${file}`);
  }
  try {
    return parseManifest(raw);
  } catch (error: unknown) {
    if (error instanceof ManifestError) throw new ManifestError(error.problems, `manifest ${file}`);
    throw error;
  }
}

/** What tests (or an app built on Keycard) may set besides the environment; the server itself passes nothing. */
export interface StartOptions {
  /** The app's own API routes (default: the sample's stock routes); see AppDeps.apiRoutes. */
  apiRoutes?: AppDeps['apiRoutes'];
  /** The resources roles can limit the app's features to (default: the sample warehouses); see AppDeps.resources. */
  resources?: AppDeps['resources'];
  /** The UI (default: the build in dist/client, which tests do not need). */
  ui?: UiAssets;
  /** Tunables of the directory mirror (tests shorten the sync lease). */
  directory?: Partial<DirectoryOptions>;
}

/** A running Keycard instance. */
export interface RunningKeycard {
  app: ReturnType<typeof createApp>;
  server: Server;
  /** The port it listens on (PORT=0 picks a free one). */
  port: number;
  logger: Logger;
  /** Stops the schedules and the listener; resolves once requests in flight and background work are done. */
  stop(): Promise<void>;
  /** `stop`, then closes the store. */
  close(): Promise<void>;
}

/**
 * Starts Keycard from an environment as `npm start` does (server/main.ts calls it with process.env): the store
 * of STORE_URL with, on Redis, the shared locks, event memory and request budgets (openStore), the app, the
 * listener, and the scheduled work. A ConfigError or ManifestError is thrown before anything starts; any other
 * failure is logged as fatal first.
 */
export async function startServer(
  env: Record<string, string | undefined>,
  options: StartOptions = {},
): Promise<RunningKeycard> {
  const config = loadConfig(env);
  const manifest = readManifest(config.manifestPath);
  const logger = createLogger({ level: config.logLevel });
  try {
    const opened = openStore(config.storeUrl, systemClock, logger);
    const app = createApp(config, {
      keyv: opened.keyv,
      clock: systemClock,
      logger,
      fetch: globalThis.fetch,
      manifest,
      ui: options.ui ?? readUi(),
      ...(options.directory === undefined ? {} : { directory: options.directory }),
      ...(options.apiRoutes === undefined ? {} : { apiRoutes: options.apiRoutes }),
      ...(options.resources === undefined ? {} : { resources: options.resources }),
      ...opened.shared,
    });
    // Listen once the store answers; if it does not within 10 s, listen anyway: /readyz then reports it and
    // requests answer 503 until it does.
    await Promise.race([opened.connected, new Promise((resolve) => setTimeout(resolve, 10_000).unref())]);
    const server = await new Promise<Server>((resolve, reject) => {
      // Express 5 hands a listen error to this callback.
      const listening = app.listen(config.port, (error?: Error) =>
        error === undefined ? resolve(listening) : reject(error),
      );
    });
    const address = server.address();
    const port = address !== null && typeof address === 'object' ? address.port : config.port;
    logger.info({ port, appUrl: config.appUrl }, 'Keycard is listening');
    // A store from before the installation index gets one (a failure is logged; the next start tries again).
    app.services.background.run('build the installation index', () => app.services.installations.ensureIndex(), {
      essential: true,
    });
    app.services.directory.startSchedule(config.syncIntervalMinutes * 60_000);
    app.services.uninstallChecks.start();
    const stop = async () => {
      app.services.directory.stopSchedule();
      app.services.uninstallChecks.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await app.services.background.idle();
    };
    return {
      app,
      server,
      port,
      logger,
      stop,
      async close() {
        await stop();
        await opened.close();
      },
    };
  } catch (error: unknown) {
    logger.fatal({ err: error }, 'Keycard could not start');
    throw error;
  }
}
