/**
 * The Keycard side of the HTTP benchmark: the real app from `createApp` on the product's store factory
 * (`sqlite://` file or `memory://`), with one active portal whose directory mirror holds a generated company.
 *
 * The mirror is filled by a real full sync from the portal emulator rather than by writing generations by
 * hand: the directory store's generation/chunk layout is internal to server/directory/ (and changing), and a
 * sync writes exactly what production stores. The emulator runs only during set-up and is closed before
 * the server under test listens, so nothing but Keycard runs in this process while it is measured.
 */
import { randomBytes } from 'node:crypto';
import type { Express } from 'express';
import { createApp } from '../../server/app.js';
import { systemClock } from '../../server/clock.js';
import { loadConfig } from '../../server/config.js';
import { createLogger } from '../../server/logger.js';
import { loadManifest } from '../../server/manifest.js';
import { createKeyv } from '../../server/store/keyv-factory.js';
import { generateCompany, type CompanyUser } from '../emulator/company.js';
import { finishInstall, installApp } from '../emulator/lifecycle.js';
import { createEmulator } from '../emulator/server.js';
import { UI_TEMPLATE } from '../support/harness.js';
import { createRng } from '../emulator/random.js';
import { benchPolicy } from './http-policy.js';
import type { HttpRequest } from './http-protocol.js';
import { storeActiveInstallation } from '../support/stored-installation.js';

/** What the parent needs to call `/api/me` as each bench user and to recognise a correct answer. */
export interface KeycardTarget {
  app: Express;
  /** One per session: the bearer token and what the answer must contain. */
  requests: HttpRequest[];
  /** Set-up facts printed with the results. */
  setup: {
    users: number;
    departments: number;
    workgroups: number;
    sessions: number;
    admins: number;
    syncMs: number;
    policy: { roles: number; assignments: number; allowList: number; delegates: number };
  };
}

/** Accepts the ONAPPINSTALL the emulator posts; the bench stores the installation itself. */
const acceptingFetch: typeof fetch = async () => new Response(null, { status: 200 });

/**
 * The users the sessions belong to: an active, non-admin employee in the deepest department (the most access
 * codes to evaluate, and the one the policy is built around) and a random draw of other active users
 * (portal admins only as the draw brings them: the generated company has few).
 */
function sessionUsers(users: readonly CompanyUser[], first: CompanyUser, count: number): CompanyUser[] {
  const others = users.filter((user) => user.active && user.id !== first.id);
  if (others.length < count - 1) throw new Error(`the generated company has fewer than ${count} active users`);
  const rng = createRng(3);
  for (let i = others.length - 1; i > 0; i -= 1) {
    const j = rng.int(0, i);
    [others[i], others[j]] = [others[j] ?? first, others[i] ?? first];
  }
  return [first, ...others.slice(0, count - 1)];
}

/** An active, non-admin employee in the deepest department: the most access codes to evaluate. */
function benchUser(users: readonly CompanyUser[], depthOf: (department: number) => number): CompanyUser {
  const candidates = users.filter(
    (user) => user.active && !user.admin && user.type === 'employee' && user.departments.length > 0,
  );
  const depth = (user: CompanyUser) => Math.max(...user.departments.map(depthOf));
  const chosen = candidates.reduce<CompanyUser | undefined>(
    (best, user) => (best === undefined || depth(user) > depth(best) ? user : best),
    undefined,
  );
  if (chosen === undefined) throw new Error('the generated company has no active non-admin employee');
  return chosen;
}

export async function keycardTarget(options: {
  storeUrl: string;
  users: number;
  sessions: number;
}): Promise<KeycardTarget> {
  const company = generateCompany({ users: options.users, seed: 7 });
  const emulator = createEmulator({
    companyData: company,
    // sonet_group too: workgroup codes (SG…) belong to a realistic subject.
    scopes: ['user_brief', 'department', 'placement', 'sonet_group'],
    rateLimit: false,
    operatingLimitSeconds: false,
    tokenLifetimeSeconds: 86_400,
    fetch: acceptingFetch,
    log: () => undefined,
  });
  const listening = await emulator.listen(0);
  const portal = emulator.portal;
  const config = loadConfig({
    B24_CLIENT_ID: portal.app.clientId,
    B24_CLIENT_SECRET: portal.app.clientSecret,
    APP_URL: 'http://localhost:3999',
    SECRET_KEY: randomBytes(32).toString('hex'),
    STORE_URL: options.storeUrl,
    PORTAL_DOMAINS: `http://${new URL(listening.url).host}`,
    B24_OAUTH_SERVER: `${listening.url}/oauth-server`,
  });
  const store = createKeyv(config.storeUrl);
  // stdout carries the child's one-line handshake, so the log goes to stderr. Set-up (the sync) logs only
  // warnings; the server under test logs at the product's default level.
  const logger = createLogger({ level: 'warn', destination: process.stderr });
  const app = createApp(config, {
    keyv: store,
    clock: systemClock,
    logger,
    fetch: globalThis.fetch,
    manifest: loadManifest('manifest/keycard.json'),
    ui: { template: UI_TEMPLATE },
    directory: { autoSync: false },
  });
  const services = app.services;

  // Stored as a verified installation stores it (see test/integration/directory-stack.ts), then a full sync.
  const tokens = installApp(portal, portal.defaultUser());
  finishInstall(portal);
  await emulator.flushEvents();
  await storeActiveInstallation(services, {
    memberId: portal.memberId,
    host: portal.host,
    clientEndpoint: portal.clientEndpoint,
    scopes: portal.scopes,
    tokens,
    applicationToken: portal.installation.applicationToken ?? '',
  });
  const started = performance.now();
  const report = await services.directory.runSync(portal.memberId, 'manual');
  const syncMs = performance.now() - started;
  await listening.close();

  const parents = new Map(company.departments.map((department) => [department.id, department.parent]));
  const depthOf = (department: number): number => {
    let depth = 0;
    for (let at: number | null | undefined = department; at !== null && at !== undefined; at = parents.get(at))
      depth += 1;
    return depth;
  };
  const user = benchUser(company.users, depthOf);
  const { policies } = services;
  const policy = await policies.save(portal.memberId, {
    ifMatch: (await policies.get(portal.memberId, 'en')).etag,
    content: benchPolicy(company, services.manifest, user),
    actor: { id: String(portal.defaultUser().id), name: 'Bench administrator' },
    lang: 'en',
  });
  const members = sessionUsers(company.users, user, options.sessions);
  const requests: HttpRequest[] = [];
  for (const member of members) {
    const session = await services.sessions.issue({
      memberId: portal.memberId,
      userId: String(member.id),
      isAdmin: member.admin,
      lang: 'en',
      name: `${member.name} ${member.lastName}`,
    });
    requests.push({
      headers: { authorization: `Bearer ${session}` },
      expect: { 'user.id': String(member.id), 'portal.memberId': portal.memberId },
    });
  }
  logger.level = 'info';
  return {
    app,
    requests,
    setup: {
      users: report.users,
      departments: report.departments,
      workgroups: report.workgroups,
      sessions: requests.length,
      admins: members.filter((member) => member.admin).length,
      syncMs,
      policy: {
        roles: policy.policy.roles.length,
        assignments: policy.policy.assignments.length,
        allowList: policy.policy.allowList.length,
        delegates: policy.policy.delegates.length,
      },
    },
  };
}
