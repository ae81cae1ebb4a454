import { parseArgs } from 'node:util';
import type { LeakyBucketOptions } from './rate-limit.js';
import { createEmulator } from './server.js';

/**
 * Starts a portal emulator for manual use and the demo:
 *   npx tsx test/emulator/main.ts [--port 4000] [--users 200] [--departments N] [--seed 1]
 *     [--app-url http://localhost:3000] [--client-id …] [--client-secret …] [--scopes user_brief,department,placement]
 *     [--rate-limit 2/50|off] [--token-lifetime 3600] [--oauth-region west|east] [--plan standard|enterprise]
 * Each flag may also come from the environment: EMULATOR_PORT, EMULATOR_USERS, EMULATOR_DEPARTMENTS,
 * EMULATOR_SEED, EMULATOR_APP_URL, EMULATOR_CLIENT_ID, EMULATOR_CLIENT_SECRET, EMULATOR_SCOPES,
 * EMULATOR_RATE_LIMIT, EMULATOR_TOKEN_LIFETIME, EMULATOR_OAUTH_REGION, EMULATOR_PLAN.
 */
const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    users: { type: 'string' },
    departments: { type: 'string' },
    seed: { type: 'string' },
    'app-url': { type: 'string' },
    'client-id': { type: 'string' },
    'client-secret': { type: 'string' },
    scopes: { type: 'string' },
    'rate-limit': { type: 'string' },
    'token-lifetime': { type: 'string' },
    'oauth-region': { type: 'string' },
    plan: { type: 'string' },
  },
});

const env = process.env;

function integer(flag: string | undefined, variable: string | undefined): number | undefined {
  const raw = flag ?? variable;
  if (raw === undefined || raw === '') return undefined;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`not a whole number: ${raw}`);
  return value;
}

function rateLimit(raw: string | undefined): LeakyBucketOptions | false | undefined {
  if (raw === undefined || raw === '') return undefined;
  if (raw === 'off' || raw === 'false') return false;
  const match = /^(\d+(?:\.\d+)?)\/(\d+)$/.exec(raw);
  if (match === null) throw new Error(`rate limit must be "<drain per second>/<burst>" or "off", got ${raw}`);
  return { drainPerSecond: Number(match[1]), burst: Number(match[2]) };
}

function oneOf<T extends string>(raw: string | undefined, allowed: readonly T[]): T | undefined {
  if (raw === undefined || raw === '') return undefined;
  const found = allowed.find((value) => value === raw);
  if (found === undefined) throw new Error(`expected one of ${allowed.join(', ')}, got ${raw}`);
  return found;
}

const emulator = createEmulator({
  port: integer(values.port, env['EMULATOR_PORT']) ?? 4000,
  company: {
    users: integer(values.users, env['EMULATOR_USERS']),
    departments: integer(values.departments, env['EMULATOR_DEPARTMENTS']),
    seed: integer(values.seed, env['EMULATOR_SEED']),
  },
  app: {
    appUrl: values['app-url'] ?? env['EMULATOR_APP_URL'],
    clientId: values['client-id'] ?? env['EMULATOR_CLIENT_ID'],
    clientSecret: values['client-secret'] ?? env['EMULATOR_CLIENT_SECRET'],
  },
  scopes: values.scopes ?? env['EMULATOR_SCOPES'],
  rateLimit: rateLimit(values['rate-limit'] ?? env['EMULATOR_RATE_LIMIT']),
  tokenLifetimeSeconds: integer(values['token-lifetime'], env['EMULATOR_TOKEN_LIFETIME']),
  oauthRegion: oneOf(values['oauth-region'] ?? env['EMULATOR_OAUTH_REGION'], ['west', 'east'] as const),
  plan: oneOf(values.plan ?? env['EMULATOR_PLAN'], ['standard', 'enterprise'] as const),
});

const running = await emulator.listen().catch((error: unknown) => {
  const inUse = error instanceof Error && 'code' in error && error.code === 'EADDRINUSE';
  console.error(inUse ? `Port ${emulator.portal.host.split(':')[1] ?? ''} is in use: pass --port <free port>.` : error);
  process.exit(1);
});
const { portal } = emulator;
console.log(`Bitrix24 portal emulator on ${running.url}`);
console.log(`  portal page      ${running.url}/`);
console.log(`  OAuth server     ${portal.oauthServer}   (this portal's, ${portal.behaviour.oauthRegion})`);
console.log(
  `  B24_OAUTH_SERVER ${[portal.oauthServer, ...Object.values(running.oauthServers)].filter((url, index, all) => all.indexOf(url) === index).join(',')}`,
);
console.log(`  client id        ${portal.app.clientId}`);
console.log(`  app handler      ${portal.app.handlerUrl}`);
console.log(
  `  company          ${portal.directory.users.length} users, ${portal.directory.departments.length} departments, member_id ${portal.memberId}`,
);

const stop = (): void => {
  void running.close().then(() => process.exit(0));
};
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
