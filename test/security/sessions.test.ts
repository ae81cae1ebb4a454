import { createHmac, createSecretKey } from 'node:crypto';
import { SignJWT, decodeProtectedHeader } from 'jose';
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SessionTokens } from '../../server/http/session-tokens.js';
import { deriveKey } from '../../server/store/cipher.js';
import { APP_URL, isolateNetwork } from '../support/harness.js';
import { storedPortal } from '../support/install-portal.js';
import { closeServed, install, securedHarness, securedPortal, serve, sessionFor, type Harness } from './support/app.js';
import { itLogsNoSecrets, secret } from './support/log-scan.js';
import { watchStore } from './support/store.js';

/*
 * Session tokens (the UI's `Authorization: Bearer <JWT>`): a tampered, re-signed, unsigned, foreign or
 * expired token gets 401 SESSION_INVALID on every /api route, and a genuine session of portal A never
 * reads or writes portal B, whatever the request names.
 */

const acme = securedPortal('acme');
const globex = securedPortal('globex');

/** Every /api route, with a request that would succeed for an admin of an installed portal. */
const API_ROUTES: [method: 'get' | 'post' | 'put', path: string][] = [
  ['get', '/api/me'],
  ['get', '/api/scopes'],
  ['get', '/api/directory/departments'],
  ['get', '/api/directory/users'],
  ['get', '/api/sync'],
  ['post', '/api/sync'],
  ['get', '/api/access/policy'],
  ['put', '/api/access/policy'],
  ['get', '/api/access/check?user=1'],
  ['get', '/api/access/conflicts'],
  ['get', '/api/audit'],
  ['get', '/api/stock'],
];

let h: Harness;
const sessions = { acmeAdmin: '', acmeEmployee: '', globexAdmin: '' };

function call(method: 'get' | 'post' | 'put', path: string, authorization?: string) {
  const request = h.request[method](path);
  if (authorization !== undefined) request.set('authorization', authorization);
  return method === 'put' ? request.set('if-match', '"any"').send({ allowList: [] }) : request;
}

beforeAll(async () => {
  isolateNetwork();
  h = await serve(securedHarness());
  await install(h, acme);
  await install(h, globex);
  for (const portal of [acme, globex]) {
    nock(portal.origin)
      .persist()
      .post('/rest/scope')
      .query(true)
      .reply(200, {
        result: ['user_brief', 'department', 'placement'],
        time: { start: 1, finish: 1.01, duration: 0.01, processing: 0.01, operating: 0 },
      });
  }
  sessions.acmeAdmin = await sessionFor(h, acme, { userId: '1', isAdmin: true });
  sessions.acmeEmployee = await sessionFor(h, acme, { userId: '42', isAdmin: false });
  sessions.globexAdmin = await sessionFor(h, globex, { userId: '1', isAdmin: true });
  // Give globex settings of its own, so reading or overwriting them from acme would show.
  const current = await h.request.get('/api/access/policy').set('authorization', `Bearer ${sessions.globexAdmin}`);
  const { version: _version, ...policy } = current.body.policy;
  await h.request
    .put('/api/access/policy')
    .set('authorization', `Bearer ${sessions.globexAdmin}`)
    .set('if-match', current.body.etag)
    .send({ ...policy, allowList: ['U77'] })
    .expect(200);
  await h.background.idle();
});
afterAll(async () => {
  nock.cleanAll();
  await closeServed();
});

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const parts = (token: string) => {
  const [header = '', payload = '', signature = ''] = token.split('.');
  return {
    header,
    payload,
    signature,
    claims: JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>,
  };
};
/**
 * The HMAC key the app signs sessions with, derived as the app derives it (to forge validly signed but wrong tokens).
 */
const realKeyBytes = () => deriveKey(h.services.config.secretKeys[0], 'keycard/session/v1');
const realKey = () => createSecretKey(realKeyBytes());
/** A compact JWS signed by hand with the real key (jose refuses to sign some of the headers tried here). */
const handSigned = (header: Record<string, unknown>, claims: Record<string, unknown>) => {
  const input = `${b64(header)}.${b64(claims)}`;
  return `${input}.${createHmac('sha256', realKeyBytes()).update(input).digest('base64url')}`;
};

/** Hostile variants of a genuine acme admin session, each of which must be refused. */
async function forgeries(): Promise<[label: string, token: string][]> {
  const genuine = sessions.acmeAdmin;
  const { header, payload, signature, claims } = parts(genuine);
  const { kid } = decodeProtectedHeader(genuine);
  const now = Math.floor(Date.now() / 1000);
  const flipped = `${signature[0] === 'A' ? 'B' : 'A'}${signature.slice(1)}`;
  const signWith = (key: Parameters<SignJWT['sign']>[0], alg: string, body: Record<string, unknown>) =>
    new SignJWT(body).setProtectedHeader({ alg, kid: kid ?? '' }).sign(key);
  const otherKey = createSecretKey(Buffer.from('another-deployment-secret-key-0123456789abcdef'));
  h.clock.advance(-31 * 60_000);
  const expired = await sessionFor(h, acme, { userId: '1', isAdmin: true });
  h.clock.advance(31 * 60_000);
  const otherDeployment = new SessionTokens({
    secretKeys: [secret('another-deployment-SECRET_KEY-0123456789')],
    issuer: APP_URL,
    clock: h.clock,
  });
  const sharedKeyOtherIssuer = new SessionTokens({
    secretKeys: h.services.config.secretKeys,
    issuer: 'https://other-keycard.test',
    clock: h.clock,
  });
  const asGlobex = { memberId: globex.memberId, userId: '1', isAdmin: true, lang: 'en' as const, name: 'Mallory' };
  const list: [string, string][] = [
    [
      'payload changed to portal B (member id), signature kept',
      `${header}.${b64({ ...claims, mid: globex.memberId })}.${signature}`,
    ],
    ['payload changed to admin, signature kept', `${header}.${b64({ ...claims, adm: true, sub: '42' })}.${signature}`],
    [
      'payload changed to a later expiry, signature kept',
      `${header}.${b64({ ...claims, exp: now + 86_400 })}.${signature}`,
    ],
    ['signature changed', `${header}.${payload}.${flipped}`],
    ['signature removed', `${header}.${payload}.`],
    ['signature of another token', `${header}.${payload}.${parts(sessions.acmeEmployee).signature}`],
    ['alg none', `${b64({ alg: 'none', kid })}.${payload}.`],
    ['alg none, no kid', `${b64({ alg: 'none', typ: 'JWT' })}.${b64({ ...claims, mid: globex.memberId })}.`],
    ['signed with another key under our kid', await signWith(otherKey, 'HS256', claims)],
    ['signed by another Keycard deployment (other SECRET_KEY) for portal B', await otherDeployment.issue(asGlobex)],
    [
      'signed with our key by a deployment with another APP_URL (issuer) for portal B',
      await sharedKeyOtherIssuer.issue(asGlobex),
    ],
    ['our key, HS512 instead of HS256', await signWith(realKey(), 'HS512', claims)],
    ['our key, wrong audience', await signWith(realKey(), 'HS256', { ...claims, aud: 'someone-else' })],
    [
      'our key, no expiry',
      await signWith(realKey(), 'HS256', Object.fromEntries(Object.entries(claims).filter(([name]) => name !== 'exp'))),
    ],
    [
      'our key, claims of the wrong shape (adm "true", no mid)',
      await signWith(realKey(), 'HS256', {
        ...Object.fromEntries(Object.entries(claims).filter(([name]) => name !== 'mid')),
        adm: 'true',
      }),
    ],
    [
      'our key, unknown critical header',
      handSigned({ alg: 'HS256', kid, crit: ['x-keycard'], 'x-keycard': 1 }, claims),
    ],
    ['our key, kid naming no key', handSigned({ alg: 'HS256', kid: '../../etc/passwd' }, claims)],
    ['expired 1 minute ago', expired],
    ['three garbage segments', 'a.b.c'],
    ['not base64url', '%%%.%%%.%%%'],
    ['header that is not JSON', `${Buffer.from('{"alg":').toString('base64url')}.${payload}.${signature}`],
    ['10 kB token', `${header}.${'A'.repeat(10_000)}.${signature}`],
  ];
  for (const [, token] of list) if (token.length >= 12) secret(token);
  return list;
}

describe('/api refuses forged and expired session tokens', () => {
  it('a genuine session passes the guard on every route (so the refusals below are the token’s)', async () => {
    for (const [method, path] of API_ROUTES) {
      const res = await call(method, path, `Bearer ${sessions.acmeEmployee}`);
      expect(res.status, `${method} ${path}`).not.toBe(401);
      expect(res.status, `${method} ${path}`).toBeLessThan(500);
    }
  });

  it('control: genuine claims signed the way the forgeries are signed (jose, by hand) are accepted', async () => {
    const { claims } = parts(sessions.acmeAdmin);
    const { kid } = decodeProtectedHeader(sessions.acmeAdmin);
    for (const token of [
      await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: kid ?? '' }).sign(realKey()),
      handSigned({ alg: 'HS256', kid }, claims),
    ]) {
      const res = await h.request.get('/api/me').set('authorization', `Bearer ${secret(token)}`);
      expect(res.status).toBe(200);
      expect(res.body.portal.memberId).toBe(acme.memberId);
    }
  });

  it('every tampered, re-signed, unsigned, foreign or expired token → 401 SESSION_INVALID on every route, nothing changes', async () => {
    const store = watchStore(h.store);
    for (const [label, token] of await forgeries()) {
      for (const [method, path] of API_ROUTES) {
        const res = await call(method, path, `Bearer ${token}`);
        expect(res.status, `${label}: ${method} ${path}`).toBe(401);
        expect(res.body, `${label}: ${method} ${path}`).toEqual({
          error: 'SESSION_INVALID',
          message: expect.any(String),
        });
      }
    }
    await h.background.idle();
    store.expectUnchanged();
  });

  it('no usable Authorization header → 401 SESSION_MISSING on every route (tokens elsewhere are not read)', async () => {
    const { acmeAdmin } = sessions;
    for (const [method, path] of API_ROUTES) {
      for (const authorization of [
        undefined,
        '',
        'Bearer',
        'Bearer ',
        `Basic ${acmeAdmin}`,
        `Token ${acmeAdmin}`,
        `Bearer ${acmeAdmin} extra`,
        acmeAdmin,
      ]) {
        const res = await call(method, path, authorization);
        expect(res.status, `${method} ${path} ${String(authorization).slice(0, 12)}`).toBe(401);
        expect(res.body.error).toBe('SESSION_MISSING');
      }
      const separator = path.includes('?') ? '&' : '?';
      const elsewhere = await h.request[method](
        `${path}${separator}session=${acmeAdmin}&access_token=${acmeAdmin}`,
      ).set('cookie', `session=${acmeAdmin}`);
      expect(elsewhere.status).toBe(401);
    }
  });
});

describe('a session of portal A never reaches portal B', () => {
  const globexHints = {
    member_id: globex.memberId,
    memberId: globex.memberId,
    DOMAIN: globex.host,
    portal: globex.memberId,
  };

  it('naming portal B in the query, headers or body changes nothing: every answer is A’s', async () => {
    const auth = `Bearer ${sessions.acmeAdmin}`;
    const own = await h.request.get('/api/access/policy').set('authorization', auth);
    const globexPolicy = await h.request
      .get('/api/access/policy')
      .set('authorization', `Bearer ${sessions.globexAdmin}`);
    expect(globexPolicy.body.policy.allowList).toEqual(['U77']);
    expect(own.body.etag).not.toBe(globexPolicy.body.etag);

    const me = await h.request
      .get('/api/me')
      .query(globexHints)
      .set('authorization', auth)
      .set('x-member-id', globex.memberId)
      .set('x-portal', globex.host);
    expect(me.body.portal).toEqual({ domain: acme.host, memberId: acme.memberId });
    const policy = await h.request
      .get('/api/access/policy')
      .query(globexHints)
      .set('authorization', auth)
      .set('x-member-id', globex.memberId);
    expect(policy.body.etag).toBe(own.body.etag);
    expect(policy.body.policy.allowList).toEqual([]);
    const sync = await h.request.get('/api/sync').query(globexHints).set('authorization', auth);
    expect(sync.status).toBe(200);
  });

  it('a save from A carrying B’s ETag and member id is a 409 on A’s settings; B’s settings are untouched', async () => {
    const store = watchStore(h.store);
    const globexBefore = await h.request
      .get('/api/access/policy')
      .set('authorization', `Bearer ${sessions.globexAdmin}`);
    const { version: _version, ...content } = globexBefore.body.policy;
    const res = await h.request
      .put('/api/access/policy')
      .query(globexHints)
      .set('authorization', `Bearer ${sessions.acmeAdmin}`)
      .set('if-match', globexBefore.body.etag)
      .send({ ...content, allowList: ['U666'], memberId: globex.memberId, member_id: globex.memberId });
    expect(res.status).toBe(409);
    expect(res.body.error).toBe('POLICY_CHANGED');
    // The "current" settings it answers with are A's own.
    expect(res.body.current.policy.allowList).toEqual([]);
    await h.background.idle();
    store.expectUnchanged();
  });

  it('A’s session after A is uninstalled → 403 on every route, while B’s session still works', async () => {
    const local = await serve(securedHarness());
    isolateNetwork();
    await install(local, acme);
    await install(local, globex);
    const acmeSession = await sessionFor(local, acme, { userId: '1', isAdmin: true });
    const globexSession = await sessionFor(local, globex, { userId: '1', isAdmin: true });
    await local.services.installations.save({ ...(await storedPortal(local, acme.memberId)), state: 'deleted' });
    for (const [method, path] of API_ROUTES) {
      const request = local.request[method](path).set('authorization', `Bearer ${acmeSession}`);
      const res = await (method === 'put' ? request.set('if-match', '"x"').send({}) : request);
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body.error).toBe('PORTAL_NOT_ACTIVE');
    }
    expect(
      (await local.request.get('/api/me').set('authorization', `Bearer ${globexSession}`)).body.portal.memberId,
    ).toBe(globex.memberId);
  });
});

itLogsNoSecrets();
