import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { expect } from 'vitest';
import { OAUTH } from '../../support/harness.js';
import { COMPANY, companyUser, WEST, type IssuedToken } from './fake-bitrix24.js';
import { portalKey } from './fuzz-api.js';
import { liveSession, otherPortal, recordSave, subjectOf, type Model, type PortalModel } from './fuzz-model.js';
import { changingRecipe, prepareSave, type Recipe } from './fuzz-policies.js';
import { saveVerdict } from './fuzz-saves.js';
import { LEGACY_ETAG, legacyPolicy, sameContent } from './fuzz-rules.js';
import { beginStep, callTo, expectJson, expectNoSecrets, tally, type Step } from './fuzz-step.js';
import { NOWHERE, type FuzzWorld, type PortalKey } from './fuzz-world.js';
import { secret } from './log-scan.js';
import type { RawResponse } from './network.js';

/*
 * POST /events under the model (README, "How it works" and "Why the application token is not trusted alone"):
 * the application token is compared first (every user of the app can read it, so it proves little); tokens an
 * event carries count only once the OAuth server vouched for them and `profile` says they are an admin's; an
 * uninstall counts only when Bitrix24 itself says the app is gone (the scripted Bitrix24 never does); a delivery
 * acted on once is a no-op when replayed, and a forged copy must not use up a real event's key.
 */

export type EventName = 'ONAPPINSTALL' | 'ONAPPUPDATE' | 'ONAPPUNINSTALL' | 'ONUSERADD' | 'ONCRMDEALADD';
/** The event's `auth[application_token]`. */
export type EventAppToken = 'current' | 'stale' | 'otherPortal' | 'random';
/** The event's `auth[access_token]` and `auth[refresh_token]`. */
export type EventTokens = 'none' | 'admin' | 'employee' | 'forged' | 'otherPortal';

export interface EventParams {
  portal: PortalKey;
  name: EventName;
  /** The member id the event names: its portal's, or one Keycard is not installed on. */
  member: 'own' | 'notInstalled';
  applicationToken: EventAppToken;
  tokens: EventTokens;
  server: 'unnamed' | 'own' | 'west' | 'untrusted';
  encoding: 'form' | 'json';
  /** Bitrix24's `ts`: few values, so deliveries repeat. */
  ts: number;
  /** `data[VERSION]` (ONAPPUPDATE) or `data[ID]` (ONUSERADD). */
  data: string | undefined;
  malformed: boolean;
}

/** `data` per event: few values, so that deliveries repeat and replays are tried. */
const DATA: Record<EventName, readonly (string | undefined)[]> = {
  ONAPPINSTALL: [undefined],
  ONAPPUPDATE: [undefined, '2', '3'],
  ONAPPUNINSTALL: [undefined, '1'],
  ONUSERADD: [undefined, '20', '21', '30', '40', '99', 'x'],
  ONCRMDEALADD: [undefined],
};

const eventParams: fc.Arbitrary<EventParams> = fc
  .constantFrom<EventName>('ONAPPINSTALL', 'ONAPPUPDATE', 'ONAPPUNINSTALL', 'ONUSERADD', 'ONCRMDEALADD')
  .chain((name) =>
    fc.record({
      portal: portalKey,
      name: fc.constant(name),
      member: fc.oneof(
        { weight: 6, arbitrary: fc.constant<'own'>('own') },
        fc.constant<'notInstalled'>('notInstalled'),
      ),
      applicationToken: fc.oneof(
        { weight: 4, arbitrary: fc.constant<EventAppToken>('current') },
        fc.constantFrom<EventAppToken>('stale', 'otherPortal', 'random'),
      ),
      tokens: fc.constantFrom<EventTokens>('none', 'admin', 'employee', 'forged', 'otherPortal'),
      server: fc.oneof(
        { weight: 6, arbitrary: fc.constantFrom<EventParams['server']>('unnamed', 'own') },
        fc.constantFrom<EventParams['server']>('west', 'untrusted'),
      ),
      encoding: fc.constantFrom<EventParams['encoding']>('form', 'json'),
      ts: fc.integer({ min: 1, max: 2 }),
      data: fc.constantFrom(...DATA[name]),
      malformed: fc.oneof({ weight: 12, arbitrary: fc.constant(false) }, fc.constant(true)),
    }),
  );

const SERVERS = {
  unnamed: undefined,
  own: `${OAUTH}/rest/`,
  west: `${WEST}/rest/`,
  untrusted: 'https://evil.example.com/rest/',
};

/** The key a delivery is remembered by: portal, event, Bitrix24's timestamp and the payload. */
function deliveryKey(memberId: string, params: EventParams): string {
  return JSON.stringify([memberId, params.name, String(params.ts), dataOf(params)]);
}

/** Where each event carries its `data`: the new user's ID, the new version, "clear the app's data". */
const DATA_KEY: Record<EventName, string> = {
  ONAPPINSTALL: 'LANGUAGE_ID',
  ONAPPUPDATE: 'VERSION',
  ONAPPUNINSTALL: 'CLEAN',
  ONUSERADD: 'ID',
  ONCRMDEALADD: 'FIELDS',
};

function dataOf(params: EventParams): Record<string, string> {
  return params.data === undefined ? {} : { [DATA_KEY[params.name]]: params.data };
}

/** Bitrix24's event POST: form-encoded with `auth[...]` brackets, or the same as JSON. */
function encode(
  fields: { event: string; ts: string; data: Record<string, string>; auth: Record<string, string> },
  encoding: 'form' | 'json',
) {
  if (encoding === 'json') return { type: 'application/json', body: JSON.stringify(fields) };
  const form = new URLSearchParams({ event: fields.event, ts: fields.ts });
  for (const [key, value] of Object.entries(fields.data)) form.append(`data[${key}]`, value);
  for (const [key, value] of Object.entries(fields.auth)) form.append(`auth[${key}]`, value);
  return { type: 'application/x-www-form-urlencoded', body: form.toString() };
}

export class EventCommand implements fc.AsyncCommand<Model, FuzzWorld> {
  constructor(readonly params: EventParams) {}

  check(): boolean {
    return true;
  }

  toString(): string {
    return `event(${JSON.stringify(this.params)})`;
  }

  async run(model: Model, world: FuzzWorld): Promise<void> {
    const label = this.toString();
    const step = await beginStep(world, label);
    const { params } = this;
    const pm = model.portals[params.portal];
    const applicationToken = this.#applicationToken(model, pm);
    const issued = this.#tokens(world, pm);
    const memberId = params.member === 'own' ? pm.portal.memberId : NOWHERE.memberId;
    const server = SERVERS[params.server];
    const auth: Record<string, string> = {
      member_id: params.malformed ? '../../etc' : memberId,
      application_token: applicationToken,
      domain: pm.portal.host,
      ...(issued === undefined
        ? {}
        : { access_token: issued.accessToken, refresh_token: issued.refreshToken, expires_in: '3600' }),
      ...(server === undefined ? {} : { server_endpoint: server }),
    };
    const { type, body } = encode(
      { event: params.name, ts: String(params.ts), data: dataOf(params), auth },
      params.encoding,
    );
    const res = await world.send({ method: 'POST', path: '/events', headers: { 'content-type': type }, body });
    expectNoSecrets(world, model, res, label);
    if (params.malformed) {
      expectJson(res, label, 400, 'BAD_EVENT');
      await step.end(model, { writes: [] });
      return;
    }
    if (params.member === 'notInstalled' || params.name === 'ONCRMDEALADD' || pm.record !== 'active') {
      // ONAPPINSTALL may precede the installer, so it is always taken and checked after the reply (the OAuth server
      // refuses tokens of a portal the app was removed from, and vouches for none for a portal Keycard is not on).
      const accepted = params.name === 'ONAPPINSTALL';
      expectJson(res, label, 200);
      expect(res.body, label).toEqual({ result: accepted ? 'accepted' : 'ignored' });
      await step.end(model, {
        writes: [],
        oauthCalls: accepted ? this.#oauthCallsToVerify() : 0,
        // Bitrix24 may have the app again while Keycard has no active record (an installer the busy portal
        // refused): the OAuth server then vouches for the tokens, and `profile` says whose they are.
        ...(accepted && issued !== undefined && !world.bitrix.removed(pm.portal)
          ? { portalCall: callTo(pm.portal.origin, issued.accessToken, ['profile']) }
          : {}),
      });
      return;
    }
    const matched = applicationToken === pm.applicationToken;
    // With no application token on record (the reinstall's installer brought none), Bitrix24 decides an uninstall.
    const uninstallUnchecked = params.name === 'ONAPPUNINSTALL' && pm.applicationToken === undefined;
    switch (params.name) {
      case 'ONAPPINSTALL':
        return this.#install(model, step, pm, res, { issued, applicationToken });
      case 'ONAPPUPDATE':
        return this.#update(model, step, pm, res, { matched, issued, applicationToken });
      case 'ONAPPUNINSTALL':
      case 'ONUSERADD':
        return this.#withApplicationToken(model, step, pm, res, matched || uninstallUnchecked);
    }
  }

  #applicationToken(model: Model, pm: PortalModel): string {
    const none = 'apptoken-none-on-record-0000';
    switch (this.params.applicationToken) {
      case 'current':
        return pm.applicationToken ?? none;
      case 'stale':
        return pm.staleApplicationTokens.at(-1) ?? 'apptoken-never-issued-0000';
      case 'otherPortal':
        return model.portals[otherPortal(pm.key)].applicationToken ?? none;
      case 'random': {
        const token = secret(`apptoken-${randomBytes(12).toString('base64url')}`);
        model.secrets.add(token);
        return token;
      }
    }
  }

  #tokens(world: FuzzWorld, pm: PortalModel): IssuedToken | undefined {
    switch (this.params.tokens) {
      case 'none':
        return undefined;
      case 'admin':
        return world.bitrix.issue(pm.portal, 2);
      case 'employee':
        return world.bitrix.issue(pm.portal, 20);
      case 'otherPortal':
        return world.bitrix.issue(world.portals[otherPortal(pm.key)], 1);
      case 'forged': {
        const forged = (kind: string) => secret(`forged-${kind}-${randomBytes(12).toString('base64url')}`);
        return {
          accessToken: forged('access'),
          refreshToken: forged('refresh'),
          memberId: pm.portal.memberId,
          userId: 1,
          clientId: '',
        };
      }
    }
  }

  /** OAuth requests made to verify the event's tokens: none without tokens or with an untrusted server named. */
  #oauthCallsToVerify(): number {
    return this.params.tokens === 'none' || this.params.server === 'untrusted' ? 0 : 1;
  }

  /** Whether the event's tokens are vouched for by the OAuth server it names, for its own portal, and an admin's. */
  #vouchedAdmin(): 'admin' | 'notAdmin' | 'refused' {
    const { tokens, server } = this.params;
    if (tokens === 'none' || tokens === 'forged' || tokens === 'otherPortal') return 'refused';
    if (server === 'west' || server === 'untrusted') return 'refused';
    return tokens === 'admin' ? 'admin' : 'notAdmin';
  }

  async #install(
    model: Model,
    step: Step,
    pm: PortalModel,
    res: RawResponse,
    sent: { issued: IssuedToken | undefined; applicationToken: string },
  ) {
    const label = step.label;
    expectJson(res, label, 200);
    expect(res.body, label).toEqual({ result: 'accepted' });
    const verdict = this.#vouchedAdmin();
    // A verified admin's ONAPPINSTALL stores the application token it carries (the connection stays).
    if (verdict === 'admin') adoptApplicationToken(pm, sent.applicationToken);
    const { issued } = sent;
    await step.end(model, {
      writes: verdict === 'admin' ? [pm.key] : [],
      kinds: ['installation'],
      oauthCalls: this.#oauthCallsToVerify(),
      ...(verdict !== 'refused' && issued !== undefined
        ? { portalCall: callTo(pm.portal.origin, issued.accessToken, ['profile']) }
        : {}),
    });
  }

  async #update(
    model: Model,
    step: Step,
    pm: PortalModel,
    res: RawResponse,
    sent: { matched: boolean; issued: IssuedToken | undefined; applicationToken: string },
  ) {
    const label = step.label;
    if (!sent.matched && sent.issued === undefined) {
      expectJson(res, label, 401, 'EVENT_NOT_VERIFIED');
      await step.end(model, { writes: [] });
      return;
    }
    const key = deliveryKey(pm.portal.memberId, this.params);
    expectJson(res, label, 200);
    // A copy with the matching application token is checked for a replay before the reply; any other copy takes
    // the delivery (and its key) only once its tokens are vouched for as an admin's, after the reply, so a forged
    // copy cannot make the genuine one a replay.
    const seen = pm.seenEvents.has(key);
    expect(res.body, label).toEqual({ result: sent.matched && seen ? 'ignored' : 'accepted' });
    if (sent.matched && seen) {
      await step.end(model, { writes: [] });
      return;
    }
    const verdict = this.#vouchedAdmin();
    const taken = !seen && (sent.matched || verdict === 'admin');
    if (taken) pm.seenEvents.add(key);
    // What it changes needs its tokens, if it has any.
    const applies = taken && (sent.issued === undefined ? sent.matched : verdict === 'admin');
    if (applies) {
      if (this.params.data !== undefined) pm.appVersion = this.params.data;
      if (sent.issued !== undefined) {
        pm.connection = sent.issued;
        adoptApplicationToken(pm, sent.applicationToken);
      }
    }
    const { issued } = sent;
    const connection = pm.connection.accessToken;
    await step.end(model, {
      writes: applies ? [pm.key] : [],
      kinds: ['installation'],
      oauthCalls: issued === undefined ? 0 : this.#oauthCallsToVerify(),
      portalCall: (call) =>
        (issued !== undefined &&
          verdict !== 'refused' &&
          callTo(pm.portal.origin, issued.accessToken, ['profile'])(call)) ||
        // Bitrix24 drops event bindings on an update: they are bound again, and the plan read again.
        (applies &&
          callTo(pm.portal.origin, connection, [
            'event.get',
            'event.bind',
            'placement.get',
            'placement.bind',
            'app.info',
          ])(call)),
    });
  }

  /** ONAPPUNINSTALL and ONUSERADD: believed on the application token alone only as far as Bitrix24 confirms them. */
  async #withApplicationToken(model: Model, step: Step, pm: PortalModel, res: RawResponse, matched: boolean) {
    const label = step.label;
    if (!matched) {
      expectJson(res, label, 401, 'EVENT_NOT_VERIFIED');
      await step.end(model, { writes: [] });
      return;
    }
    const key = deliveryKey(pm.portal.memberId, this.params);
    const replay = pm.seenEvents.has(key);
    pm.seenEvents.add(key);
    const userId =
      this.params.name === 'ONUSERADD' && /^[1-9]\d*$/.test(this.params.data ?? '')
        ? Number(this.params.data)
        : undefined;
    const accepted = !replay && userId !== undefined;
    expectJson(res, label, 200);
    expect(res.body, label).toEqual({ result: accepted ? 'accepted' : 'ignored' });
    if (accepted && userId !== undefined) {
      // The record itself comes from Bitrix24 (`user.get` with the installation's connection).
      if (COMPANY.some((user) => user.id === userId)) pm.mirrored.set(userId, companyUser(userId));
    }
    await step.end(model, {
      writes: accepted ? [pm.key] : [],
      kinds: ['directory'],
      // An uninstall is checked with the installation's OAuth server (the scripted one says: still installed).
      oauthCalls: this.params.name === 'ONAPPUNINSTALL' && !replay ? 1 : 0,
      portalCall: accepted ? callTo(pm.portal.origin, pm.connection.accessToken, ['user.get']) : () => false,
    });
  }
}

/** The installation takes the application token an event or an installer brought. */
export function adoptApplicationToken(pm: PortalModel, token: string | undefined): void {
  if (token === pm.applicationToken) return;
  if (pm.applicationToken !== undefined) pm.staleApplicationTokens.push(pm.applicationToken);
  pm.applicationToken = token;
}

/**
 * An admin removes Keycard from a portal, and Bitrix24 sends ONAPPUNINSTALL (with "clear application data" or
 * without): Keycard asks the OAuth server, which says the app is gone, so it drops the tokens at once and, with
 * "clear data", every record of the portal after the reply, and nothing of the other portal. Meanwhile an admin
 * may be saving the access settings: whichever comes first, "clear data" leaves nothing of the portal behind.
 */
export class UninstallCommand implements fc.AsyncCommand<Model, FuzzWorld> {
  constructor(
    readonly portal: PortalKey,
    readonly clean: boolean,
    readonly encoding: 'form' | 'json',
    readonly concurrentSave: Recipe | undefined,
  ) {}

  check(model: Readonly<Model>): boolean {
    return model.portals[this.portal].record === 'active';
  }

  toString(): string {
    return `uninstall(${this.portal}, clean ${this.clean}, ${this.encoding}, ${JSON.stringify(this.concurrentSave)})`;
  }

  /** The admin's save sent alongside the event, if any. */
  async #save(world: FuzzWorld, model: Model, pm: PortalModel) {
    if (this.concurrentSave === undefined) return undefined;
    const session = await liveSession(world, model, pm.key, 1);
    const prepared = prepareSave(pm.policy, world.portals[otherPortal(pm.key)].memberId, this.concurrentSave);
    // What it gets if it comes first: a recipe that changes something may still meet a role name taken, say.
    const verdict = saveVerdict(pm.policy, prepared, subjectOf(model, session));
    const request = world.send({
      method: 'PUT',
      path: '/api/access/policy',
      headers: { authorization: `Bearer ${session.token}`, 'if-match': pm.etag, 'content-type': 'application/json' },
      body: prepared.json,
    });
    return { session, verdict, request };
  }

  async run(model: Model, world: FuzzWorld): Promise<void> {
    const label = this.toString();
    const step = await beginStep(world, label);
    const pm = model.portals[this.portal];
    world.bitrix.remove(pm.portal);
    // Bitrix24's own timestamp: a delivery of its own, never a replay of a fuzzed one.
    const ts = String(world.clock.now());
    const { type, body } = encode(
      {
        event: 'ONAPPUNINSTALL',
        ts,
        data: this.clean ? { CLEAN: '1' } : {},
        auth: { member_id: pm.portal.memberId, application_token: pm.applicationToken ?? 'apptoken-none-0000' },
      },
      this.encoding,
    );
    const save = await this.#save(world, model, pm);
    const [res, saved] = await Promise.all([
      world.send({ method: 'POST', path: '/events', headers: { 'content-type': type }, body }),
      save?.request,
    ]);
    expectNoSecrets(world, model, res, label);
    expectJson(res, label, 200);
    expect(res.body, label).toEqual({ result: 'accepted' });
    if (saved !== undefined && save !== undefined) {
      tally(`uninstall ${this.clean ? 'cleaning ' : ''}during a save`, saved.status, undefined);
      expectNoSecrets(world, model, saved, label);
      // Before the uninstall it is answered as alone (saved, or refused for what it sends); after it the session's
      // portal is gone; after "clear data" its ETag is stale.
      const { verdict } = save;
      const what = `${label} → ${saved.status} ${saved.text.slice(0, 300)}`;
      expect([verdict.status, 403, 409], what).toContain(saved.status);
      if (saved.status === verdict.status && verdict.status !== 200)
        expectJson(saved, label, saved.status, verdict.code);
      else if (saved.status !== 200)
        expectJson(saved, label, saved.status, saved.status === 403 ? 'PORTAL_NOT_ACTIVE' : 'POLICY_CHANGED');
      if (saved.status === 200 && verdict.status === 200 && !sameContent(pm.policy, verdict.expected)) {
        recordSave(pm, {
          content: verdict.expected,
          etag: (saved.body as { etag: string }).etag,
          actor: save.session.userId,
        });
      }
    }
    pm.record = this.clean ? 'purged' : 'deleted';
    if (this.clean) {
      // The policy document is purged: until a reinstall stores the fresh default again, the store answers the
      // default of a portal with nothing stored (the legacy one) under its fixed ETag.
      if (pm.etag !== LEGACY_ETAG) pm.staleEtags.push(pm.etag);
      Object.assign(pm, { policy: legacyPolicy(), version: 0, etag: LEGACY_ETAG, audit: [], appVersion: undefined });
      pm.admins.clear();
      pm.notAdmins.clear();
      pm.mirrored.clear();
    }
    await step.end(model, { writes: [this.portal], oauthCalls: 1 });
  }
}

export const uninstallCommand = fc
  .record({
    portal: portalKey,
    clean: fc.boolean(),
    encoding: fc.constantFrom<'form' | 'json'>('form', 'json'),
    concurrentSave: fc.option(changingRecipe, { nil: undefined }),
  })
  .map(({ portal, clean, encoding, concurrentSave }) => new UninstallCommand(portal, clean, encoding, concurrentSave));

export const eventCommand = eventParams.map((params) => new EventCommand(params));
