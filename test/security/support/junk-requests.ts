import fc from 'fast-check';
import { secret } from './log-scan.js';

/*
 * Hostile requests to every public route, without any valid credential: random query strings, form bodies with
 * bracket nesting past the parser's limits, JSON and non-JSON bodies, random content types, encodings, forwarding
 * headers, tampered or random sessions and forged tokens. Carried over from the first fuzz, which sent only these;
 * the model-based fuzz sends them between its modelled steps, where each must change nothing and reach no portal.
 *
 * The installed portals are `acme` and `globex` (fuzz-world.ts). Sessions appear as the placeholder TAMPERED (an
 * acme admin's session with changed claims, filled in when sent) or as random tokens; events never name an
 * installed portal (a forged event's delivery key would be the model's business).
 */

const ACME = { memberId: 'member-acme', host: 'acme.bitrix24.com' };
const CANARIES = [
  secret('fuzz-canary-auth-id-6b0f2e'),
  secret('fuzz-canary-refresh-id-93ad1c'),
  secret('fuzz-canary-app-token-58e7d4'),
  secret('fuzz-canary-access-token-0c2a77'),
];

/** A placeholder for a tampered session, filled in when the request is sent. */
export const TAMPERED = '<tampered session>';

export type JunkKind = 'install' | 'app' | 'events' | 'api' | 'healthz' | 'readyz';
export interface JunkRequest {
  kind: JunkKind;
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: string;
}

// ── values ──────────────────────────────────────────────────────────────────────────────────────────────
const ascii = (maxLength: number) =>
  fc.string({ unit: fc.integer({ min: 0x20, max: 0x7e }).map((code) => String.fromCharCode(code)), maxLength });
const text = fc.oneof(
  ascii(30),
  fc.string({ unit: 'grapheme', maxLength: 12 }),
  fc.string({ unit: 'binary', maxLength: 12 }),
);
const token = fc.oneof(fc.constantFrom(...CANARIES), fc.stringMatching(/^[\w.~+/=-]{1,48}$/), ascii(20));
const memberId = fc.oneof(
  { weight: 3, arbitrary: fc.constant(ACME.memberId) },
  fc.constantFrom('member-nobody', '', '../../x', 'member-acme '),
  fc.stringMatching(/^[\w.-]{1,24}$/),
);
const host = fc.oneof(
  fc.constantFrom(
    ACME.host,
    'evil.example.com',
    '169.254.169.254',
    'localhost:4000',
    'acme.bitrix24.com.evil.io',
    'portal.example.org',
    'ACME.bitrix24.com',
    '',
  ),
  fc.stringMatching(/^[a-z0-9-]{1,12}\.bitrix24\.com$/),
  ascii(20),
);
const endpoint = fc.oneof(
  host.map((name) => `https://${name}/rest/`),
  fc.constantFrom('http://169.254.169.254/latest/meta-data/', 'file:///etc/passwd', 'not a url'),
  ascii(30),
);
const word = fc.constantFrom(
  'ONAPPINSTALL',
  'ONAPPUNINSTALL',
  'ONAPPUPDATE',
  'ONUSERADD',
  'onappuninstall',
  'ONCRMDEALADD',
  '1',
  '0',
  'Y',
  'N',
  'true',
  'en',
  'ru',
  'DEFAULT',
  'AU',
  'U1',
  'D1',
);
const value = fc.oneof(token, memberId, host, endpoint, word, fc.integer().map(String), fc.double().map(String), text);

// ── query strings and forms with bracket nesting ───────────────────────────────────────────────────────
const ROOT_KEYS = [
  'DOMAIN',
  'PROTOCOL',
  'LANG',
  'APP_SID',
  'AUTH_ID',
  'AUTH_EXPIRES',
  'REFRESH_ID',
  'member_id',
  'status',
  'PLACEMENT',
  'APPLICATION_TOKEN',
  'SERVER_ENDPOINT',
  'event',
  'ts',
  'data',
  'auth',
  'q',
  'department',
  'subdepartments',
  'active',
  'cursor',
  'limit',
  'user',
  'actor',
  'code',
  '__proto__',
  'constructor',
  'prototype',
  'hasOwnProperty',
  'toString',
];
const SUB_KEYS = [
  'member_id',
  'application_token',
  'access_token',
  'refresh_token',
  'domain',
  'client_endpoint',
  'server_endpoint',
  'expires_in',
  'scope',
  'user_id',
  'CLEAN',
  'ID',
  'VERSION',
  '',
  '0',
  '1',
  '99999999',
  '__proto__',
  'constructor',
];
const keyPath = (maxDepth: number) =>
  fc
    .tuple(
      fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...ROOT_KEYS) }, ascii(10)),
      fc.array(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...SUB_KEYS) }, ascii(8)), { maxLength: maxDepth }),
    )
    .map(
      ([root, path]) =>
        `${encodeURIComponent(root)}${path.map((segment) => `[${encodeURIComponent(segment)}]`).join('')}`,
    );
const JUNK = ['&', '&&', '=', '==', '%', '%zz', '%E0%A4%A', '[', ']]', '[]=', '+', ';', '\u0000']
  .map(encodeURIComponent)
  .concat(['&', '=', '%', '[', ']', '%zz']);
const pairs = (options: { maxDepth: number; maxPairs: number }) =>
  fc.array(
    fc.oneof(
      {
        weight: 8,
        arbitrary: fc
          .tuple(keyPath(options.maxDepth), value)
          .map(([key, item]) => `${key}=${encodeURIComponent(item)}`),
      },
      { weight: 1, arbitrary: fc.constantFrom(...JUNK) },
    ),
    { maxLength: options.maxPairs },
  );
/** A query string or form body, some nested past the parser's depth or with more than its parameter limit. */
const formText = fc
  .oneof(
    { weight: 12, arbitrary: pairs({ maxDepth: 4, maxPairs: 12 }) },
    { weight: 2, arbitrary: pairs({ maxDepth: 40, maxPairs: 6 }) },
    { weight: 1, arbitrary: pairs({ maxDepth: 2, maxPairs: 260 }) },
  )
  .map((items) => items.join('&'));
const queryText = fc.oneof(formText, fc.constant(''));

// ── JSON bodies ─────────────────────────────────────────────────────────────────────────────────────────
const eventJson = fc.record(
  {
    event: fc.oneof(word, value),
    ts: value,
    data: fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      fc.dictionary(fc.constantFrom('CLEAN', 'ID', 'VERSION', 'LANGUAGE_ID'), value),
    ),
    auth: fc.oneof(
      fc.dictionary(fc.constantFrom(...SUB_KEYS), fc.oneof(value, fc.jsonValue({ maxDepth: 2 }))),
      fc.jsonValue({ maxDepth: 2 }),
    ),
  },
  { requiredKeys: [] },
);
const policyJson = fc.record(
  {
    allowList: fc.oneof(fc.array(fc.oneof(word, value), { maxLength: 5 }), fc.jsonValue({ maxDepth: 2 })),
    roles: fc.oneof(
      fc.array(
        fc.record(
          { key: value, title: value, builtIn: fc.boolean(), grants: fc.jsonValue({ maxDepth: 3 }) },
          { requiredKeys: [] },
        ),
        { maxLength: 3 },
      ),
      fc.jsonValue({ maxDepth: 2 }),
    ),
    assignments: fc.oneof(
      fc.array(
        fc.record({ code: fc.oneof(word, value), role: fc.oneof(fc.constantFrom('manager', 'administrator'), value) }),
        { maxLength: 3 },
      ),
      fc.jsonValue({ maxDepth: 2 }),
    ),
    delegates: fc.oneof(fc.array(fc.oneof(word, value), { maxLength: 3 }), fc.jsonValue({ maxDepth: 2 })),
    memberId: memberId,
    version: fc.oneof(fc.integer(), value),
  },
  { requiredKeys: [] },
);
const jsonText = fc.oneof(
  { weight: 3, arbitrary: fc.oneof(eventJson, policyJson).map((item) => JSON.stringify(item)) },
  { weight: 2, arbitrary: fc.jsonValue({ maxDepth: 5 }).map((item) => JSON.stringify(item)) },
  {
    weight: 1,
    arbitrary: fc.oneof(
      fc.constantFrom('{', '{"event":', '[', 'null', '"x"', '1e999', '{"a":1}{', '\u0000'),
      ascii(40),
    ),
  },
);
/** Stands for a 70 kB body (expanded when sent, so a counterexample prints short). */
export const OVERSIZED = '<70 kB body>';
export const OVERSIZED_BODY = `{"event":"ONAPPUNINSTALL","pad":"${'x'.repeat(70_000)}"}`;

// ── headers ─────────────────────────────────────────────────────────────────────────────────────────────
const FORM = 'application/x-www-form-urlencoded';
const contentType = fc.oneof(
  { weight: 6, arbitrary: fc.constantFrom(FORM, 'application/json') },
  {
    weight: 2,
    arbitrary: fc.constantFrom(
      'text/plain',
      'application/xml',
      'multipart/form-data; boundary=x',
      'application/octet-stream',
      'application/json; charset=utf-8',
      'application/json; charset=utf-16',
      'application/vnd.api+json',
      'application/*',
      '*/*',
      'FORM',
      'application/x-www-form-urlencoded; charset=utf-8',
      `${FORM}; charset=utf-7`,
      `${FORM}; charset=ebcdic`,
    ),
  },
  { weight: 1, arbitrary: ascii(30) },
);
const authorization = fc.oneof(
  {
    weight: 3,
    arbitrary: fc.oneof(fc.constant(TAMPERED), token).map((item) => `Bearer ${item}`),
  },
  {
    weight: 1,
    arbitrary: fc.oneof(ascii(40), fc.constantFrom('Bearer', 'Bearer ', 'Basic YWRtaW46YWRtaW4=', 'bearer x.y.z')),
  },
);
const headers = fc.record(
  {
    'content-type': contentType,
    authorization,
    'if-match': fc.oneof(fc.constantFrom('*', '"0"', 'W/"x"', ''), ascii(40)),
    'x-forwarded-host': host.map((name) => name.trim()).filter((name) => name !== ''),
    'x-forwarded-proto': fc.constantFrom('http', 'https', 'gopher'),
    origin: fc.constantFrom('https://evil.example.com', 'null', 'https://acme.bitrix24.com'),
    cookie: ascii(30),
    'accept-language': ascii(12),
    'content-encoding': fc.constantFrom('gzip', 'deflate', 'br', 'identity', 'compress'),
  },
  { requiredKeys: [] },
);

// ── requests ────────────────────────────────────────────────────────────────────────────────────────────
const body = fc.oneof(
  { weight: 4, arbitrary: formText },
  { weight: 3, arbitrary: jsonText },
  { weight: 1, arbitrary: fc.constant(OVERSIZED) },
);

const API_PATHS = [
  '/api/me',
  '/api/scopes',
  '/api/directory/departments',
  '/api/directory/users',
  '/api/sync',
  '/api/access/policy',
  '/api/access/check',
  '/api/access/conflicts',
  '/api/audit',
  '/api/stock',
  '/api/nope',
  '/api',
  '/API/ME',
  '/api/access/policy/',
  '/api//sync',
];
const apiPath = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...API_PATHS) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom(...API_PATHS), ascii(12))
      .map(([path, extra]) => `${path}/${encodeURIComponent(extra)}`),
  },
);

const frameRequest = (kind: 'install' | 'app'): fc.Arbitrary<JunkRequest> =>
  fc.record({ query: queryText, headers: headers, body: body }).map(({ query, headers: chosen, body }) => ({
    kind,
    method: 'POST',
    path: `/${kind}${query === '' ? '' : `?${query}`}`,
    headers: chosen,
    body,
  }));
const eventsRequest: fc.Arbitrary<JunkRequest> = fc
  .record({ query: queryText, headers: headers, body: body })
  .map(({ query, headers: chosen, body }) => ({
    kind: 'events',
    method: 'POST',
    path: `/events${query === '' ? '' : `?${query}`}`,
    headers: chosen,
    body,
  }));
const apiRequest: fc.Arbitrary<JunkRequest> = fc
  .record({
    method: fc.constantFrom('GET', 'GET', 'PUT', 'POST', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'),
    path: apiPath,
    query: queryText,
    headers: headers,
    body: fc.option(body, { nil: undefined }),
  })
  .map(({ method, path, query, headers: chosen, body }) => ({
    kind: 'api' as const,
    method,
    path: `${path}${query === '' ? '' : `?${query}`}`,
    headers: chosen,
    ...(body === undefined ? {} : { body }),
  }));
const healthRequest = (kind: 'healthz' | 'readyz'): fc.Arbitrary<JunkRequest> =>
  fc
    .record({ method: fc.constantFrom('GET', 'HEAD'), query: queryText, headers: headers })
    .map(({ method, query, headers: chosen }) => ({
      kind,
      method,
      path: `/${kind}${query === '' ? '' : `?${query}`}`,
      headers: chosen,
    }));

export const junkRequest = fc.oneof(
  { weight: 2, arbitrary: frameRequest('install') },
  { weight: 2, arbitrary: frameRequest('app') },
  { weight: 3, arbitrary: eventsRequest },
  { weight: 6, arbitrary: apiRequest },
  { weight: 1, arbitrary: healthRequest('healthz') },
  { weight: 1, arbitrary: healthRequest('readyz') },
);
