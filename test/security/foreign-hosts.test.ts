import nock from 'nock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { CLIENT_ID, OAUTH, isolateNetwork } from '../support/harness.js';
import { installScopes, installerRequest, oauthAppInfo, portalCall } from '../support/bitrix-nock.js';
import { storedPortal } from '../support/install-portal.js';
import { closeServed, install, securedHarness, securedPortal, serve, sessionFor, type Harness } from './support/app.js';
import { frameRequest, sessionOf } from './support/frames.js';
import { itLogsNoSecrets, secret } from './support/log-scan.js';
import { recordUnmatched } from './support/network.js';
import { watchStore } from './support/store.js';

/*
 * SSRF: a host named by a request (DOMAIN, client_endpoint) is never called: where a portal lives is the
 * word of a trusted OAuth server (Bitrix24's two, and B24_OAUTH_SERVER) — a request naming any other server is
 * refused before anything is sent. A host the OAuth server vouches for is called (self-hosted portals live on
 * any domain), but never over plain http or at a loopback, private, link-local or metadata address unless the
 * operator listed it. Every foreign origin is trapped with nock and counts its hits; with net connect
 * disabled, any other request the app makes shows up as unmatched.
 */

const acme = securedPortal('acme');

const FOREIGN_ORIGINS = [
  'https://evil.example.com',
  'http://evil.example.com',
  'https://acme.bitrix24.com.evil.io',
  'http://169.254.169.254',
  'https://169.254.169.254',
  'http://localhost:4000',
  'https://localhost:4000',
  'http://127.0.0.1:4000',
];

let hits: string[] = [];
/** Interceptors for every foreign origin that record each request they receive. */
function trapForeignHosts(): void {
  for (const origin of FOREIGN_ORIGINS) {
    for (const method of ['GET', 'POST'] as const) {
      nock(origin)
        .intercept(/.*/, method)
        .query(true)
        .times(1000)
        .reply(function reply() {
          hits.push(`${method} ${origin}${this.req.path}`);
          return [200, { result: { client_id: CLIENT_ID, ID: '1', ADMIN: true } }];
        });
    }
  }
}

let h: Harness;
let unmatched: ReturnType<typeof recordUnmatched>;

/** A fresh app (memory store) served on its own loopback port. */
const freshApp = () => serve(securedHarness());

beforeAll(async () => {
  h = await freshApp();
});
afterAll(closeServed);

beforeEach(() => {
  isolateNetwork();
  hits = [];
  trapForeignHosts();
  unmatched = recordUnmatched();
});
afterEach(async () => {
  await h.background.idle();
  unmatched.stop();
  nock.cleanAll();
});

/** Neither a trapped foreign host nor any unmocked host was contacted. */
function expectNoForeignRequest(label = ''): void {
  expect(hits, label).toEqual([]);
  expect(unmatched.requests, label).toEqual([]);
}

describe('POST /install: a foreign DOMAIN is never called', () => {
  // Only the (trusted) OAuth server is asked about the token; it refuses it here, and the DOMAIN is never called.
  const refused: [domain: string, status: number, code: string][] = [
    ['evil.example.com', 401, 'TOKEN_NOT_VERIFIED'],
    ['EVIL.Example.COM', 401, 'TOKEN_NOT_VERIFIED'],
    ['acme.bitrix24.com.evil.io', 401, 'TOKEN_NOT_VERIFIED'],
    [' acme.bitrix24.com.evil.io ', 401, 'TOKEN_NOT_VERIFIED'],
    ['bitrix24.com', 401, 'TOKEN_NOT_VERIFIED'],
    ['169.254.169.254', 401, 'TOKEN_NOT_VERIFIED'],
    ['0xa9fea9fe', 401, 'TOKEN_NOT_VERIFIED'],
    ['localhost:4000', 401, 'TOKEN_NOT_VERIFIED'],
    ['127.0.0.1', 401, 'TOKEN_NOT_VERIFIED'],
    ['acme.bitrix24.com:8443', 401, 'TOKEN_NOT_VERIFIED'],
    ['xn--80ak6aa92e.com', 401, 'TOKEN_NOT_VERIFIED'],
    ['acme.bitrix24.com@evil.example.com', 400, 'BAD_REQUEST'],
    ['evil.example.com/.bitrix24.com', 400, 'BAD_REQUEST'],
    ['evil.example.com#.bitrix24.com', 400, 'BAD_REQUEST'],
    ['evil.example.com?x=.bitrix24.com', 400, 'BAD_REQUEST'],
    ['evil.example.com\\.bitrix24.com', 400, 'BAD_REQUEST'],
    ['[::1]', 400, 'BAD_REQUEST'],
    ['', 400, 'BAD_REQUEST'],
  ];

  it.each(refused)(
    'DOMAIN=%j → %i %s, nothing called but the OAuth server, nothing stored',
    async (domain, status, code) => {
      const store = watchStore(h.store);
      const oauth = oauthAppInfo(acme, { reply: [401, { error: 'invalid_token', error_description: 'invalid' }] });
      const { query, body } = installerRequest(acme, { query: { DOMAIN: domain } });
      const res = await h.request.post('/install').query(query).type('form').send(body);
      expect(res.status).toBe(status);
      expect(res.text).toContain(code);
      // A malformed DOMAIN is refused before even the OAuth server is asked.
      expect(oauth.isDone()).toBe(status !== 400);
      expectNoForeignRequest(domain);
      store.expectUnchanged();
    },
  );

  it('PROTOCOL=0 does not downgrade a portal the OAuth server places on https; a repeated DOMAIN is refused first', async () => {
    const local = await freshApp();
    const scopes = installScopes(acme);
    const { query, body } = installerRequest(acme, { query: { PROTOCOL: '0' } });
    const plain = await local.request.post('/install').query(query).type('form').send(body);
    expect(plain.status).toBe(200);
    for (const scope of scopes) scope.done();
    expect((await storedPortal(local, acme.memberId)).clientEndpoint).toBe(`${acme.origin}/rest/`);

    const store = watchStore(h.store);
    const oauth = oauthAppInfo(acme);
    const twice = await h.request
      .post(`/install?DOMAIN=${acme.host}&DOMAIN=evil.example.com&PROTOCOL=1`)
      .type('form')
      .send(body);
    expect(twice.status).toBe(400);
    expect(oauth.isDone()).toBe(false);
    expectNoForeignRequest();
    store.expectUnchanged();
  });
});

describe('endpoints named in a request are never called', () => {
  it('POST /install ignores server_endpoint / client_endpoint / DOMAIN in the body, and refuses an untrusted SERVER_ENDPOINT', async () => {
    const local = await freshApp();
    const scopes = installScopes(acme);
    const { query, body } = installerRequest(acme, {
      query: { SERVER_ENDPOINT: 'https://evil.example.com/rest/', server_endpoint: 'https://evil.example.com/rest/' },
      body: {
        server_endpoint: 'http://169.254.169.254/rest/',
        client_endpoint: 'https://acme.bitrix24.com.evil.io/rest/',
        DOMAIN: 'evil.example.com',
      },
    });
    const res = await local.request.post('/install').query(query).type('form').send(body);
    expect(res.status).toBe(200);
    sessionOf(res.text);
    for (const scope of scopes) scope.done();
    expect((await storedPortal(local, acme.memberId)).clientEndpoint).toBe(`${acme.origin}/rest/`);

    const store = watchStore(local.store);
    for (const server of [
      'https://evil.example.com/rest/',
      'http://169.254.169.254/rest/',
      'http://localhost:4000/oauth/',
    ]) {
      const named = installerRequest(acme, { body: { SERVER_ENDPOINT: server } });
      const refused = await local.request.post('/install').query(named.query).type('form').send(named.body);
      expect(refused.status, server).toBe(403);
      expect(refused.text).toContain('OAUTH_SERVER_NOT_TRUSTED');
    }
    store.expectUnchanged();
    await local.background.idle();
    expect(hits).toEqual([]);
  });

  it('POST /app with a foreign DOMAIN asks profile on the stored endpoint only', async () => {
    await install(h, acme);
    await h.background.idle();
    const userToken = secret('acme-user-token-for-ssrf-1');
    for (const DOMAIN of ['evil.example.com', '169.254.169.254', 'localhost:4000', 'acme.bitrix24.com.evil.io']) {
      oauthAppInfo(acme, { token: userToken });
      // Keycard does not know user 1 from a mirror yet, so it fetches them from the (stored) portal.
      portalCall(acme, 'user.get', { result: [] });
      const profile = portalCall(acme, 'profile', { token: userToken, result: { ID: '1', ADMIN: true, NAME: 'Anna' } });
      const { query, body } = frameRequest(acme, userToken, { query: { DOMAIN } });
      const res = await h.request.post('/app').query(query).type('form').send(body);
      expect(res.status, DOMAIN).toBe(200);
      sessionOf(res.text);
      profile.done();
    }
    await h.background.idle();
    expectNoForeignRequest();
  });

  it('POST /app for an unknown portal with a foreign DOMAIN asks only the trusted OAuth server', async () => {
    const store = watchStore(h.store);
    // The token is a real one of acme: the OAuth server says so, and that it is not member-nobody's.
    const oauth = oauthAppInfo(acme, { token: 'unknown-portal-token-ssrf' });
    const { query, body } = frameRequest(acme, 'unknown-portal-token-ssrf', {
      query: { DOMAIN: 'evil.example.com' },
      body: { member_id: 'member-nobody' },
    });
    const res = await h.request.post('/app').query(query).type('form').send(body);
    expect(res.status).toBe(403);
    expect(res.text).toContain('WRONG_PORTAL');
    oauth.done();
    expectNoForeignRequest();
    store.expectUnchanged();
  });

  it('ONAPPINSTALL naming a foreign domain / client_endpoint / server_endpoint never reaches that host, stores nothing', async () => {
    const local = await freshApp();
    const store = watchStore(local.store);
    const eventToken = secret('event-token-foreign-endpoint-1');
    // The OAuth server vouches for the token (it is a real admin token of acme); only the named host is foreign.
    for (let i = 0; i < 3; i++) oauthAppInfo(acme, { token: eventToken });
    portalCall(acme, 'profile', { token: eventToken, result: { ID: '1', ADMIN: true, NAME: 'Anna' } });
    for (const foreign of [
      'https://evil.example.com/rest/',
      'http://169.254.169.254/rest/',
      'http://localhost:4000/rest/',
    ]) {
      const res = await local.request.post('/events').send({
        event: 'ONAPPINSTALL',
        data: { VERSION: '1', LANGUAGE_ID: 'en' },
        auth: {
          domain: new URL(foreign).host,
          client_endpoint: foreign,
          server_endpoint: foreign,
          member_id: acme.memberId,
          application_token: secret('forged-application-token-ssrf'),
          access_token: eventToken,
          refresh_token: secret('event-refresh-foreign-endpoint'),
        },
      });
      expect(res.status).toBe(200);
      await local.background.idle();
    }
    expectNoForeignRequest();
    store.expectUnchanged();
  });

  it('ONAPPINSTALL naming a foreign domain or client_endpoint: only the trusted OAuth server is asked, nothing stored', async () => {
    const local = await freshApp();
    const store = watchStore(local.store);
    const oauthCalls: string[] = [];
    nock(OAUTH)
      .post(/.*/)
      .times(10)
      .reply(function reply() {
        oauthCalls.push(this.req.path);
        return [401, { error: 'invalid_token' }];
      });
    for (const auth of [
      { domain: 'evil.example.com', client_endpoint: 'https://evil.example.com/rest/' },
      { domain: acme.host, client_endpoint: 'https://evil.example.com/rest/' },
      { domain: 'evil.example.com' },
      { domain: acme.host, client_endpoint: 'not a url' },
    ]) {
      const res = await local.request.post('/events').send({
        event: 'ONAPPINSTALL',
        auth: {
          ...auth,
          member_id: acme.memberId,
          application_token: 'forged-application-token-ssrf',
          access_token: 'event-token-foreign-endpoint-2',
          refresh_token: 'event-refresh-foreign-2',
        },
      });
      expect(res.status).toBeLessThan(500);
      await local.background.idle();
    }
    // The event's own domain and endpoint are never used: the token is shown to the trusted OAuth server only.
    expect(oauthCalls.every((path) => path === '/rest/app.info')).toBe(true);
    expectNoForeignRequest();
    store.expectUnchanged();
  });

  it('ONAPPUPDATE naming a foreign client_endpoint re-binds on the stored endpoint; one naming an untrusted OAuth server does nothing', async () => {
    const local = await freshApp();
    await install(local, acme);
    const fresh = secret('updated-access-token-ssrf-1');
    oauthAppInfo(acme, { token: fresh });
    portalCall(acme, 'profile', { token: fresh, result: { ID: '1', ADMIN: true, NAME: 'Anna' } });
    const calls = [
      portalCall(acme, 'event.get', { token: fresh, result: [] }),
      portalCall(acme, 'event.bind', { token: fresh, times: 3 }),
      portalCall(acme, 'placement.get', { token: fresh, result: [] }),
      portalCall(acme, 'placement.bind', { token: fresh, times: 2 }),
      portalCall(acme, 'app.info', { token: fresh, result: { LICENSE: 'en_basic', LICENSE_FAMILY: 'basic' } }),
    ];
    const res = await local.request.post('/events').send({
      event: 'ONAPPUPDATE',
      data: { VERSION: '2' },
      auth: {
        domain: 'evil.example.com',
        client_endpoint: 'https://evil.example.com/rest/',
        member_id: acme.memberId,
        application_token: acme.applicationToken,
        access_token: fresh,
        refresh_token: secret('updated-refresh-token-ssrf-1'),
      },
    });
    expect(res.status).toBe(200);
    await local.background.idle();
    for (const call of calls) call.done();
    expect(hits).toEqual([]);
    expect((await storedPortal(local, acme.memberId)).clientEndpoint).toBe(`${acme.origin}/rest/`);

    const store = watchStore(local.store);
    const untrusted = await local.request.post('/events').send({
      event: 'ONAPPUPDATE',
      data: { VERSION: '3' },
      auth: {
        server_endpoint: 'https://evil.example.com/rest/',
        member_id: acme.memberId,
        application_token: acme.applicationToken,
        access_token: secret('updated-access-token-ssrf-2'),
        refresh_token: secret('updated-refresh-token-ssrf-2'),
      },
    });
    expect(untrusted.status).toBe(200);
    await local.background.idle();
    expectNoForeignRequest();
    store.expectUnchanged();
  });
});

describe('endpoints named by a peer are checked before they are called', () => {
  // What even a trusted OAuth server cannot make Keycard call (a host it vouches for on https is a
  // self-hosted portal, and is called: see install.test.ts).
  const reports: [label: string, install: Record<string, string>][] = [
    ['a metadata-service client_endpoint', { domain: acme.host, client_endpoint: 'https://169.254.169.254/rest/' }],
    [
      'a metadata-service client_endpoint over http',
      { domain: acme.host, client_endpoint: 'http://169.254.169.254/rest/' },
    ],
    ['a loopback client_endpoint', { domain: acme.host, client_endpoint: 'http://localhost:4000/rest/' }],
    ['a private address', { domain: acme.host, client_endpoint: 'https://10.1.2.3/rest/' }],
    [
      'credentials in client_endpoint',
      { domain: acme.host, client_endpoint: 'https://user:pw@acme.bitrix24.com/rest/' },
    ],
    ['plain http client_endpoint', { domain: acme.host, client_endpoint: 'http://acme.bitrix24.com/rest/' }],
  ];

  it.each(reports)(
    'POST /install: the OAuth server reporting %s → 403, profile never asked, nothing stored',
    async (_label, install) => {
      const store = watchStore(h.store);
      nock(OAUTH)
        .post('/rest/app.info')
        .reply(200, {
          result: {
            client_id: CLIENT_ID,
            scope: 'user_brief,department,placement',
            install: { installed: true, member_id: 'member-peer', status: 'F', ...install },
          },
        });
      const profile = portalCall(acme, 'profile', { result: { ID: '1', ADMIN: true } });
      const { query, body } = installerRequest(acme, { body: { member_id: 'member-peer' } });
      const res = await h.request.post('/install').query(query).type('form').send(body);
      expect(res.status).toBe(403);
      expect(res.text).toContain('PORTAL_NOT_ALLOWED');
      expect(profile.isDone()).toBe(false);
      expectNoForeignRequest();
      store.expectUnchanged();
    },
  );

  it('a token renewal reporting a non-public client_endpoint keeps the stored endpoint', async () => {
    const local = await freshApp();
    await install(local, acme);
    const portal = await storedPortal(local, acme.memberId);
    const tokens = local.services.vault.open(portal);
    if (tokens === undefined) throw new Error('no tokens');
    await local.services.installations.save(local.services.vault.seal(portal, { ...tokens, expiresAt: 1 }));
    const renewed = { access: secret('renewed-access-ssrf-0001'), refresh: secret('renewed-refresh-ssrf-0001') };
    nock(OAUTH).post('/oauth/token/').reply(200, {
      access_token: renewed.access,
      refresh_token: renewed.refresh,
      expires_in: 3600,
      client_endpoint: 'https://169.254.169.254/rest/',
      server_endpoint: 'https://evil.example.com/rest/',
      member_id: acme.memberId,
      scope: 'user_brief,department,placement',
      status: 'F',
    });
    const scope = portalCall(acme, 'scope', { token: renewed.access, result: ['user_brief', 'department'] });
    const session = await sessionFor(local, acme, { userId: '1', isAdmin: true });
    const res = await local.request.get('/api/scopes').set('authorization', `Bearer ${session}`);
    expect(res.status).toBe(200);
    expect(res.body.source).toBe('portal');
    scope.done();
    expect(hits).toEqual([]);
    expect((await storedPortal(local, acme.memberId)).clientEndpoint).toBe(`${acme.origin}/rest/`);
  });

  it('a portal answering 302 to a foreign host is not followed there', async () => {
    const local = await freshApp();
    await install(local, acme);
    const session = await sessionFor(local, acme, { userId: '1', isAdmin: true });
    for (const location of [
      'https://evil.example.com/rest/scope',
      'http://169.254.169.254/rest/scope',
      'http://localhost:4000/rest/',
    ]) {
      nock(acme.origin).post('/rest/scope').query(true).reply(302, '', { Location: location });
      const res = await local.request.get('/api/scopes').set('authorization', `Bearer ${session}`);
      // The scopes page falls back to what the install recorded.
      expect(res.status).toBe(200);
      expect(res.body.source).toBe('stored');
    }
    // A user-token client (POST /app) is never moved either.
    const userToken = secret('acme-user-token-302-check');
    oauthAppInfo(acme, { token: userToken });
    nock(acme.origin)
      .post('/rest/profile')
      .query(true)
      .reply(302, '', { Location: 'https://evil.example.com/rest/profile' });
    const { query, body } = frameRequest(acme, userToken);
    const frame = await local.request.post('/app').query(query).type('form').send(body);
    expect(frame.status).not.toBe(200);
    expect(frame.text).not.toContain('keycard-bootstrap');
    expect(hits).toEqual([]);
    expect((await storedPortal(local, acme.memberId)).clientEndpoint).toBe(`${acme.origin}/rest/`);
  });
});

itLogsNoSecrets();
