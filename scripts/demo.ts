/**
 * `npm run demo`: Keycard against a local Bitrix24 portal emulator, no configuration needed.
 * Prints one URL: the emulated portal, where you install the app and open it as different users.
 * DEMO_PORTAL_PORT (4000) and DEMO_APP_PORT (3000) move the ports; DEMO_USERS sizes the company (200).
 */
import { mkdirSync, rmSync, createWriteStream } from 'node:fs';
import { createLogger } from '../server/logger.js';
import { builtUi } from '../test/stack/built-ui.js';
import { startStack } from '../test/stack/start-stack.js';

const dataDir = 'data/demo';
// The emulator keeps its portal in memory, so the app's store starts empty too: a stale installation
// from an earlier run would point at tokens the new emulator never issued.
rmSync(dataDir, { recursive: true, force: true });
mkdirSync(dataDir, { recursive: true });
const logFile = `${dataDir}/keycard.log`;
const logger = createLogger({ level: 'info', destination: createWriteStream(logFile) });

const stack = await startStack({
  appPort: Number(process.env['DEMO_APP_PORT'] ?? 3000),
  portalPort: Number(process.env['DEMO_PORTAL_PORT'] ?? 4000),
  storeUrl: `sqlite://${dataDir}/keycard.sqlite`,
  logger,
  ui: await builtUi(),
  emulator: {
    company: { users: Number(process.env['DEMO_USERS'] ?? 200) },
    log: (line) => logger.info({ emulator: line }, 'emulator'),
  },
});

process.stdout.write(
  [
    '',
    `  Keycard demo is running. Open ${stack.portalUrl}`,
    '',
    '  It is a local Bitrix24 portal: install Keycard from Market as the administrator,',
    '  then switch users in the top bar and open the app from the left menu.',
    `  App server: ${stack.appUrl} · logs: ${logFile} · Ctrl+C stops.`,
    '',
  ].join('\n'),
);

const stop = () => {
  void stack.close().finally(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
