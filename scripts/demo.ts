/**
 * `npm run demo`: Keycard against a local Bitrix24 portal emulator, no configuration needed.
 * Prints one URL: the emulated portal, where you install the app and open it as different users.
 * DEMO_PORTAL_PORT (4000) and DEMO_APP_PORT (3000) move the ports; DEMO_USERS sizes the company (200).
 * DEMO_OAUTH_REGION=west|east picks the portal's OAuth server (west: oauth.bitrix.info, east: oauth.bitrix24.tech;
 * Keycard trusts both), DEMO_PLAN=standard|enterprise its plan (app.info LICENSE and the request limit).
 * The portal page's Market has administrator tools: rename the portal (localhost ⇄ 127.0.0.1), publish an app
 * version, let the subscription lapse; Employees can fire users or make them admins.
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

function choice<T extends string>(name: string, allowed: readonly T[], fallback: T): T {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const found = allowed.find((value) => value === raw.trim().toLowerCase());
  if (found === undefined) throw new Error(`${name} must be one of ${allowed.join(', ')} (got ${raw})`);
  return found;
}
const oauthRegion = choice('DEMO_OAUTH_REGION', ['west', 'east'] as const, 'west');
const plan = choice('DEMO_PLAN', ['standard', 'enterprise'] as const, 'standard');

const stack = await startStack({
  appPort: Number(process.env['DEMO_APP_PORT'] ?? 3000),
  portalPort: Number(process.env['DEMO_PORTAL_PORT'] ?? 4000),
  storeUrl: `sqlite://${dataDir}/keycard.sqlite`,
  logger,
  ui: await builtUi(),
  emulator: {
    company: { users: Number(process.env['DEMO_USERS'] ?? 200) },
    oauthRegion,
    plan,
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
    `  Plan ${plan}; the portal's OAuth server is ${stack.emulator.portal.oauthServer} (${oauthRegion}).`,
    '  Market → Administrator tools renames the portal (localhost ⇄ 127.0.0.1), publishes an app version',
    '  or lets the subscription lapse; Employees fires users or makes them administrators.',
    `  App server: ${stack.appUrl} · logs: ${logFile} · Ctrl+C stops.`,
    '',
  ].join('\n'),
);

const stop = () => {
  void stack.close().finally(() => process.exit(0));
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
