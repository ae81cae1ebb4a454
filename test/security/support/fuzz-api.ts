import fc from 'fast-check';
import { expect } from 'vitest';
import type { ErrorCode } from '../../../common/error-codes.js';
import { companyUser, type BitrixCall } from './fake-bitrix24.js';
import {
  liveSession,
  mintSession,
  otherPortal,
  subjectOf,
  type Model,
  type PortalModel,
  type SessionModel,
} from './fuzz-model.js';
import {
  heldCodes,
  manifest,
  mayManage,
  mayOpen,
  mayUse,
  stockWarehouses,
  type PolicyContent,
  type Who,
} from './fuzz-rules.js';
import { beginStep, callTo, expectJson, expectNoSecrets, tally } from './fuzz-step.js';
import { NOWHERE, PORTAL_KEYS, type FuzzWorld, type PortalKey } from './fuzz-world.js';
import { secret } from './log-scan.js';
import type { RawResponse } from './network.js';

/*
 * The session API under the model: who calls (a user of either portal, with a genuine session or a tampered,
 * expired, foreign or missing one) and what they may read. Saves are in fuzz-saves.ts.
 */

/** How a caller presents their session. */
export type SessionForm =
  | 'valid'
  | 'lowercaseScheme'
  | 'expired'
  | 'tamperedPortal'
  | 'tamperedUser'
  | 'tamperedAdmin'
  | 'badSignature'
  | 'portalNotInstalled'
  | 'garbage'
  | 'missing'
  | 'basic';

export interface Caller {
  portal: PortalKey;
  userId: number;
  form: SessionForm;
  /** Adds hints naming the other portal (query, forwarded host): a session acts on its own portal only. */
  hints: boolean;
}

export const USER_IDS = [1, 2, 10, 20, 21, 30, 40];
export const portalKey = fc.constantFrom(...PORTAL_KEYS);

export const caller = (userIds: fc.Arbitrary<number> = fc.constantFrom(...USER_IDS)): fc.Arbitrary<Caller> =>
  fc.record({
    portal: portalKey,
    userId: userIds,
    form: fc.oneof(
      { weight: 12, arbitrary: fc.constant<SessionForm>('valid') },
      {
        weight: 1,
        arbitrary: fc.constantFrom<SessionForm>(
          'lowercaseScheme',
          'expired',
          'tamperedPortal',
          'tamperedUser',
          'tamperedAdmin',
          'badSignature',
          'portalNotInstalled',
          'garbage',
          'missing',
          'basic',
        ),
      },
    ),
    hints: fc.boolean(),
  });

/** A caller resolved to headers and to who the server must take them for (or why it must refuse them). */
export interface Resolved {
  headers: Record<string, string>;
  /** Appended to the path (hints naming the other portal). */
  query: string;
  session: SessionModel | undefined;
  refusal: { status: number; code: ErrorCode } | undefined;
}

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** The token with its claims changed and its signature kept (so the signature no longer matches). */
function tampered(token: string, change: (claims: Record<string, unknown>) => Record<string, unknown>): string {
  const [header = '', payload = '', signature = ''] = token.split('.');
  const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  if (typeof claims !== 'object' || claims === null) throw new Error('a session without claims');
  return secret(`${header}.${b64(change({ ...claims }))}.${signature}`);
}

export async function resolveCaller(world: FuzzWorld, model: Model, who: Caller): Promise<Resolved> {
  const other = world.portals[otherPortal(who.portal)];
  const query = who.hints ? `member_id=${other.memberId}&memberId=${other.memberId}&DOMAIN=${other.host}` : '';
  const hintHeaders: Record<string, string> = who.hints ? { 'x-forwarded-host': other.host } : {};
  const invalid = { status: 401, code: 'SESSION_INVALID' as const };
  const bearer = (token: string, refusal: Resolved['refusal'], session?: SessionModel): Resolved => ({
    headers: { ...hintHeaders, authorization: `Bearer ${token}` },
    query,
    session,
    refusal,
  });
  switch (who.form) {
    case 'valid':
    case 'lowercaseScheme': {
      const session = await liveSession(world, model, who.portal, who.userId);
      const scheme = who.form === 'valid' ? 'Bearer' : 'bearer';
      return {
        headers: { ...hintHeaders, authorization: `${scheme} ${session.token}` },
        query,
        session,
        refusal: undefined,
      };
    }
    case 'expired': {
      const session = model.expired.find((item) => item.portal === who.portal && item.userId === who.userId);
      if (session === undefined) throw new Error('no expired session minted for this user');
      return bearer(session.token, invalid);
    }
    case 'tamperedPortal':
    case 'tamperedUser':
    case 'tamperedAdmin': {
      const { token } = await liveSession(world, model, who.portal, who.userId);
      const change = {
        tamperedPortal: (claims: Record<string, unknown>) => ({ ...claims, mid: other.memberId }),
        tamperedUser: (claims: Record<string, unknown>) => ({ ...claims, sub: claims['sub'] === '1' ? '2' : '1' }),
        tamperedAdmin: (claims: Record<string, unknown>) => ({ ...claims, adm: true, sub: '20' }),
      }[who.form];
      return bearer(tampered(token, change), invalid);
    }
    case 'badSignature': {
      const { token } = await liveSession(world, model, who.portal, who.userId);
      const [header, payload, signature = ''] = token.split('.');
      // The first character: the last one of a base64url HMAC also carries padding bits.
      const flipped = `${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`;
      return bearer(secret(`${header}.${payload}.${flipped}`), invalid);
    }
    case 'portalNotInstalled': {
      const token = secret(
        await world.services.sessions.issue({
          memberId: NOWHERE.memberId,
          userId: String(who.userId),
          isAdmin: true,
          lang: 'en',
          name: 'Nobody',
        }),
      );
      model.secrets.add(token);
      return bearer(token, { status: 403, code: 'PORTAL_NOT_ACTIVE' });
    }
    case 'garbage':
      return bearer('eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.', invalid);
    case 'missing':
      return { headers: hintHeaders, query, session: undefined, refusal: { status: 401, code: 'SESSION_MISSING' } };
    case 'basic':
      return {
        headers: { ...hintHeaders, authorization: 'Basic YWRtaW46YWRtaW4=' },
        query,
        session: undefined,
        refusal: { status: 401, code: 'SESSION_MISSING' },
      };
  }
}

export function withQuery(path: string, ...parts: string[]): string {
  const query = parts.filter((part) => part !== '').join('&');
  return query === '' ? path : `${path}${path.includes('?') ? '&' : '?'}${query}`;
}

/** What a route needs of the caller beyond a session. */
type Need = 'nothing' | 'open' | 'manage' | 'directory' | { feature: string; level: string };

/** The refusal the model predicts for `session` on a route needing `need`, or undefined when it passes. */
export function refusalFor(model: Model, session: SessionModel, need: Need): Resolved['refusal'] {
  const { policy, record } = model.portals[session.portal];
  if (record !== 'active') return { status: 403, code: 'PORTAL_NOT_ACTIVE' };
  if (need === 'nothing') return undefined;
  const { who, held } = subjectOf(model, session);
  if (!mayOpen(policy, who, held)) return { status: 403, code: 'APP_ACCESS_DENIED' };
  const allowed =
    need === 'open' ||
    (need === 'manage' && mayManage(policy, who, held)) ||
    (need === 'directory' && (mayUse(policy, who, held, 'directory', 'read') || mayManage(policy, who, held))) ||
    (typeof need === 'object' && mayUse(policy, who, held, need.feature, need.level));
  return allowed ? undefined : { status: 403, code: 'FEATURE_DENIED' };
}

/** The feature levels `/api/me` must report: the top level held of each feature of the manifest. */
function topLevels(policy: PolicyContent, who: Who, held: ReturnType<typeof heldCodes>): Record<string, string | null> {
  return Object.fromEntries(
    manifest.features.map((feature) => [
      feature.key,
      [...feature.levels].reverse().find((level) => mayUse(policy, who, held, feature.key, level)) ?? null,
    ]),
  );
}

/** The feature levels of one top level per feature, as an answer lists them. */
function levelsOf(features: { feature: string; level: string | null }[]): Record<string, string | null> {
  return Object.fromEntries(features.map((item) => [item.feature, item.level]));
}

/**
 * "Check a user" (README: one user's effective level per feature): Keycard knows a user is an admin only when it saw
 * them open the app as one (the asker's own status comes from their session); an admin it has not seen is
 * "unknown" and explained as not an admin.
 */
function expectCheckedUser(
  pm: PortalModel,
  asker: SessionModel,
  userId: number,
  res: RawResponse,
  label: string,
): void {
  const mirrored = pm.mirrored.get(userId);
  const own = (isAdmin: boolean | null) => (isAdmin === null ? 'unknown' : isAdmin ? 'admin' : 'notAdmin');
  const adminStatus =
    userId === asker.userId
      ? own(asker.isAdmin)
      : pm.admins.has(String(userId))
        ? 'admin'
        : pm.notAdmins.has(String(userId))
          ? 'notAdmin'
          : 'unknown';
  const who = { userId, isAdmin: adminStatus === 'admin' };
  const held = heldCodes(userId, mirrored);
  const body = res.body as { adminStatus: string; codes: string[]; access: EffectiveAccessAnswer };
  expect(body, label).toMatchObject({ user: { id: userId }, adminStatus });
  expect([...body.codes].sort(), label).toEqual([...held.codes].sort());
  expect(body.access.open.allowed, `${label}: may open`).toBe(mayOpen(pm.policy, who, held));
  expect(levelsOf(body.access.features), `${label}: levels`).toEqual({
    ...topLevels(pm.policy, who, held),
    'access.manage': mayManage(pm.policy, who, held) ? (manifest.levels.at(-1)?.key ?? null) : null,
  });
}

interface EffectiveAccessAnswer {
  open: { allowed: boolean };
  features: { feature: string; level: string | null }[];
}

export type ReadRoute =
  'me' | 'scopes' | 'syncStatus' | 'departments' | 'users' | 'policy' | 'check' | 'conflicts' | 'audit' | 'stock';

const NEEDS: Record<ReadRoute, Need> = {
  me: 'nothing',
  scopes: 'open',
  syncStatus: 'open',
  departments: 'directory',
  users: 'directory',
  policy: 'manage',
  check: 'manage',
  conflicts: 'manage',
  audit: 'manage',
  stock: { feature: 'stock', level: 'read' },
};

/** Query variants per route: valid ones the model answers, and one or two each route must refuse with 400. */
const USERS_QUERIES = ['', 'active=all', 'active=false', 'limit=0'];
const CHECK_QUERIES = ['user=1', 'user=20', 'user=21', 'user=30', 'user=40', 'user=999', 'user=abc', ''];
const AUDIT_QUERIES = [
  '',
  'limit=2',
  'limit=0',
  'actor=1',
  'actor=2',
  'actor=x',
  'code=AU',
  'code=U20',
  'code=DROP',
  'cursor=1',
];

/** A GET of the session API. */
export class ReadCommand implements fc.AsyncCommand<Model, FuzzWorld> {
  constructor(
    readonly who: Caller,
    readonly route: ReadRoute,
    readonly variant: number,
  ) {}

  check(): boolean {
    return true;
  }

  toString(): string {
    return `read(${JSON.stringify(this.who)}, ${this.route}, ${this.variant})`;
  }

  async run(model: Model, world: FuzzWorld): Promise<void> {
    const label = this.toString();
    const step = await beginStep(world, label);
    const resolved = await resolveCaller(world, model, this.who);
    const { path, query } = this.#target();
    const res = await world.send({
      method: 'GET',
      path: withQuery(path, query, resolved.query),
      headers: resolved.headers,
    });
    expectNoSecrets(world, model, res, label);
    const session = resolved.session;
    const refusal =
      resolved.refusal ?? (session === undefined ? undefined : refusalFor(model, session, NEEDS[this.route]));
    if (refusal !== undefined || session === undefined) {
      expectJson(res, label, refusal?.status ?? 500, refusal?.code);
      await step.end(model, { writes: [] });
      return;
    }
    const pm = model.portals[session.portal];
    const portalCall = this.#answer(model, pm, session, res, label, query);
    await step.end(model, { writes: [], ...(portalCall === undefined ? {} : { portalCall }) });
  }

  #target(): { path: string; query: string } {
    const pick = (list: readonly string[]) => list[this.variant % list.length] ?? '';
    switch (this.route) {
      case 'me':
        return { path: '/api/me', query: '' };
      case 'scopes':
        return { path: '/api/scopes', query: '' };
      case 'syncStatus':
        return { path: '/api/sync', query: '' };
      case 'departments':
        return { path: '/api/directory/departments', query: '' };
      case 'users':
        return { path: '/api/directory/users', query: pick(USERS_QUERIES) };
      case 'policy':
        return { path: '/api/access/policy', query: '' };
      case 'check':
        return { path: '/api/access/check', query: pick(CHECK_QUERIES) };
      case 'conflicts':
        return { path: '/api/access/conflicts', query: '' };
      case 'audit':
        return { path: '/api/audit', query: pick(AUDIT_QUERIES) };
      case 'stock':
        return { path: '/api/stock', query: '' };
    }
  }

  /** Checks a passing request's answer; returns the portal requests it may make. */
  #answer(
    model: Model,
    pm: PortalModel,
    session: SessionModel,
    res: RawResponse,
    label: string,
    query: string,
  ): ((call: BitrixCall) => boolean) | undefined {
    const { who, held } = subjectOf(model, session);
    switch (this.route) {
      case 'me': {
        expectJson(res, label, 200);
        expect(res.body, label).toMatchObject({
          user: { id: String(session.userId), isAdmin: session.isAdmin },
          portal: { memberId: pm.portal.memberId, domain: pm.portal.host },
          access: { open: mayOpen(pm.policy, who, held), manage: mayManage(pm.policy, who, held) },
        });
        const features = (res.body as { access: { features: Record<string, { level: string | null }> } }).access
          .features;
        expect(Object.fromEntries(Object.entries(features).map(([key, value]) => [key, value.level])), label).toEqual(
          topLevels(pm.policy, who, held),
        );
        return undefined;
      }
      case 'scopes':
        expectJson(res, label, 200);
        expect(res.body, label).toMatchObject({ source: 'portal' });
        return callTo(pm.portal.origin, pm.connection.accessToken, ['scope']);
      case 'syncStatus':
      case 'conflicts':
        expectJson(res, label, 200);
        return undefined;
      case 'departments':
        expectJson(res, label, 200);
        expect(res.body, label).toMatchObject({ generation: null, tree: [] });
        return undefined;
      case 'users': {
        if (query === 'limit=0') {
          expectJson(res, label, 400, 'INVALID_LIMIT');
          return undefined;
        }
        expectJson(res, label, 200);
        // Fired users are listed only to those who manage access: everyone else gets the active ones, whatever
        // the query asks.
        const asked = query === 'active=all' ? undefined : query !== 'active=false';
        const active = mayManage(pm.policy, who, held) ? asked : true;
        const expected = [...pm.mirrored.values()]
          .filter((user) => active === undefined || user.active === active)
          .map((user) => user.id)
          .sort((a, b) => a - b);
        const listed = (res.body as { users: { id: number }[] }).users.map((user) => user.id).sort((a, b) => a - b);
        expect(listed, label).toEqual(expected);
        return undefined;
      }
      case 'policy':
        expectJson(res, label, 200);
        expect(res.body, label).toMatchObject({ policy: { ...pm.policy, version: pm.version }, etag: pm.etag });
        expect(res.headers['etag'], label).toBe(pm.etag);
        return undefined;
      case 'check': {
        const id = /^user=([1-9]\d*)$/.exec(query)?.[1];
        if (id === undefined) expectJson(res, label, 400, 'INVALID_USER');
        else if (!pm.mirrored.has(Number(id))) expectJson(res, label, 404, 'USER_NOT_FOUND');
        else {
          expectJson(res, label, 200);
          expectCheckedUser(pm, session, Number(id), res, label);
        }
        return undefined;
      }
      case 'audit':
        this.#audit(pm, res, label, query);
        return undefined;
      case 'stock': {
        expectJson(res, label, 200);
        const readable = stockWarehouses(pm.policy, who, held, 'read');
        const editable = stockWarehouses(pm.policy, who, held, 'edit');
        expect((res.body as { warehouses: unknown[] }).warehouses, label).toEqual(
          readable.map((id) => expect.objectContaining({ id, canEdit: editable.includes(id) })),
        );
        return undefined;
      }
    }
  }

  #audit(pm: PortalModel, res: RawResponse, label: string, query: string): void {
    const invalid: Record<string, ErrorCode> = {
      'limit=0': 'INVALID_LIMIT',
      'actor=x': 'INVALID_ACTOR',
      'code=DROP': 'INVALID_CODE',
    };
    const refused = invalid[query];
    if (refused !== undefined) {
      expectJson(res, label, 400, refused);
      return;
    }
    expectJson(res, label, 200);
    const [name, value = ''] = query.split('=');
    const expected = [...pm.audit]
      .reverse()
      .filter((entry) => name !== 'actor' || entry.actor === value)
      .filter((entry) => name !== 'code' || entry.changes.some((change) => change.split(' ')[2] === value))
      .filter((entry) => name !== 'cursor' || entry.version <= Number(value))
      .slice(0, name === 'limit' ? Number(value) : 50);
    const entries = (res.body as { entries: { version: number; actor: { id: string } }[] }).entries;
    expect(
      entries.map((entry) => ({ version: entry.version, actor: entry.actor.id })),
      label,
    ).toEqual(expected.map((entry) => ({ version: entry.version, actor: entry.actor })));
  }
}

/** A portal admin starts a directory sync: only non-admins are sent (a sync is the directory tests' business). */
export class StartSyncCommand implements fc.AsyncCommand<Model, FuzzWorld> {
  constructor(readonly who: Caller) {}

  check(): boolean {
    return companyUser(this.who.userId).admin !== true;
  }

  toString(): string {
    return `startSync(${JSON.stringify(this.who)})`;
  }

  async run(model: Model, world: FuzzWorld): Promise<void> {
    const label = this.toString();
    const step = await beginStep(world, label);
    const resolved = await resolveCaller(world, model, this.who);
    const res = await world.send({
      method: 'POST',
      path: withQuery('/api/sync', resolved.query),
      headers: resolved.headers,
    });
    expectNoSecrets(world, model, res, label);
    const session = resolved.session;
    const refusal =
      resolved.refusal ??
      (session === undefined ? undefined : refusalFor(model, session, 'open')) ??
      (session?.isAdmin === true ? undefined : { status: 403, code: 'ADMIN_REQUIRED' as const });
    expectJson(res, label, refusal?.status ?? 202, refusal?.code);
    await step.end(model, { writes: [] });
  }
}

/**
 * Many UI calls that each reach the portal at once (`/api/scopes` asks it `scope`), past the portal's burst:
 * the budget queues them (waits, in the test clock's time) and Bitrix24's own bucket never overflows.
 */
export class BurstCommand implements fc.AsyncCommand<Model, FuzzWorld> {
  constructor(
    readonly portal: PortalKey,
    readonly count: number,
  ) {}

  check(model: Readonly<Model>): boolean {
    return model.portals[this.portal].record === 'active';
  }

  toString(): string {
    return `burst(${this.portal}, ${this.count})`;
  }

  async run(model: Model, world: FuzzWorld): Promise<void> {
    const label = this.toString();
    const step = await beginStep(world, label);
    const pm = model.portals[this.portal];
    const session = await liveSession(world, model, this.portal, 1);
    const budget = world.services.budgets.forPortal(pm.portal.memberId);
    const before = { level: budget.level, waited: budget.stats.waitedMs };
    const answers = await Promise.all(
      Array.from({ length: this.count }, () =>
        world.send({ method: 'GET', path: '/api/scopes', headers: { authorization: `Bearer ${session.token}` } }),
      ),
    );
    // The budget keeps one slot of Bitrix24's burst free: past it, requests wait, a person's for 5 s at most; the
    // scopes page answers from what the install recorded for those it gave up on (the k-th to reserve waits
    // (level + k + 1 - usable) / 2 s at most: less when the test clock moved on while earlier ones slept).
    const usable = 49;
    const waitMs = (k: number) => ((before.level + k + 1 - usable) / 2) * 1000;
    const sources = answers.map((res) => {
      expectJson(res, label, 200);
      return (res.body as { source?: string }).source;
    });
    const sent = sources.filter((source) => source === 'portal').length;
    const ks = Array.from({ length: this.count }, (_, k) => k);
    expect(sent, `${label}: answered from the portal`).toBeGreaterThanOrEqual(
      ks.filter((k) => waitMs(k) < 4900).length,
    );
    expect(sources.every((source) => source === 'portal' || source === 'stored')).toBe(true);
    const waited = budget.stats.waitedMs - before.waited;
    // Margins: the bucket drains while the requests are on their way (real milliseconds).
    if (sent === this.count && before.level + this.count >= usable + 3)
      expect(waited, `${label}: waited`).toBeGreaterThan(0);
    if (before.level + this.count <= usable - 0.5) expect(waited, `${label}: waited`).toBe(0);
    if (waited > 0) tally('burst that waited', 200, undefined);
    const calls = await step.end(model, {
      writes: [],
      portalCall: callTo(pm.portal.origin, pm.connection.accessToken, ['scope']),
    });
    expect(
      calls.filter((call) => call.kind === 'portal'),
      label,
    ).toHaveLength(sent);
  }
}

/**
 * Other apps fill the portal's bucket: Bitrix24 answers 503 QUERY_LIMIT_EXCEEDED. The budget backs off and
 * repeats a call up to three times; after that the scopes page answers from what the install recorded.
 */
export class OverloadedScopesCommand implements fc.AsyncCommand<Model, FuzzWorld> {
  constructor(
    readonly portal: PortalKey,
    readonly refusals: number,
  ) {}

  check(model: Readonly<Model>): boolean {
    return model.portals[this.portal].record === 'active';
  }

  toString(): string {
    return `overloadedScopes(${this.portal}, ${this.refusals})`;
  }

  async run(model: Model, world: FuzzWorld): Promise<void> {
    const label = this.toString();
    const step = await beginStep(world, label);
    const pm = model.portals[this.portal];
    const session = await mintSession(world, model, this.portal, 1);
    const budget = world.services.budgets.forPortal(pm.portal.memberId);
    const waitedBefore = budget.stats.waitedMs;
    world.bitrix.overload(pm.portal, this.refusals);
    const res = await world.send({
      method: 'GET',
      path: '/api/scopes',
      headers: { authorization: `Bearer ${session.token}` },
    });
    expectJson(res, label, 200);
    const calls = await step.end(model, {
      writes: [],
      portalCall: callTo(pm.portal.origin, pm.connection.accessToken, ['scope']),
    });
    const statuses = calls.map((call) => call.status);
    // The budget backs off further after each 503 (also earlier steps'), and a person waits at most 5 s: it may give
    // up on the portal before the refusals run out, and the stored scopes are shown then.
    const attempts = Math.min(this.refusals, 3);
    const gaveUpEarly =
      (res.body as { source?: string }).source === 'stored' && (this.refusals < 3 || statuses.length < attempts);
    if (gaveUpEarly) {
      expect(statuses.length, label).toBeLessThanOrEqual(attempts);
      expect(
        statuses.every((status) => status === 503),
        label,
      ).toBe(true);
      // The refusals it did not meet are other apps' load that passed meanwhile.
      world.bitrix.overload(pm.portal, 0);
    } else {
      expect(res.body, label).toMatchObject({ source: this.refusals >= 3 ? 'stored' : 'portal' });
      expect(budget.stats.waitedMs - waitedBefore, `${label}: backed off`).toBeGreaterThan(0);
      expect(statuses, label).toEqual([
        ...Array<number>(Math.min(this.refusals, 3)).fill(503),
        ...(this.refusals >= 3 ? [] : [200]),
      ]);
    }
  }
}

/** Time passes: the budgets drain, sessions age. */
export class PauseCommand implements fc.AsyncCommand<Model, FuzzWorld> {
  constructor(readonly ms: number) {}

  check(): boolean {
    return true;
  }

  toString(): string {
    return `pause(${this.ms})`;
  }

  run(_model: Model, world: FuzzWorld): Promise<void> {
    world.clock.advance(this.ms);
    return Promise.resolve();
  }
}

export const readCommand = fc
  .record({
    who: caller(),
    route: fc.constantFrom<ReadRoute>(
      'me',
      'scopes',
      'syncStatus',
      'departments',
      'users',
      'policy',
      'check',
      'conflicts',
      'audit',
      'stock',
    ),
    variant: fc.nat(20),
  })
  .map(({ who, route, variant }) => new ReadCommand(who, route, variant));

export const startSyncCommand = caller(fc.constantFrom(...USER_IDS.filter((id) => companyUser(id).admin !== true))).map(
  (who) => new StartSyncCommand(who),
);
export const burstCommand = fc
  .record({ portal: portalKey, count: fc.integer({ min: 5, max: 70 }) })
  .map(({ portal, count }) => new BurstCommand(portal, count));
export const overloadedScopesCommand = fc
  .record({ portal: portalKey, refusals: fc.integer({ min: 1, max: 4 }) })
  .map(({ portal, refusals }) => new OverloadedScopesCommand(portal, refusals));
export const pauseCommand = fc.integer({ min: 0, max: 5000 }).map((ms) => new PauseCommand(ms));
