import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp } from './app.js';
import { ConfigError, loadConfig } from './config.js';
import { systemClock } from './clock.js';
import { createLogger, type Logger } from './logger.js';
import { loadManifest } from './manifest.js';
import { BOOTSTRAP_MARKER } from './http/pages/app-shell.js';
import { openStore } from './open-store.js';

/** The only place that reads the environment and listens. */
const root = join(
  dirname(fileURLToPath(import.meta.url)),
  existsSync(join(dirname(fileURLToPath(import.meta.url)), '..', 'manifest')) ? '..' : '../..',
);

function readUi(): { template: string; assetsDir: string } {
  const clientDir = join(root, 'dist', 'client');
  const indexFile = join(clientDir, 'index.html');
  if (!existsSync(indexFile)) throw new Error(`The UI is not built (${indexFile} is missing): run npm run build`);
  const template = readFileSync(indexFile, 'utf8');
  if (!template.includes(BOOTSTRAP_MARKER)) throw new Error(`${indexFile} lacks the ${BOOTSTRAP_MARKER} marker`);
  return { template, assetsDir: join(clientDir, 'assets') };
}

/** Set once the configuration (and with it the log level) is known. */
let started: Logger | undefined;
try {
  const config = loadConfig(process.env);
  const logger = createLogger({ level: config.logLevel });
  started = logger;
  const manifest = loadManifest(join(root, 'manifest', 'keycard.json'));
  const opened = openStore(config.storeUrl, systemClock, logger);
  const app = createApp(config, {
    keyv: opened.keyv,
    clock: systemClock,
    logger,
    fetch: globalThis.fetch,
    manifest,
    ui: readUi(),
    ...opened.shared,
  });
  // Listen once the store answers; if it does not within 10 s, listen anyway: /readyz then reports it and
  // requests answer 503 until it does.
  await Promise.race([opened.connected, new Promise((resolve) => setTimeout(resolve, 10_000).unref())]);
  const server = app.listen(config.port, () =>
    logger.info({ port: config.port, appUrl: config.appUrl }, 'Keycard is listening'),
  );
  // A store from before the installation index gets one (a failure is logged; the next start tries again).
  app.services.background.run('build the installation index', () => app.services.installations.ensureIndex(), {
    essential: true,
  });
  app.services.directory.startSchedule(config.syncIntervalMinutes * 60_000);
  app.services.uninstallChecks.start();
  const stop = () => {
    app.services.directory.stopSchedule();
    app.services.uninstallChecks.stop();
    server.close(() => {
      void app.services.background.idle().finally(() => process.exit(0));
    });
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
} catch (error: unknown) {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    (started ?? createLogger()).fatal({ err: error }, 'Keycard could not start');
  }
  process.exit(1);
}
