import { randomInt } from 'node:crypto';
import fc from 'fast-check';
import nock from 'nock';
import { afterAll, describe, expect, it } from 'vitest';
import { CLIENT_ID } from '../support/harness.js';
import {
  burstCommand,
  overloadedScopesCommand,
  pauseCommand,
  readCommand,
  startSyncCommand,
  USER_IDS,
} from './support/fuzz-api.js';
import { EventCommand, eventCommand, uninstallCommand } from './support/fuzz-events.js';
import { installCommand, OpenAppCommand, openAppCommand, reinstallCommand } from './support/fuzz-frames.js';
import { junkCommand } from './support/fuzz-junk.js';
import { expectPortalMatches, mintExpired, type Model, type PortalModel } from './support/fuzz-model.js';
import { freshPolicy } from './support/fuzz-rules.js';
import { raceCommand, saveCommand, SaveCommand } from './support/fuzz-saves.js';
import { outcomes } from './support/fuzz-step.js';
import { createWorld, installPortal, PORTAL_KEYS, type FuzzWorld, type PortalKey } from './support/fuzz-world.js';
import { itLogsNoSecrets } from './support/log-scan.js';

/*
 * Model-based fuzz of everything a Bitrix24 portal, its users and strangers can send Keycard. Each run installs
 * two portals through their installer frames against a scripted Bitrix24 (support/fake-bitrix24.ts), with the
 * production request budgets at Bitrix24's standard limits, then runs a random sequence of steps: UI calls with
 * genuine, tampered, expired, foreign or missing sessions of admins, delegates, employees, fired users and users of
 * unknown admin status, on both portals; policy saves (valid, invalid, stale, concurrent); frame opens and
 * installer re-runs with genuine and forged tokens; lifecycle events; bursts past the portal's bucket; junk.
 * A model (support/fuzz-model.ts, rules in support/fuzz-rules.ts) predicts every answer and every change, and after
 * each step the store is compared with it (see support/fuzz-step.ts for what is checked).
 *
 * The seed is random per run and printed; replay it with KEYCARD_FUZZ_SEED=<seed> (and KEYCARD_FUZZ_PATH=<path>,
 * from fast-check's report, to go straight to the shrunk counterexample). KEYCARD_FUZZ_RUNS and KEYCARD_FUZZ_STEPS
 * size it (runs, and the most steps per run).
 */

const SEED =
  process.env['KEYCARD_FUZZ_SEED'] === undefined ? randomInt(2 ** 31) : Number(process.env['KEYCARD_FUZZ_SEED']);
const PATH = process.env['KEYCARD_FUZZ_PATH'];
const RUNS = Number(process.env['KEYCARD_FUZZ_RUNS'] ?? 6);
const STEPS = Number(process.env['KEYCARD_FUZZ_STEPS'] ?? 250);

const command = fc.oneof(
  { weight: 10, arbitrary: readCommand },
  { weight: 10, arbitrary: saveCommand },
  { weight: 1, arbitrary: raceCommand },
  { weight: 6, arbitrary: openAppCommand },
  { weight: 2, arbitrary: installCommand },
  { weight: 8, arbitrary: eventCommand },
  { weight: 1, arbitrary: uninstallCommand },
  { weight: 5, arbitrary: reinstallCommand },
  { weight: 1, arbitrary: startSyncCommand },
  { weight: 1, arbitrary: burstCommand },
  { weight: 1, arbitrary: overloadedScopesCommand },
  { weight: 4, arbitrary: junkCommand },
  { weight: 2, arbitrary: pauseCommand },
);

const worlds: FuzzWorld[] = [];

/**
 * Answers every fuzz of this size meets (so a generator that stopped producing them would be noticed): saves that
 * succeed and each kind of refusal, delegates saving and refused changing the delegates, budgets that wait,
 * genuine and forged frames and events, uninstalls and reinstalls.
 */
const EXPECTED_OUTCOMES = [
  'save 200',
  'save 400 INVALID_POLICY',
  'save 403 FEATURE_DENIED',
  'save 409 POLICY_CHANGED',
  'save by a delegate 200',
  'save by a delegate 403 DELEGATES_ADMIN_ONLY',
  'race 409 POLICY_CHANGED',
  'read 200',
  'read 401 SESSION_INVALID',
  'read 403 FEATURE_DENIED',
  'burst that waited 200',
  'overloadedScopes 200',
  'openApp 200',
  'openApp 401 TOKEN_NOT_VERIFIED',
  'openApp 403 APP_ACCESS_DENIED',
  'event 200',
  'event 401 EVENT_NOT_VERIFIED',
  'uninstall 200',
  'install 200',
];

/** A run's world: both portals installed by their admin (user 1), and the model of what that stored. */
async function setup(): Promise<{ model: Model; real: FuzzWorld }> {
  const world = await createWorld();
  worlds.push(world);
  const model: Model = { portals: {} as Record<PortalKey, PortalModel>, sessions: [], expired: [], secrets: new Set() };
  for (const key of PORTAL_KEYS) {
    const portal = world.portals[key];
    const connection = await installPortal(world, portal);
    const fresh = (await world.services.policies.get(portal.memberId, 'en')).etag;
    model.portals[key] = {
      key,
      portal,
      record: 'active',
      policy: freshPolicy(),
      version: 0,
      // The one thing the model cannot know ahead: the ETag's spelling (it only has to differ per save).
      etag: fresh,
      staleEtags: [],
      audit: [],
      connection,
      applicationToken: portal.applicationToken,
      staleApplicationTokens: [],
      appVersion: undefined,
      admins: new Set(['1']),
      notAdmins: new Set(),
      mirrored: new Map(),
      seenEvents: new Set(),
    };
  }
  await mintExpired(world, model, USER_IDS);
  for (const key of PORTAL_KEYS) await expectPortalMatches(world, model.portals[key], 'after installation');
  // Every run starts with a delegate, in steps like any other: globex's admin delegates access.manage to user 10,
  // who then changes the allow-list (allowed) and tries to delegate to user 20 as well (only admins may).
  for (const [userId, edit] of [
    [1, { op: 'delegate', code: 'U10', on: true }],
    [10, { op: 'allow', code: 'AU', on: true }],
    [10, { op: 'delegate', code: 'U20', on: true }],
  ] as const) {
    const who = { portal: 'globex' as const, userId, form: 'valid' as const, hints: false };
    await new SaveCommand(
      who,
      'current',
      { edits: [edit], breakages: [], noise: false, confirm: false },
      'json',
      0,
    ).run(model, world);
  }
  // And with two refusals a run of random steps may not meet: acme's admin limits the allow-list to themselves, so
  // Emil, an employee, is refused on opening Keycard; and an ONUSERADD with a made-up application token is not
  // believed.
  const acmeAdmin = { portal: 'acme' as const, userId: 1, form: 'valid' as const, hints: false };
  const allowOnlyAdmin = {
    edits: [{ op: 'allow', code: 'U1', on: true } as const],
    breakages: [],
    noise: false,
    confirm: false,
  };
  await new SaveCommand(acmeAdmin, 'current', allowOnlyAdmin, 'json', 0).run(model, world);
  const employeeOpens = {
    portal: 'acme',
    userId: 20,
    token: 'genuine',
    server: 'own',
    domain: 'own',
    refresh: false,
  } as const;
  await new OpenAppCommand(employeeOpens, 0).run(model, world);
  await new EventCommand({
    portal: 'acme',
    name: 'ONUSERADD',
    member: 'own',
    applicationToken: 'random',
    tokens: 'none',
    server: 'unnamed',
    encoding: 'form',
    ts: 1,
    data: '20',
    malformed: false,
  }).run(model, world);
  return { model, real: world };
}

afterAll(async () => {
  for (const world of worlds.splice(0)) await world.close();
  nock.cleanAll();
});

describe('fuzz', () => {
  it(
    `random steps against the model (seed ${SEED}, ${RUNS} runs of up to ${STEPS} steps)`,
    { timeout: 600_000 },
    async () => {
      console.info(
        `fuzz seed ${SEED}: replay with KEYCARD_FUZZ_SEED=${SEED} npx vitest run test/security/fuzz.test.ts`,
      );
      let steps = 0;
      await fc.assert(
        fc.asyncProperty(fc.commands([command], { maxCommands: STEPS, size: 'max' }), async (commands) => {
          try {
            await fc.asyncModelRun(setup, commands);
            steps += [...commands].length;
          } finally {
            await worlds.pop()?.close();
          }
        }),
        { seed: SEED, numRuns: RUNS, ...(PATH === undefined ? {} : { path: PATH }) },
      );
      console.info(`fuzz seed ${SEED}: ${steps} steps passed`);
      console.info(
        [...outcomes]
          .sort()
          .map(([outcome, count]) => `${count}\t${outcome}`)
          .join('\n'),
      );
      expect(steps).toBeGreaterThan(0);
      // A replay of a shrunk counterexample, or a fuzz made much smaller, need not meet them all.
      if (PATH === undefined && RUNS * STEPS >= 1000) {
        expect(EXPECTED_OUTCOMES.filter((outcome) => !outcomes.has(outcome))).toEqual([]);
      }
    },
  );

  it('fuzzes the app with our client id and Bitrix24 cloud domains as portal hosts', async () => {
    const world = await createWorld();
    worlds.push(world);
    expect(world.services.config.clientId).toBe(CLIENT_ID);
    expect(world.services.hosts.known).toContain('*.bitrix24.com');
  });
});

itLogsNoSecrets();
