import { gzipSync } from 'node:zlib';
import nock from 'nock';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isolateNetwork } from '../support/harness.js';
import { closeServed, install, securedHarness, securedPortal, serve, sessionFor, type Harness } from './support/app.js';
import { itLogsNoSecrets } from './support/log-scan.js';
import { rawRequest, recordUnmatched, type RawResponse } from './support/network.js';
import { watchStore } from './support/store.js';

/*
 * Oversized (> 64 kB) and malformed bodies — broken JSON, wrong content types, `auth[a][b][c]…` nesting,
 * arrays where objects are expected, 10k parameters, unknown charsets — on every public route: a 4xx (a
 * readable page on frame routes, `{ error, message }` elsewhere), never a 5xx, nothing stored, nothing asked
 * of Bitrix24.
 */

const acme = securedPortal('acme');

interface Body {
  name: string;
  type: string;
  body: string | Buffer;
  headers?: Record<string, string>;
}

const deepForm = (depth: number) => `auth${'[a]'.repeat(depth)}=1&event=ONAPPUNINSTALL`;
const manyParams = (count: number) => Array.from({ length: count }, (_, i) => `p${i}=${i}`).join('&');
const FORM = 'application/x-www-form-urlencoded';
const JSON_TYPE = 'application/json';

/** Bodies every parser must turn away (or ignore) with a 4xx. */
const BODIES: Body[] = [
  {
    name: 'oversized JSON (70 kB)',
    type: JSON_TYPE,
    body: JSON.stringify({ event: 'ONAPPUNINSTALL', auth: { member_id: acme.memberId }, pad: 'x'.repeat(70_000) }),
  },
  { name: 'broken JSON', type: JSON_TYPE, body: '{"event":"ONAPPUNINSTALL","auth":{' },
  { name: 'JSON with trailing garbage', type: JSON_TYPE, body: '{}{"a":1}' },
  { name: 'JSON null', type: JSON_TYPE, body: 'null' },
  { name: 'JSON string', type: JSON_TYPE, body: '"ONAPPUNINSTALL"' },
  {
    name: 'JSON array where an object is expected',
    type: JSON_TYPE,
    body: JSON.stringify([{ event: 'ONAPPUNINSTALL', auth: { member_id: acme.memberId } }]),
  },
  {
    name: 'JSON auth as an array',
    type: JSON_TYPE,
    body: JSON.stringify({ event: 'ONAPPUNINSTALL', auth: [acme.memberId, 'token'], allowList: 'AU', roles: {} }),
  },
  {
    name: 'JSON nested 5000 deep',
    type: JSON_TYPE,
    body: `{"auth":${'['.repeat(5000)}${']'.repeat(5000)},"allowList":${'['.repeat(5000)}${']'.repeat(5000)}}`,
  },
  {
    name: 'JSON 5000 keys',
    type: JSON_TYPE,
    body: JSON.stringify(Object.fromEntries(Array.from({ length: 5000 }, (_, i) => [`k${i}`, i]))),
  },
  {
    name: 'JSON with __proto__ and constructor',
    type: JSON_TYPE,
    body: '{"__proto__":{"isAdmin":true},"constructor":{"prototype":{"adm":true}},"event":"ONAPPUNINSTALL"}',
  },
  { name: 'JSON with an unsupported charset', type: `${JSON_TYPE}; charset=utf-7`, body: '{}' },
  { name: 'JSON in UTF-16', type: `${JSON_TYPE}; charset=utf-16`, body: Buffer.from('{"a":1}', 'utf16le') },
  { name: 'form: auth[] array', type: FORM, body: `event=ONAPPUNINSTALL&auth[]=${acme.memberId}&auth[]=token` },
  { name: 'form: auth as a string', type: FORM, body: 'event=ONAPPUNINSTALL&auth=member' },
  {
    name: 'form: repeated event and AUTH_ID',
    type: FORM,
    body: `event[]=ONAPPUNINSTALL&event[]=ONUSERADD&AUTH_ID[]=a&AUTH_ID[]=b&member_id[x]=${acme.memberId}`,
  },
  { name: 'form: huge array index', type: FORM, body: 'auth[999999999]=1&AUTH_ID[4294967296]=x' },
  {
    name: 'form: __proto__ keys',
    type: FORM,
    body: `__proto__[adm]=1&constructor[prototype][x]=1&event=ONAPPUNINSTALL&auth[member_id]=${acme.memberId}&auth[application_token]=x`,
  },
  { name: 'form: bracket nesting 20 deep', type: FORM, body: deepForm(20) },
  { name: 'form: 150 parameters', type: FORM, body: manyParams(150) },
  { name: 'form: invalid percent-encoding', type: FORM, body: 'AUTH_ID=%E0%A4%A&member_id=%zz&event=%' },
  { name: 'form: latin-1 charset', type: `${FORM}; charset=iso-8859-1`, body: 'AUTH_ID=\xe9\xe8' },
  { name: 'text/plain', type: 'text/plain', body: 'AUTH_ID=x&member_id=y' },
  {
    name: 'application/xml',
    type: 'application/xml',
    body: '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><a>&x;</a>',
  },
  {
    name: 'multipart garbage',
    type: 'multipart/form-data; boundary=xyz',
    body: '--xyz\r\nContent-Disposition: form-data; name="AUTH_ID"\r\n\r\nx\r\n--xyz--',
  },
  { name: 'octet-stream binary', type: 'application/octet-stream', body: Buffer.from([0, 255, 1, 254, 0, 0, 13, 10]) },
  { name: 'an unknown content-encoding', type: JSON_TYPE, body: '{}', headers: { 'content-encoding': 'compress' } },
];

/** Forms the parser refuses: too big, too deep, too many parameters, an unknown charset. */
const REFUSED_FORMS: Body[] = [
  {
    name: 'oversized form (70 kB)',
    type: FORM,
    body: `AUTH_ID=${'x'.repeat(70_000)}&member_id=${acme.memberId}&event=ONAPPUNINSTALL`,
  },
  { name: 'form: bracket nesting 40 deep (past the parser depth)', type: FORM, body: deepForm(40) },
  { name: 'form: 10,000 parameters', type: FORM, body: manyParams(10_000) },
  { name: 'form with an unsupported charset', type: `${FORM}; charset=utf-7`, body: 'AUTH_ID=x' },
];

/** A form claiming gzip that does not decode: refused on every route. */
const CORRUPT_GZIP_FORM: Body = {
  name: 'form that claims gzip but is not',
  type: FORM,
  body: 'AUTH_ID=x',
  headers: { 'content-encoding': 'gzip' },
};

/** Compressed bodies whose stream cannot be decompressed: 400 on every JSON route. */
const CORRUPT_ENCODING_BODIES: Body[] = [
  ...['gzip', 'deflate', 'br'].map((encoding) => ({
    name: `JSON that claims ${encoding} but is not`,
    type: JSON_TYPE,
    body: '{"event":"ONAPPUNINSTALL"}',
    headers: { 'content-encoding': encoding },
  })),
  CORRUPT_GZIP_FORM,
];

let h: Harness & { url: string };
const auth = { admin: '', employee: '', etag: '' };

beforeAll(async () => {
  isolateNetwork();
  h = await serve(securedHarness());
  await install(h, acme);
  auth.admin = `Bearer ${await sessionFor(h, acme, { userId: '1', isAdmin: true })}`;
  auth.employee = `Bearer ${await sessionFor(h, acme, { userId: '42', isAdmin: false })}`;
  auth.etag = (await h.request.get('/api/access/policy').set('authorization', auth.admin)).body.etag;
  await h.background.idle();
  nock.cleanAll();
});
afterAll(closeServed);

interface Route {
  name: string;
  kind: 'frame' | 'json' | 'read';
  send(body: Body): Promise<RawResponse>;
}

/** Sends `body` byte for byte, with its content type and headers, plus the route's own headers. */
const send =
  (method: string, path: string, headers: Record<string, string> = {}) =>
  (body: Body) =>
    rawRequest(h.url, {
      method,
      path,
      headers: { ...headers, 'content-type': body.type, ...body.headers },
      body: body.body,
    });

const FRAME_QUERY = `?DOMAIN=${acme.host}&PROTOCOL=1&LANG=en`;
/** Every public route a body can be sent to, with and without a session where that matters. */
const ROUTES: Route[] = [
  { name: 'POST /install', kind: 'frame', send: (body) => send('POST', `/install${FRAME_QUERY}`)(body) },
  { name: 'POST /app', kind: 'frame', send: (body) => send('POST', `/app${FRAME_QUERY}`)(body) },
  { name: 'POST /events', kind: 'json', send: (body) => send('POST', '/events')(body) },
  {
    name: 'PUT /api/access/policy (no session)',
    kind: 'json',
    send: (body) => send('PUT', '/api/access/policy')(body),
  },
  {
    name: 'PUT /api/access/policy (admin, current ETag)',
    kind: 'json',
    send: (body) => send('PUT', '/api/access/policy', { authorization: auth.admin, 'if-match': auth.etag })(body),
  },
  { name: 'POST /api/sync (no session)', kind: 'json', send: (body) => send('POST', '/api/sync')(body) },
  {
    name: 'POST /api/sync (employee)',
    kind: 'json',
    send: (body) => send('POST', '/api/sync', { authorization: auth.employee })(body),
  },
  {
    name: 'GET /api/me (admin)',
    kind: 'read',
    send: (body) => send('GET', '/api/me', { authorization: auth.admin })(body),
  },
  { name: 'GET /healthz', kind: 'read', send: (body) => send('GET', '/healthz')(body) },
  { name: 'GET /readyz', kind: 'read', send: (body) => send('GET', '/readyz')(body) },
];

/**
 * Sends `bodies` to `routes`; each answer must be a 4xx of the route's kind (reads ignore bodies: 200), nothing stored
 * or asked.
 */
async function expectRefusedEverywhere(routes: Route[], bodies: Body[]): Promise<void> {
  const unmatched = recordUnmatched();
  try {
    for (const route of routes) {
      for (const body of bodies) {
        const store = watchStore(h.store);
        const res = await route.send(body);
        const label = `${route.name} ← ${body.name}: ${res.status} ${res.text.slice(0, 120)}`;
        if (route.kind === 'read') {
          expect(res.status, label).toBe(200);
        } else {
          expect(res.status, label).toBeGreaterThanOrEqual(400);
          expect(res.status, label).toBeLessThan(500);
        }
        if (route.kind === 'frame') {
          expect(res.type, label).toBe('text/html');
          expect(res.text, label).toMatch(/^<!doctype html>/i);
          expect(res.text, label).not.toContain('keycard-bootstrap');
        } else if (route.kind === 'json') {
          expect(res.body, label).toMatchObject({
            error: expect.stringMatching(/^[A-Z_]+$/),
            message: expect.any(String),
          });
        }
        await h.background.idle();
        store.expectUnchanged(label);
      }
    }
    expect(unmatched.requests).toEqual([]);
  } finally {
    unmatched.stop();
  }
}

describe('malformed and oversized bodies on every public route', () => {
  it('broken or hostile JSON, wrong content types, nesting, arrays, many keys → 4xx, nothing stored', async () => {
    await expectRefusedEverywhere(ROUTES, BODIES);
  });

  it('oversized, too deep, too many parameters or badly encoded forms → 413/400/415 on /events and /api', async () => {
    await expectRefusedEverywhere(
      ROUTES.filter((route) => route.kind !== 'frame'),
      REFUSED_FORMS,
    );
    const events = send('POST', '/events');
    const [oversized, , tooMany] = REFUSED_FORMS;
    if (oversized === undefined || tooMany === undefined) throw new Error('bodies missing');
    expect((await events(oversized)).body).toMatchObject({ error: 'BODY_TOO_LARGE' });
    expect((await events(tooMany)).status).toBe(413);
  });

  it('a valid gzip body is read; one that inflates past the limit (a zip bomb) is refused with 413', async () => {
    const gzipped = (value: unknown): Body => ({
      name: 'gzip',
      type: JSON_TYPE,
      body: gzipSync(JSON.stringify(value)),
      headers: { 'content-encoding': 'gzip' },
    });
    const valid = await send(
      'POST',
      '/events',
    )(gzipped({ event: 'ONCRMDEALADD', auth: { member_id: 'member-nobody', application_token: 'token-of-nobody' } }));
    expect(valid.status).toBe(200);
    expect(valid.body).toEqual({ result: 'ignored' });
    const bomb = gzipped({ event: 'ONCRMDEALADD', pad: 'x'.repeat(5_000_000) });
    expect(bomb.body.length).toBeLessThan(10_000);
    for (const route of ROUTES.filter((candidate) => candidate.kind === 'json')) {
      const res = await route.send(bomb);
      expect(res.status, route.name).toBe(413);
      expect(res.body).toMatchObject({ error: 'BODY_TOO_LARGE' });
    }
  });

  it('oversized, too deep, too many parameters or badly encoded forms → 4xx page on /install and /app', async () => {
    await expectRefusedEverywhere(
      ROUTES.filter((route) => route.kind === 'frame'),
      [...REFUSED_FORMS, CORRUPT_GZIP_FORM],
    );
  });

  it('JSON claiming gzip/deflate/br that does not decode → 400 on /events and /api', async () => {
    await expectRefusedEverywhere(
      ROUTES.filter((route) => route.kind !== 'frame'),
      CORRUPT_ENCODING_BODIES,
    );
  });
});

itLogsNoSecrets();
