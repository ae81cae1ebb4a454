import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  installationStates,
  isLegalTransition,
  TransitionError,
  type InstallationState,
} from '../../server/portals/installation-state.js';
import { bootstrapOf, harness, isolateNetwork, OAUTH, testPortal, type TestPortal } from '../support/harness.js';
import { installScopes, installerRequest, oauthAppInfo, portalCall, tokenRefresh } from '../support/bitrix-nock.js';
import { installPortal, storedPortal } from '../support/install-portal.js';

/*
 * The installation lifecycle on every path that writes a state: the installer (fresh, re-run, after an
 * uninstall, after "needs reinstall"), ONAPPINSTALL, ONAPPUPDATE, ONAPPUNINSTALL, a token renewal that works
 * and one Bitrix24 refuses, and the operator's block. Every write of an installation record is watched at
 * the storage boundary, so a path that bypassed the checked repository would show up here too.
 */

type Step = `${InstallationState | 'none'}→${InstallationState}`;

function stateOf(value: unknown): InstallationState | undefined {
  if (typeof value !== 'object' || value === null || !('state' in value)) return undefined;
  return installationStates.find((state) => state === value.state);
}

/** A harness whose every write of an installation record is recorded as from → to. */
function watchedHarness() {
  const h = harness();
  const steps: Step[] = [];
  const { documents } = h.services;
  const set = documents.set.bind(documents);
  documents.set = async (key: string, value: unknown) => {
    if (key.startsWith('portal:')) {
      const to = stateOf(value);
      if (to === undefined) throw new Error(`an installation record without a state was written: ${key}`);
      steps.push(`${stateOf(await documents.getRaw(key)) ?? 'none'}→${to}`);
    }
    return set(key, value);
  };
  return { ...h, steps };
}

function expectLegal(steps: readonly Step[]): void {
  for (const step of steps) {
    const [from, to] = step.split('→') as [InstallationState | 'none', InstallationState];
    expect(isLegalTransition(from === 'none' ? undefined : from, to), step).toBe(true);
  }
}

const acme = testPortal('acme');

function installEvent(portal: TestPortal, accessToken: string) {
  return {
    event: 'ONAPPINSTALL',
    data: { VERSION: '1', LANGUAGE_ID: 'en' },
    ts: '1696527000',
    auth: {
      domain: portal.host,
      access_token: accessToken,
      refresh_token: portal.refreshToken,
      expires_in: 3600,
      client_endpoint: `${portal.origin}/rest/`,
      member_id: portal.memberId,
      application_token: portal.applicationToken,
    },
  };
}

function uninstallEvent(portal: TestPortal) {
  return {
    event: 'ONAPPUNINSTALL',
    data: { CLEAN: '0' },
    ts: String(Date.now()),
    auth: { domain: portal.host, member_id: portal.memberId, application_token: portal.applicationToken },
  };
}

async function install(h: ReturnType<typeof harness>, portal: TestPortal): Promise<void> {
  const scopes = installScopes(portal);
  const { query, body } = installerRequest(portal, { body: { APPLICATION_TOKEN: portal.applicationToken } });
  expect((await h.request.post('/install').query(query).type('form').send(body)).status).toBe(200);
  for (const scope of scopes) scope.done();
}

async function sessionFor(h: ReturnType<typeof harness>, portal: TestPortal): Promise<string> {
  oauthAppInfo(portal, { token: 'user-token' });
  portalCall(portal, 'profile', { token: 'user-token', result: { ID: '1', ADMIN: true, NAME: 'Anna' } });
  const res = await h.request
    .post('/app')
    .query({ DOMAIN: portal.host, PROTOCOL: '1', LANG: 'en' })
    .type('form')
    .send({ AUTH_ID: 'user-token', AUTH_EXPIRES: '3600', member_id: portal.memberId });
  return bootstrapOf(res.text).session;
}

async function expireStoredToken(h: ReturnType<typeof harness>, portal: TestPortal): Promise<void> {
  const installation = await storedPortal(h, portal.memberId);
  const tokens = h.services.vault.open(installation);
  if (tokens === undefined) throw new Error('no tokens');
  await h.services.installations.save(
    h.services.vault.seal(installation, { ...tokens, expiresAt: Math.floor(Date.now() / 1000) - 10 }),
  );
}

describe('installation lifecycle: every path that writes a state', () => {
  beforeEach(isolateNetwork);
  afterEach(() => nock.cleanAll());

  it('ONAPPINSTALL, the installer, a re-run, ONAPPUPDATE, renewals and an uninstall write only legal steps', async () => {
    const h = watchedHarness();
    // ONAPPINSTALL before the installer: nothing → new.
    oauthAppInfo(acme, { token: 'event-token' });
    portalCall(acme, 'profile', { token: 'event-token', result: { ID: '1', ADMIN: true, NAME: 'Anna' } });
    expect((await h.request.post('/events').send(installEvent(acme, 'event-token'))).status).toBe(200);
    await h.background.idle();
    // The installer: new → new (stored), → active (bound); re-run on an active portal stays active.
    await install(h, acme);
    await install(h, acme);
    // ONAPPUPDATE: active → active (new tokens, then the bindings).
    oauthAppInfo(acme, { token: 'updated-access' });
    portalCall(acme, 'profile', { token: 'updated-access', result: { ID: '1', ADMIN: true, NAME: 'Anna' } });
    portalCall(acme, 'event.get', { token: 'updated-access', result: [] });
    portalCall(acme, 'event.bind', { token: 'updated-access', times: 3 });
    portalCall(acme, 'placement.get', { token: 'updated-access', result: [] });
    portalCall(acme, 'placement.bind', { token: 'updated-access', times: 2 });
    await h.request.post('/events').send({
      event: 'ONAPPUPDATE',
      data: { VERSION: '2' },
      auth: {
        member_id: acme.memberId,
        application_token: acme.applicationToken,
        access_token: 'updated-access',
        refresh_token: 'updated-refresh',
        expires_in: 3600,
      },
    });
    await h.background.idle();
    // A renewal that works: active → active.
    const session = await sessionFor(h, acme);
    await expireStoredToken(h, acme);
    tokenRefresh('updated-refresh', { access: 'access-new', refresh: 'refresh-new', portal: acme });
    portalCall(acme, 'scope', { token: 'access-new', result: ['user_brief'] });
    expect((await h.request.get('/api/scopes').set('authorization', `Bearer ${session}`)).body.source).toBe('portal');
    // ONAPPUNINSTALL, believed once Bitrix24 says the app is gone (pending meanwhile): active → active → deleted.
    oauthAppInfo(acme, {
      token: 'access-new',
      reply: [401, { error: 'NOT_INSTALLED', error_description: 'Application not installed' }],
    });
    expect((await h.request.post('/events').send(uninstallEvent(acme))).status).toBe(200);
    await h.background.idle();
    // A reinstall after the uninstall: deleted → new → active.
    await install(h, acme);

    expectLegal(h.steps);
    expect(new Set(h.steps)).toEqual(
      new Set<Step>(['none→new', 'new→new', 'new→active', 'active→active', 'active→deleted', 'deleted→new']),
    );
  });

  it('a refresh token Bitrix24 refuses, then the operator’s block: only legal steps, and a blocked portal is not reinstalled', async () => {
    const h = watchedHarness();
    await installPortal(h, acme);
    const session = await sessionFor(h, acme);
    await expireStoredToken(h, acme);
    nock(OAUTH)
      .post('/oauth/token/')
      .reply(400, { error: 'invalid_grant', error_description: 'refresh token expired' });
    await h.request.get('/api/scopes').set('authorization', `Bearer ${session}`);
    expect((await storedPortal(h, acme.memberId)).state).toBe('needs_reinstall');
    // The reinstall an admin runs then: needs_reinstall → new → active.
    await install(h, acme);
    // The operator blocks it; the installer then refuses before writing anything.
    await h.services.installations.update(acme.memberId, (current) => current && { ...current, state: 'blocked' });
    const stepsBefore = h.steps.length;
    oauthAppInfo(acme);
    portalCall(acme, 'profile', { result: { ID: '1', ADMIN: true, NAME: 'Anna' } });
    const { query, body } = installerRequest(acme);
    expect((await h.request.post('/install').query(query).type('form').send(body)).status).toBe(403);
    expect(h.steps.length).toBe(stepsBefore);

    expectLegal(h.steps);
    expect(new Set(h.steps)).toEqual(
      new Set<Step>([
        'none→new',
        'new→active',
        'active→active',
        'active→needs_reinstall',
        'needs_reinstall→new',
        'active→blocked',
      ]),
    );
  });

  it('a write that would break the lifecycle is a typed error and writes nothing', async () => {
    const h = watchedHarness();
    await installPortal(h, acme);
    await h.services.installations.update(acme.memberId, (current) => current && { ...current, state: 'blocked' });
    const stepsBefore = h.steps.length;
    await expect(
      h.services.installations.update(acme.memberId, (current) => current && { ...current, state: 'needs_reinstall' }),
    ).rejects.toBeInstanceOf(TransitionError);
    expect(h.steps.length).toBe(stepsBefore);
    expect((await storedPortal(h, acme.memberId)).state).toBe('blocked');
  });
});
