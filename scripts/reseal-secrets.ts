/**
 * `npm run reseal`: re-seals every installation's tokens under the first SECRET_KEY, with progress, so the older
 * keys can then be dropped from SECRET_KEY. Uses the same environment as the server (STORE_URL, SECRET_KEY, …)
 * and is safe while Keycard runs. Installations no configured key opens are listed: they need an administrator
 * to open Keycard (their state says so).
 */
import { createApp } from '../server/app.js';
import { ConfigError, loadConfig } from '../server/config.js';
import { systemClock } from '../server/clock.js';
import { createLogger } from '../server/logger.js';
import { loadManifest } from '../server/manifest.js';
import { openStore } from '../server/open-store.js';

try {
  const config = loadConfig(process.env);
  const logger = createLogger({ level: 'warn' });
  const opened = openStore(config.storeUrl, systemClock, logger);
  await opened.connected;
  const app = createApp(config, {
    keyv: opened.keyv,
    clock: systemClock,
    logger,
    fetch: globalThis.fetch,
    manifest: loadManifest('manifest/keycard.json'),
    ui: { template: '' },
    ...opened.shared,
  });
  await app.services.installations.ensureIndex();
  const report = await app.services.sealed.resealAll((done, total) => {
    if (done === total || done % 100 === 0) process.stdout.write(`  ${done}/${total} installations checked\n`);
  });
  process.stdout.write(`Re-sealed ${report.resealed} of ${report.total} installations under the first SECRET_KEY.\n`);
  if (report.unreadable.length > 0) {
    process.stdout.write(
      `${report.unreadable.length} could not be opened with any configured key and now need an administrator to ` +
        `open Keycard: ${report.unreadable.join(', ')}\n`,
    );
  }
  await app.services.background.idle();
  await opened.close();
} catch (error: unknown) {
  process.stderr.write(`${error instanceof ConfigError ? error.message : String(error)}\n`);
  process.exit(1);
}
