import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bootstrapOf, harness, isolateNetwork, testPortal } from '../support/harness.js';
import { storedPortal } from '../support/install-portal.js';
import { installScopes, installerRequest, oauthAppInfo, portalCall } from '../support/bitrix-nock.js';

const acme = testPortal('acme');

describe('POST /install', () => {
  beforeEach(isolateNetwork);
  afterEach(() => nock.cleanAll());

  it('verifies the token and the admin, stores the installation, binds events and renders the installer', async () => {
    const h = harness();
    const scopes = installScopes(acme);
    const { query, body } = installerRequest(acme);
    const res = await h.request.post('/install').query(query).type('form').send(body);

    expect(res.status).toBe(200);
    for (const scope of scopes) scope.done();
    const boot = bootstrapOf(res.text);
    expect(boot).toMatchObject({
      mode: 'install',
      lang: 'en',
      user: { id: '1', name: 'Anna Admin', isAdmin: true },
      portal: { domain: acme.host },
    });
    expect(res.headers['content-security-policy']).toContain(`frame-ancestors ${acme.origin}`);
    expect(res.headers['x-frame-options']).toBeUndefined();

    const portal = await storedPortal(h, acme.memberId);
    expect(portal).toMatchObject({
      state: 'active',
      domain: acme.host,
      clientEndpoint: `${acme.origin}/rest/`,
      installedBy: '1',
    });
    expect(portal.scopes).toEqual(['user_brief', 'department', 'placement']);
    expect(portal.bindings.bound).toEqual(['ONAPPUNINSTALL', 'ONAPPUPDATE', 'ONUSERADD', 'LEFT_MENU', 'REST_APP_URI']);
    expect(h.services.vault.open(portal)).toMatchObject({
      accessToken: acme.adminToken,
      refreshToken: acme.refreshToken,
    });
  });
});

describe('POST /install refuses what Bitrix24 does not confirm, storing nothing', () => {
  beforeEach(isolateNetwork);
  afterEach(() => nock.cleanAll());

  async function expectNothingStored(h: ReturnType<typeof harness>) {
    expect(await h.services.installations.get(acme.memberId)).toBeUndefined();
  }

  it('forged token: the OAuth server says invalid_token → 401 page, no portal call', async () => {
    const h = harness();
    const oauth = oauthAppInfo(acme, {
      reply: [401, { error: 'invalid_token', error_description: 'The access token provided is invalid.' }],
    });
    const { query, body } = installerRequest(acme);
    const res = await h.request.post('/install').query(query).type('form').send(body);
    expect(res.status).toBe(401);
    expect(res.type).toBe('text/html');
    expect(res.text).toContain('We could not confirm your sign-in');
    expect(res.text).toContain('TOKEN_NOT_VERIFIED');
    oauth.done();
    await expectNothingStored(h);
  });

  it('token of another application (wrong client id) → 403', async () => {
    const h = harness();
    const oauth = oauthAppInfo(acme, { clientId: 'app.someone.else' });
    const { query, body } = installerRequest(acme);
    const res = await h.request.post('/install').query(query).type('form').send(body);
    expect(res.status).toBe(403);
    expect(res.text).toContain('WRONG_CLIENT');
    oauth.done();
    await expectNothingStored(h);
  });

  it('token of another portal (other member id) → 403', async () => {
    const h = harness();
    const oauth = oauthAppInfo(acme, { memberId: 'member-other' });
    const { query, body } = installerRequest(acme);
    const res = await h.request.post('/install').query(query).type('form').send(body);
    expect(res.status).toBe(403);
    expect(res.text).toContain('WRONG_PORTAL');
    oauth.done();
    await expectNothingStored(h);
  });

  it('a DOMAIN the OAuth server does not vouch for is never called: the token refused, nothing sent there', async () => {
    const h = harness();
    const unmatched: string[] = [];
    const onNoMatch = (req: { host?: string; hostname?: string }) => unmatched.push(String(req.hostname ?? req.host));
    nock.emitter.on('no match', onNoMatch);
    try {
      for (const DOMAIN of ['evil.example.com', 'acme.bitrix24.com.evil.io', '169.254.169.254', 'localhost:4000']) {
        const oauth = oauthAppInfo(acme, { reply: [401, { error: 'invalid_token', error_description: 'invalid' }] });
        const { query, body } = installerRequest(acme, { query: { DOMAIN } });
        const res = await h.request.post('/install').query(query).type('form').send(body);
        expect(res.status, DOMAIN).toBe(401);
        oauth.done();
      }
    } finally {
      nock.emitter.removeListener('no match', onNoMatch);
    }
    expect(unmatched.filter((host) => !/^(127\.0\.0\.1|localhost|::1)$/.test(host))).toEqual([]);
    await expectNothingStored(h);
  });

  it('the portal is where the OAuth server says, whatever DOMAIN and PROTOCOL the request names', async () => {
    const h = harness();
    // The request says evil.example.com over plain http; the OAuth server vouches for acme over https.
    const scopes = installScopes(acme);
    const { query, body } = installerRequest(acme, { query: { DOMAIN: 'evil.example.com', PROTOCOL: '0' } });
    const res = await h.request.post('/install').query(query).type('form').send(body);
    expect(res.status).toBe(200);
    for (const scope of scopes) scope.done();
    expect(await storedPortal(h, acme.memberId)).toMatchObject({
      domain: acme.host,
      clientEndpoint: `${acme.origin}/rest/`,
    });
  });

  it('a self-hosted portal the OAuth server vouches for is installed, on any domain; plain http only where listed', async () => {
    const h = harness();
    const box = { ...acme, host: 'crm.example.org', origin: 'https://crm.example.org' };
    oauthAppInfo(box);
    portalCall(box, 'profile', { result: { ID: '1', ADMIN: true, NAME: 'Anna', LAST_NAME: 'Admin' } });
    portalCall(box, 'event.get', { result: [] });
    portalCall(box, 'event.bind', { times: 3 });
    portalCall(box, 'placement.get', { result: [] });
    portalCall(box, 'placement.bind', { times: 2 });
    const { query, body } = installerRequest(box);
    expect((await h.request.post('/install').query(query).type('form').send(body)).status).toBe(200);
    expect(await storedPortal(h, acme.memberId)).toMatchObject({ domain: 'crm.example.org', state: 'active' });

    // The same over plain http, not listed by the operator: refused before any request to it.
    const plain = harness();
    const httpBox = { ...acme, memberId: 'member-box2', host: 'crm2.example.org', origin: 'http://crm2.example.org' };
    oauthAppInfo(httpBox);
    const profile = nock('http://crm2.example.org').post(/.*/).reply(200, { result: {} });
    const res = await plain.request
      .post('/install')
      .query(installerRequest(httpBox).query)
      .type('form')
      .send(installerRequest(httpBox).body);
    expect(res.status).toBe(403);
    expect(res.text).toContain('PORTAL_NOT_ALLOWED');
    expect(profile.isDone()).toBe(false);
  });

  it('SERVER_ENDPOINT names the OAuth server: only a trusted one is asked, and it is recorded', async () => {
    const h = harness();
    const evil = nock('https://evil.example')
      .post(/.*/)
      .reply(200, { result: { client_id: 'x' } });
    const { query, body } = installerRequest(acme, { body: { SERVER_ENDPOINT: 'https://evil.example/rest/' } });
    const refused = await h.request.post('/install').query(query).type('form').send(body);
    expect(refused.status).toBe(403);
    expect(refused.text).toContain('OAUTH_SERVER_NOT_TRUSTED');
    expect(evil.isDone()).toBe(false);
    await expectNothingStored(h);

    // Bitrix24's east server (oauth.bitrix24.tech) is trusted: it is asked, and renews this portal's tokens.
    const east = 'https://oauth.bitrix24.tech';
    const scopes = installScopes(acme).slice(1);
    const vouched = oauthAppInfo(acme, { server: east });
    const fromEast = installerRequest(acme, { body: { SERVER_ENDPOINT: `${east}/rest/` } });
    expect((await h.request.post('/install').query(fromEast.query).type('form').send(fromEast.body)).status).toBe(200);
    vouched.done();
    for (const scope of scopes) scope.done();
    expect((await storedPortal(h, acme.memberId)).oauthServer).toBe(east);
  });

  it('a non-admin installer → 403, nothing stored', async () => {
    const h = harness();
    const oauth = oauthAppInfo(acme);
    const profile = portalCall(acme, 'profile', { result: { ID: '7', ADMIN: false, NAME: 'Eve' } });
    const { query, body } = installerRequest(acme);
    const res = await h.request.post('/install').query(query).type('form').send(body);
    expect(res.status).toBe(403);
    expect(res.text).toContain('Only an administrator can install Keycard');
    oauth.done();
    profile.done();
    await expectNothingStored(h);
  });

  it('a profile without an ADMIN flag is not an admin (unknown is a deny)', async () => {
    const h = harness();
    oauthAppInfo(acme);
    portalCall(acme, 'profile', { result: { ID: '7', NAME: 'Eve' } });
    const { query, body } = installerRequest(acme);
    const res = await h.request.post('/install').query(query).type('form').send(body);
    expect(res.status).toBe(403);
    await expectNothingStored(h);
  });

  it('malformed payloads (missing AUTH_ID, hostile member_id) → 400 page, no outgoing request', async () => {
    const h = harness();
    const { query, body } = installerRequest(acme);
    const { AUTH_ID: _dropped, ...withoutAuth } = body;
    for (const payload of [withoutAuth, { ...body, member_id: '../../etc' }, { ...body, AUTH_ID: 'a b"<' }]) {
      const res = await h.request.post('/install').query(query).type('form').send(payload);
      expect(res.status).toBe(400);
      expect(res.text).toContain('Open this page from Bitrix24');
    }
    await expectNothingStored(h);
  });

  it('answers in Russian when the portal language is ru', async () => {
    const h = harness();
    oauthAppInfo(acme, { reply: [401, { error: 'invalid_token' }] });
    const { query, body } = installerRequest(acme, { query: { LANG: 'ru' } });
    const res = await h.request.post('/install').query(query).type('form').send(body);
    expect(res.text).toContain('Не удалось подтвердить вход');
    expect(res.text).toContain('<html lang="ru">');
  });
});

describe('POST /install event bindings', () => {
  beforeEach(isolateNetwork);
  afterEach(() => nock.cleanAll());

  it('binds only what is missing (reads event.get first)', async () => {
    const h = harness();
    oauthAppInfo(acme);
    portalCall(acme, 'profile', { result: { ID: '1', ADMIN: true, NAME: 'Anna' } });
    portalCall(acme, 'event.get', {
      result: [
        { event: 'ONAPPUNINSTALL', handler: 'https://keycard.test/events', auth_type: '0', offline: 0 },
        { event: 'onappupdate', handler: 'https://keycard.test/events', auth_type: '0', offline: 0 },
      ],
    });
    const bind = portalCall(acme, 'event.bind', { params: (body) => body['event'] === 'ONUSERADD' });
    portalCall(acme, 'placement.get', {
      result: ['LEFT_MENU', 'REST_APP_URI'].map((placement) => ({ placement, handler: 'https://keycard.test/app' })),
    });
    const { query, body } = installerRequest(acme);
    const res = await h.request.post('/install').query(query).type('form').send(body);
    expect(res.status).toBe(200);
    bind.done();
    expect(nock.pendingMocks()).toEqual([]);
    expect((await h.services.installations.get(acme.memberId))?.bindings.bound).toEqual([
      'ONAPPUNINSTALL',
      'ONAPPUPDATE',
      'ONUSERADD',
      'LEFT_MENU',
      'REST_APP_URI',
    ]);
  });

  it('an optional event that cannot be bound is recorded, the install still completes', async () => {
    const h = harness();
    oauthAppInfo(acme);
    portalCall(acme, 'profile', { result: { ID: '1', ADMIN: true } });
    portalCall(acme, 'event.get', { result: [] });
    portalCall(acme, 'event.bind', { times: 2, params: (body) => body['event'] !== 'ONUSERADD' });
    portalCall(acme, 'event.bind', {
      params: (body) => body['event'] === 'ONUSERADD',
      error: [403, 'insufficient_scope'],
    });
    portalCall(acme, 'placement.get', { result: [] });
    portalCall(acme, 'placement.bind', { times: 2 });
    const { query, body } = installerRequest(acme);
    const res = await h.request.post('/install').query(query).type('form').send(body);
    expect(res.status).toBe(200);
    const portal = await storedPortal(h, acme.memberId);
    expect(portal.state).toBe('active');
    expect(portal.bindings.failed).toEqual([{ name: 'ONUSERADD', code: 'insufficient_scope' }]);
  });

  it('re-running the installer on a working installation keeps it active while it re-binds', async () => {
    const h = harness();
    installScopes(acme);
    const first = installerRequest(acme);
    expect((await h.request.post('/install').query(first.query).type('form').send(first.body)).status).toBe(200);
    const states: string[] = [];
    oauthAppInfo(acme);
    portalCall(acme, 'profile', { result: { ID: '1', ADMIN: true } });
    // While Bitrix24 answers event.get, the stored installation is still usable.
    nock(`${acme.origin}`)
      .post('/rest/event.get')
      .query(true)
      .reply(async () => {
        states.push((await storedPortal(h, acme.memberId)).state);
        const bound = ['ONAPPUNINSTALL', 'ONAPPUPDATE', 'ONUSERADD'].map((event) => ({
          event,
          handler: 'https://keycard.test/events',
        }));
        return [
          200,
          { result: bound, time: { start: 1, finish: 1.01, duration: 0.01, processing: 0.01, operating: 0 } },
        ];
      });
    portalCall(acme, 'placement.get', {
      result: ['LEFT_MENU', 'REST_APP_URI'].map((placement) => ({ placement, handler: 'https://keycard.test/app' })),
    });
    const again = installerRequest(acme);
    expect((await h.request.post('/install').query(again.query).type('form').send(again.body)).status).toBe(200);
    expect(states).toEqual(['active']);
    expect((await storedPortal(h, acme.memberId)).state).toBe('active');
  });

  it('a vital event that cannot be bound leaves the installation unfinished and says so', async () => {
    const h = harness();
    oauthAppInfo(acme);
    portalCall(acme, 'profile', { result: { ID: '1', ADMIN: true } });
    portalCall(acme, 'event.get', { result: [] });
    portalCall(acme, 'event.bind', {
      params: (body) => body['event'] === 'ONAPPUNINSTALL',
      error: [400, 'ERROR_EVENT_NOT_FOUND'],
    });
    portalCall(acme, 'event.bind', { times: 2, params: (body) => body['event'] !== 'ONAPPUNINSTALL' });
    portalCall(acme, 'placement.get', { result: [] });
    portalCall(acme, 'placement.bind', { times: 2 });
    const { query, body } = installerRequest(acme);
    const res = await h.request.post('/install').query(query).type('form').send(body);
    expect(res.status).toBe(502);
    expect(res.text).toContain('Installation could not be finished');
    expect(res.text).toContain('ONAPPUNINSTALL: ERROR_EVENT_NOT_FOUND');
    expect((await h.services.installations.get(acme.memberId))?.state).toBe('new');
  });
});
