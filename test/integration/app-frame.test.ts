import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bootstrapOf, harness, isolateNetwork, OAUTH, testPortal, type TestPortal } from '../support/harness.js';
import { oauthAppInfo, portalCall } from '../support/bitrix-nock.js';
import { installPortal, storedPortal } from '../support/install-portal.js';

const acme = testPortal('acme');
const globex = testPortal('globex');

function frameRequest(portal: TestPortal, userToken: string, query: Record<string, string> = {}) {
  return {
    query: { DOMAIN: portal.host, PROTOCOL: '1', LANG: 'en', APP_SID: 'sid', ...query },
    body: {
      AUTH_ID: userToken,
      AUTH_EXPIRES: '3600',
      REFRESH_ID: 'user-refresh',
      member_id: portal.memberId,
      status: 'F',
      PLACEMENT: 'DEFAULT',
    },
  };
}

describe('POST /app', () => {
  beforeEach(isolateNetwork);
  afterEach(() => nock.cleanAll());

  it('identifies the user with profile on the stored endpoint and renders the app with a bound session', async () => {
    const h = harness();
    await installPortal(h, acme);
    oauthAppInfo(acme, { token: 'user-token' });
    const profile = portalCall(acme, 'profile', {
      token: 'user-token',
      result: { ID: '42', ADMIN: false, NAME: 'Boris', LAST_NAME: 'Ivanov' },
    });
    const { query, body } = frameRequest(acme, 'user-token', { LANG: 'ru' });
    const res = await h.request.post('/app').query(query).type('form').send(body);
    expect(res.status).toBe(200);
    profile.done();
    const boot = bootstrapOf(res.text);
    expect(boot).toMatchObject({ mode: 'app', lang: 'ru', user: { id: '42', name: 'Boris Ivanov', isAdmin: false } });
    expect(res.headers['content-security-policy']).toMatch(new RegExp(`frame-ancestors ${acme.origin}(;|$)`));
    expect(res.headers['x-frame-options']).toBeUndefined();

    const me = await h.request.get('/api/me').set('authorization', `Bearer ${boot.session}`);
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({
      user: { id: '42', name: 'Boris Ivanov', isAdmin: false },
      portal: { domain: acme.host, memberId: acme.memberId },
      lang: 'ru',
    });
    // A fresh install gives the Manager role to the company structure (DR of the root departments), which the
    // mirror does not know before its first sync: until then a non-admin holds no feature — never AU (issue 13).
    expect(me.body.access).toMatchObject({
      open: true,
      manage: false,
      features: {
        directory: { level: null, levels: {} },
        reports: { level: null },
        settings: { level: null, levels: {} },
      },
    });
  });

  it('never uses the request’s DOMAIN: a frame POST naming another host still verifies on the stored endpoint', async () => {
    const h = harness();
    await installPortal(h, acme);
    const evil = nock('https://evil.bitrix24.com')
      .post(/.*/)
      .query(true)
      .reply(200, { result: { ID: '1', ADMIN: true } });
    oauthAppInfo(acme, { token: 'user-token' });
    const profile = portalCall(acme, 'profile', {
      token: 'user-token',
      result: { ID: '5', ADMIN: false, NAME: 'Vera' },
    });
    const { query, body } = frameRequest(acme, 'user-token', { DOMAIN: 'evil.bitrix24.com' });
    const res = await h.request.post('/app').query(query).type('form').send(body);
    expect(res.status).toBe(200);
    profile.done();
    expect(evil.isDone()).toBe(false);
    expect(bootstrapOf(res.text).user.isAdmin).toBe(false);
  });

  it('a frame POST for portal B carrying portal A’s user token cannot act on B', async () => {
    const h = harness();
    await installPortal(h, acme);
    await installPortal(h, globex);
    // The OAuth server knows the token is A's; B's portal does not know it at all.
    const issuer = oauthAppInfo(acme, { token: 'acme-user-token' });
    portalCall(globex, 'profile', { token: 'acme-user-token', error: [401, 'NO_AUTH_FOUND'] });
    const { query, body } = frameRequest(globex, 'acme-user-token', { DOMAIN: acme.host });
    const res = await h.request.post('/app').query(query).type('form').send(body);
    expect(res.status).toBe(403);
    expect(res.text).toContain('WRONG_PORTAL');
    expect(res.text).not.toContain('keycard-bootstrap');
    issuer.done();
  });

  it('a token another app on the same portal received cannot open Keycard, even an admin’s', async () => {
    const h = harness();
    await installPortal(h, acme);
    oauthAppInfo(acme, { token: 'other-app-admin-token', clientId: 'app.someone.else' });
    portalCall(acme, 'profile', { token: 'other-app-admin-token', result: { ID: '1', ADMIN: true, NAME: 'Anna' } });
    const { query, body } = frameRequest(acme, 'other-app-admin-token');
    const res = await h.request.post('/app').query(query).type('form').send(body);
    expect(res.status).toBe(403);
    expect(res.text).toContain('WRONG_CLIENT');
    expect(res.text).not.toContain('keycard-bootstrap');
  });

  it('a session minted on portal A is bound to A', async () => {
    const h = harness();
    await installPortal(h, acme);
    await installPortal(h, globex);
    oauthAppInfo(acme, { token: 'user-token' });
    portalCall(acme, 'profile', { token: 'user-token', result: { ID: '9', ADMIN: true, NAME: 'Ann' } });
    const { query, body } = frameRequest(acme, 'user-token');
    const { session } = bootstrapOf((await h.request.post('/app').query(query).type('form').send(body)).text);
    const me = await h.request.get('/api/me').set('authorization', `Bearer ${session}`);
    expect(me.body.portal.memberId).toBe(acme.memberId);
  });

  it('an unknown or uninstalled portal gets a readable “not installed” page once Bitrix24 confirms the user', async () => {
    const h = harness();
    // A portal Keycard has no record of: the token is genuine, the installation is not there.
    oauthAppInfo(acme, { token: 'user-token' });
    const { query, body } = frameRequest(acme, 'user-token');
    const res = await h.request.post('/app').query(query).type('form').send(body);
    expect(res.status).toBe(404);
    expect(res.type).toBe('text/html');
    expect(res.text).toContain('Keycard is not installed on this Bitrix24');
    expect(res.headers['content-security-policy']).toContain('frame-ancestors https://*.bitrix24.com');

    // A removed app: the OAuth server itself says so.
    oauthAppInfo(acme, {
      token: 'user-token',
      reply: [401, { error: 'NOT_INSTALLED', error_description: 'Application not installed' }],
    });
    const removed = await h.request.post('/app').query(query).type('form').send(body);
    expect(removed.status).toBe(404);
    expect(removed.text).toContain('Keycard is not installed on this Bitrix24');
  });

  it('a user Bitrix24’s own app access setting blocks sees the no-access page', async () => {
    const h = harness();
    await installPortal(h, acme);
    oauthAppInfo(acme, { token: 'blocked-user' });
    portalCall(acme, 'profile', { token: 'blocked-user', error: [403, 'user_access_error'] });
    const { query, body } = frameRequest(acme, 'blocked-user');
    const res = await h.request.post('/app').query(query).type('form').send(body);
    expect(res.status).toBe(403);
    expect(res.text).toContain('You have no access to this app');
    expect(res.headers['content-security-policy']).toContain(`frame-ancestors ${acme.origin}`);
  });

  it('a deactivated user (empty profile) is refused', async () => {
    const h = harness();
    await installPortal(h, acme);
    oauthAppInfo(acme, { token: 'fired-user' });
    portalCall(acme, 'profile', { token: 'fired-user', result: {} });
    const { query, body } = frameRequest(acme, 'fired-user');
    const res = await h.request.post('/app').query(query).type('form').send(body);
    expect(res.status).toBe(403);
    expect(res.text).toContain('USER_INACTIVE');
  });

  it('a deactivated user’s token (authorization_error) gets the inactive-account page', async () => {
    const h = harness();
    await installPortal(h, acme);
    oauthAppInfo(acme, { token: 'fired-token' });
    portalCall(acme, 'profile', { token: 'fired-token', error: [401, 'authorization_error'] });
    const { query, body } = frameRequest(acme, 'fired-token');
    const res = await h.request.post('/app').query(query).type('form').send(body);
    expect(res.status).toBe(403);
    expect(res.text).toContain('Your account is not active');
  });

  it.each([
    [429, { error: 'QUERY_LIMIT_EXCEEDED', error_description: 'Too many requests' }],
    [503, { error: 'temporarily_unavailable' }],
  ])('a busy OAuth server (%i) is “try again” (503), never “sign-in not confirmed”', async (status, answer) => {
    const h = harness();
    await installPortal(h, acme);
    nock(OAUTH).post('/rest/app.info').times(5).reply(status, answer);
    const { query, body } = frameRequest(acme, 'some-user');
    const res = await h.request.post('/app').query(query).type('form').send(body);
    expect(res.status).toBe(503);
    expect(res.text).toContain('OAUTH_UNAVAILABLE');
    expect(res.text).not.toContain('TOKEN_NOT_VERIFIED');
  });

  it.each([
    ['the OAuth server refuses to vouch (PAYMENT_REQUIRED)', 'oauth'],
    ['the portal refuses the call (401 "Subscription has been ended")', 'portal'],
  ] as const)('a lapsed paid subscription says so when %s', async (_name, where) => {
    const h = harness();
    await installPortal(h, acme);
    const lapsed = { error: 'PAYMENT_REQUIRED', error_description: 'Subscription has been ended' };
    if (where === 'oauth') oauthAppInfo(acme, { token: 'unpaid', reply: [401, lapsed] });
    else {
      oauthAppInfo(acme, { token: 'unpaid' });
      nock(acme.origin).post('/rest/profile').query(true).reply(401, lapsed);
    }
    const { query, body } = frameRequest(acme, 'unpaid');
    const res = await h.request.post('/app').query(query).type('form').send(body);
    expect(res.status).toBe(403);
    expect(res.text).toContain('The Keycard subscription on this Bitrix24 has expired');
    expect(res.text).toContain('SUBSCRIPTION_EXPIRED');
    expect(res.text).not.toContain('not confirmed');
  });

  it('a portal whose connection Bitrix24 refuses asks an employee for an administrator; an admin opening it heals it', async () => {
    const h = harness();
    await installPortal(h, acme);
    const portal = await storedPortal(h, acme.memberId);
    await h.services.installations.save({ ...portal, state: 'needs_reinstall' });

    oauthAppInfo(acme, { token: 'employee-token' });
    portalCall(acme, 'profile', { token: 'employee-token', result: { ID: '42', ADMIN: false, NAME: 'Boris' } });
    const employee = frameRequest(acme, 'employee-token');
    const refused = await h.request.post('/app').query(employee.query).type('form').send(employee.body);
    expect(refused.status).toBe(409);
    expect(refused.text).toContain('connection to Bitrix24 needs an administrator');
    expect((await storedPortal(h, acme.memberId)).state).toBe('needs_reinstall');

    oauthAppInfo(acme, { token: 'admin-token' });
    portalCall(acme, 'profile', { token: 'admin-token', result: { ID: '7', ADMIN: true, NAME: 'Ada' } });
    const admin = frameRequest(acme, 'admin-token');
    const opened = await h.request.post('/app').query(admin.query).type('form').send(admin.body);
    expect(opened.status).toBe(200);
    const healed = await storedPortal(h, acme.memberId);
    expect(healed.state).toBe('active');
    expect(h.services.vault.open(healed)).toMatchObject({
      userId: '7',
      accessToken: 'admin-token',
      refreshToken: 'user-refresh',
    });
    // The event secret stays: ONAPPUNINSTALL still matches.
    expect(h.services.vault.open(healed)?.applicationToken).toBe(acme.applicationToken);
  });

  it('opening the handler URL outside Bitrix24 (GET) shows how to open it', async () => {
    const h = harness();
    const res = await h.request.get('/app');
    expect(res.status).toBe(404);
    expect(res.text).toContain('Open this page from Bitrix24');
  });
});

describe('/api session guard', () => {
  beforeEach(isolateNetwork);
  afterEach(() => nock.cleanAll());

  it('no token, a tampered token, an expired token → 401 JSON', async () => {
    const h = harness();
    await installPortal(h, acme);
    oauthAppInfo(acme, { token: 'user-token' });
    portalCall(acme, 'profile', { token: 'user-token', result: { ID: '9', ADMIN: true, NAME: 'Ann' } });
    const { query, body } = frameRequest(acme, 'user-token');
    const { session } = bootstrapOf((await h.request.post('/app').query(query).type('form').send(body)).text);

    expect((await h.request.get('/api/me')).body).toEqual({ error: 'SESSION_MISSING', message: expect.any(String) });
    const [head, payload, signature] = session.split('.');
    const tampered = `${head}.${Buffer.from(JSON.stringify({ sub: '1', mid: acme.memberId, adm: true, lang: 'en', name: 'x' })).toString('base64url')}.${signature}`;
    expect((await h.request.get('/api/me').set('authorization', `Bearer ${tampered}`)).status).toBe(401);
    expect(payload).toBeDefined();
    h.clock.advance(31 * 60 * 1000);
    const expired = await h.request.get('/api/me').set('authorization', `Bearer ${session}`);
    expect(expired.status).toBe(401);
    expect(expired.body.error).toBe('SESSION_INVALID');
  });

  it('a session of an uninstalled portal is refused', async () => {
    const h = harness();
    await installPortal(h, acme);
    oauthAppInfo(acme, { token: 'user-token' });
    portalCall(acme, 'profile', { token: 'user-token', result: { ID: '9', ADMIN: true, NAME: 'Ann' } });
    const { query, body } = frameRequest(acme, 'user-token');
    const { session } = bootstrapOf((await h.request.post('/app').query(query).type('form').send(body)).text);
    const portal = await storedPortal(h, acme.memberId);
    await h.services.installations.save({ ...portal, state: 'deleted' });
    const res = await h.request.get('/api/me').set('authorization', `Bearer ${session}`);
    expect(res.status).toBe(403);
    expect(res.body.error).toBe('PORTAL_NOT_ACTIVE');
  });
});
