import nock from 'nock';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_PORTAL_DOMAINS } from '../../server/config.js';
import { OAUTH, isolateNetwork, testConfig, type TestPortal } from '../support/harness.js';
import { installerRequest, oauthAppInfo, portalCall } from '../support/bitrix-nock.js';
import { storedPortal } from '../support/install-portal.js';
import { closeServed, install, securedHarness, securedPortal, serve, sessionFor, type Harness } from './support/app.js';
import { expectFramedBy, frameRequest, sessionOf } from './support/frames.js';
import { itLogsNoSecrets, secret } from './support/log-scan.js';
import { rawRequest } from './support/network.js';

/*
 * Clickjacking: every page a frame route answers — the app, the installer, and every error page — carries a
 * CSP whose `frame-ancestors` is exactly the verified portal's origin, or, while no portal is verified, exactly
 * the configured PORTAL_DOMAINS (never a host the request named), and never X-Frame-Options.
 */

const PORTAL_DOMAINS = '*.bitrix24.com,portal.example.org,*.corp.example:8443,http://localhost:4000';
const CONFIGURED = [
  'https://*.bitrix24.com',
  'https://portal.example.org',
  'https://*.corp.example:8443',
  'http://localhost:4000',
  'https://localhost:4000',
];

const acme = securedPortal('acme');
const globex = securedPortal('globex');
const hooli = securedPortal('hooli');
const initech = securedPortal('initech');

let h: Harness & { url: string };
beforeAll(async () => {
  isolateNetwork();
  h = await serve(securedHarness({ config: testConfig({ PORTAL_DOMAINS }) }));
  for (const portal of [acme, globex, hooli]) await install(h, portal);
  // hooli admits only its admin (user 1); globex needs a reinstall.
  const admin = `Bearer ${await sessionFor(h, hooli, { userId: '1', isAdmin: true })}`;
  const current = await h.request.get('/api/access/policy').set('authorization', admin);
  const { version: _version, ...policy } = current.body.policy;
  await h.request
    .put('/api/access/policy')
    .set('authorization', admin)
    .set('if-match', current.body.etag)
    .send({ ...policy, allowList: ['U1'] })
    .expect(200);
  await h.services.installations.save({ ...(await storedPortal(h, globex.memberId)), state: 'needs_reinstall' });
  await h.background.idle();
});
afterAll(closeServed);
beforeEach(() => {
  isolateNetwork();
});

function openApp(portal: TestPortal, token: string, overrides: Parameters<typeof frameRequest>[2] = {}) {
  const { query, body } = frameRequest(portal, token, overrides);
  return h.request.post('/app').query(query).type('form').send(body);
}

/** A user token Bitrix24 vouches for, of user `id` (admin or not) on `portal`. */
function genuineUser(portal: TestPortal, name: string, profile: Record<string, unknown>): string {
  const token = secret(`${name}-user-token-csp-${portal.memberId}`);
  oauthAppInfo(portal, { token });
  portalCall(portal, 'profile', { token, result: profile });
  portalCall(portal, 'user.get', { result: [] });
  return token;
}

describe('frame-ancestors is the verified portal’s origin', () => {
  it('POST /app: the app itself, also when DOMAIN names another host', async () => {
    for (const DOMAIN of [acme.host, 'evil.example.com', 'portal.example.org']) {
      const res = await openApp(acme, genuineUser(acme, `ok-${DOMAIN}`, { ID: '42', ADMIN: false, NAME: 'Eve' }), {
        query: { DOMAIN },
      });
      expect(res.status).toBe(200);
      sessionOf(res.text);
      expectFramedBy(res, [acme.origin], DOMAIN);
    }
  });

  it('POST /app error pages of a known portal: forged token and other app (unverified: PORTAL_DOMAINS), Bitrix24 access denied, Keycard access denied, portal down (its origin)', async () => {
    // Until the OAuth server vouches for the token, a known portal's pages look like an unknown one's.
    const forged = secret('forged-user-token-csp-1');
    oauthAppInfo(acme, { token: forged, reply: [401, { error: 'invalid_token' }] });
    expectFramedBy(await openApp(acme, forged), CONFIGURED, 'forged');

    const otherApp = secret('other-app-user-token-csp');
    oauthAppInfo(acme, { token: otherApp, clientId: 'app.someone.else' });
    const wrongClient = await openApp(acme, otherApp);
    expect(wrongClient.status).toBe(403);
    expectFramedBy(wrongClient, CONFIGURED, 'wrong client');

    const blocked = secret('blocked-user-token-csp-1');
    oauthAppInfo(acme, { token: blocked });
    portalCall(acme, 'profile', { token: blocked, error: [403, 'user_access_error'] });
    const bitrixDenied = await openApp(acme, blocked);
    expect(bitrixDenied.status).toBe(403);
    expectFramedBy(bitrixDenied, [acme.origin], 'bitrix denied');

    const keycardDenied = await openApp(hooli, genuineUser(hooli, 'outsider', { ID: '42', ADMIN: false, NAME: 'Eve' }));
    expect(keycardDenied.status).toBe(403);
    expect(keycardDenied.text).toContain('APP_ACCESS_DENIED');
    expectFramedBy(keycardDenied, [hooli.origin], 'keycard denied');

    const down = secret('down-user-token-csp-0001');
    oauthAppInfo(acme, { token: down });
    nock(acme.origin).post('/rest/profile').query(true).times(5).reply(500, 'Internal Server Error');
    const unavailable = await openApp(acme, down);
    expect(unavailable.status).toBe(503);
    expectFramedBy(unavailable, [acme.origin], 'portal down');
  });

  it('POST /app pages of a stored portal that needs a reinstall, is unfinished or blocked are framed by its origin', async () => {
    for (const state of ['needs_reinstall', 'new', 'blocked'] as const) {
      await h.services.installations.save({ ...(await storedPortal(h, globex.memberId)), state });
      oauthAppInfo(globex, { token: 'any-user-token-of-globex' });
      portalCall(globex, 'profile', { token: 'any-user-token-of-globex', result: { ID: '7', ADMIN: false } });
      const res = await openApp(globex, 'any-user-token-of-globex');
      expect(res.status).toBeGreaterThanOrEqual(400);
      expectFramedBy(res, [globex.origin], state);
    }
  });

  it('POST /install: the installer of a verified portal, and its "could not finish" page', async () => {
    const local = await serve(securedHarness({ config: testConfig({ PORTAL_DOMAINS }) }));
    oauthAppInfo(initech);
    portalCall(initech, 'profile', { result: { ID: '1', ADMIN: true, NAME: 'Ines' } });
    portalCall(initech, 'event.get', { result: [] });
    portalCall(initech, 'event.bind', {
      params: (body) => body['event'] === 'ONAPPUNINSTALL',
      error: [400, 'ERROR_EVENT_NOT_FOUND'],
    });
    portalCall(initech, 'event.bind', { times: 2, params: (body) => body['event'] !== 'ONAPPUNINSTALL' });
    portalCall(initech, 'placement.get', { result: [] });
    portalCall(initech, 'placement.bind', { times: 2 });
    const { query, body } = installerRequest(initech, { query: { DOMAIN: initech.host } });
    const incomplete = await local.request.post('/install').query(query).type('form').send(body);
    expect(incomplete.status).toBe(502);
    expectFramedBy(incomplete, [initech.origin], 'install incomplete');

    const installed = await serve(securedHarness({ config: testConfig({ PORTAL_DOMAINS }) }));
    await install(installed, initech);
    oauthAppInfo(initech);
    portalCall(initech, 'profile', { result: { ID: '1', ADMIN: true, NAME: 'Ines' } });
    const bound = ['ONAPPUNINSTALL', 'ONAPPUPDATE', 'ONUSERADD'].map((event) => ({
      event,
      handler: 'https://keycard.test/events',
    }));
    portalCall(initech, 'event.get', { result: bound });
    portalCall(initech, 'placement.get', { result: [{ placement: 'LEFT_MENU', handler: 'https://keycard.test/app' }] });
    const again = await installed.request.post('/install').query(query).type('form').send(body);
    expect(again.status).toBe(200);
    sessionOf(again.text);
    expectFramedBy(again, [initech.origin], 'installer');
    await local.background.idle();
    await installed.background.idle();
  });
});

describe('frame-ancestors is PORTAL_DOMAINS while no portal is verified', () => {
  it('POST /install refusals: malformed, foreign host, forged token, other app, other portal, not an admin', async () => {
    const send = (overrides: Parameters<typeof installerRequest>[1]) => {
      const { query, body } = installerRequest(acme, overrides);
      return h.request.post('/install').query(query).type('form').send(body);
    };
    expectFramedBy(await send({ body: { AUTH_ID: '' } }), CONFIGURED, 'malformed');
    expectFramedBy(await send({ query: { DOMAIN: 'evil.example.com' } }), CONFIGURED, 'foreign host');
    expectFramedBy(
      await send({ query: { DOMAIN: 'localhost:4000', PROTOCOL: '0' } }),
      CONFIGURED,
      'configured loopback host, unverified',
    );
    const forged = secret('forged-install-token-csp');
    oauthAppInfo(acme, { token: forged, reply: [401, { error: 'invalid_token' }] });
    expectFramedBy(await send({ body: { AUTH_ID: forged } }), CONFIGURED, 'forged');
    oauthAppInfo(acme, { clientId: 'app.someone.else' });
    expectFramedBy(await send({}), CONFIGURED, 'other app');
    oauthAppInfo(acme, { memberId: 'member-other' });
    expectFramedBy(await send({}), CONFIGURED, 'other portal');
    oauthAppInfo(acme);
    portalCall(acme, 'profile', { result: { ID: '7', ADMIN: false } });
    expectFramedBy(await send({}), CONFIGURED, 'not an admin');
    nock(OAUTH).post('/rest/app.info').times(5).reply(503, { error: 'temporarily_unavailable' });
    const oauthDown = await send({});
    expect(oauthDown.status).toBe(503);
    expectFramedBy(oauthDown, CONFIGURED, 'oauth down');
  });

  it('POST /app for an unknown portal (also naming a foreign DOMAIN), a malformed POST, and GET of either frame URL', async () => {
    expectFramedBy(
      await openApp(acme, 'token-of-unknown-portal', { body: { member_id: 'member-nobody' } }),
      CONFIGURED,
      'unknown portal',
    );
    expectFramedBy(
      await openApp(acme, 'token-of-unknown-portal', {
        query: { DOMAIN: 'evil.example.com' },
        body: { member_id: 'member-nobody' },
      }),
      CONFIGURED,
      'unknown portal, foreign DOMAIN',
    );
    expectFramedBy(await openApp(acme, '', {}), CONFIGURED, 'malformed');
    expectFramedBy(await h.request.get('/app').query({ DOMAIN: 'evil.example.com' }), CONFIGURED, 'GET /app');
    expectFramedBy(await h.request.get('/install'), CONFIGURED, 'GET /install');
  });

  it('frame POSTs whose bodies cannot be parsed still get a framed page (whatever their status)', async () => {
    for (const body of [
      `AUTH_ID=${'x'.repeat(70_000)}`,
      `${'a[b]'.repeat(1)}${'[c]'.repeat(40)}=1`,
      '{"broken":',
      '\u0000\u0001binary',
    ]) {
      for (const path of ['/app', '/install']) {
        const res = await rawRequest(h.url, {
          method: 'POST',
          path: `${path}?DOMAIN=${acme.host}`,
          headers: { 'content-type': body.startsWith('{') ? 'application/json' : 'application/x-www-form-urlencoded' },
          body,
        });
        expectFramedBy(res, CONFIGURED, `${path} ${body.slice(0, 20)}`);
      }
    }
  });

  it('with the default PORTAL_DOMAINS, the page may be framed by the Bitrix24 cloud domains only', async () => {
    const local = securedHarness();
    const res = await local.request
      .post('/app')
      .query({ DOMAIN: 'evil.example.com' })
      .type('form')
      .send({ AUTH_ID: 'token-of-unknown-portal', member_id: 'member-nobody' });
    // Unverified (the OAuth server cannot be reached here): refused, framed by the cloud domains.
    expect(res.status).toBe(503);
    expectFramedBy(
      res,
      DEFAULT_PORTAL_DOMAINS.map((domain) => `https://${domain}`),
      'default domains',
    );
    expect(DEFAULT_PORTAL_DOMAINS.every((domain) => /^\*\.bitrix24\.[a-z.]+$/.test(domain))).toBe(true);
  });
});

itLogsNoSecrets();
