import { describe, expect, it } from 'vitest';
import { checkedEndpoint, hostAllowed, portalEndpoint, type HostPolicy } from '../../server/bitrix/portal-host.js';
import { DEFAULT_PORTAL_DOMAINS } from '../../server/config.js';
import { AppError, ForbiddenError } from '../../server/errors.js';

const CLOUD = ['*.bitrix24.com'];

/** Calls `run` and returns what it threw, so the code and status can be asserted. */
function thrownBy(run: () => unknown): unknown {
  try {
    run();
  } catch (error: unknown) {
    return error;
  }
  return undefined;
}

function expectNotAllowed(run: () => unknown): void {
  const error = thrownBy(run);
  expect(error).toBeInstanceOf(ForbiddenError);
  if (error instanceof AppError) {
    expect(error.code).toBe('PORTAL_NOT_ALLOWED');
    expect(error.status).toBe(403);
  }
}

describe('hostAllowed', () => {
  it.each<[string, string[], boolean]>([
    // exact host
    ['example.bitrix24.com', ['example.bitrix24.com'], true],
    ['other.bitrix24.com', ['example.bitrix24.com'], false],
    ['sub.example.bitrix24.com', ['example.bitrix24.com'], false],
    // wildcard: any sub-domain, never the suffix itself or a look-alike
    ['a.bitrix24.com', CLOUD, true],
    ['a.b.bitrix24.com', CLOUD, true],
    ['my-company.bitrix24.com', CLOUD, true],
    ['bitrix24.com', CLOUD, false],
    ['evilbitrix24.com', CLOUD, false],
    ['a.evilbitrix24.com', CLOUD, false],
    ['a.bitrix24.com.evil.io', CLOUD, false],
    ['a.bitrix24.co', CLOUD, false],
    ['a.bitrix24.eu', CLOUD, false],
    ['a.bitrix24.eu', DEFAULT_PORTAL_DOMAINS, true],
    ['a.bitrix24.com.br', DEFAULT_PORTAL_DOMAINS, true],
    ['a.bitrix24.net', DEFAULT_PORTAL_DOMAINS, false],
    // ports
    ['a.bitrix24.com:8443', CLOUD, false],
    ['example.bitrix24.com:443', ['example.bitrix24.com'], false],
    ['localhost:4000', ['localhost:4000'], true],
    ['localhost:4001', ['localhost:4000'], false],
    ['localhost', ['localhost:4000'], false],
    ['localhost:4000', ['localhost'], false],
    ['localhost:4000', ['localhost:*'], true],
    ['localhost:1', ['localhost:*'], true],
    ['127.0.0.1:4000', ['127.0.0.1:4000'], true],
    ['a.bitrix24.com:8443', ['*.bitrix24.com:*'], true],
    ['bitrix24.com:8443', ['*.bitrix24.com:*'], false],
    // case and surrounding whitespace
    ['A.BITRIX24.COM', CLOUD, true],
    ['Example.Bitrix24.Com', ['example.bitrix24.com'], true],
    [' a.bitrix24.com ', CLOUD, true],
    // several patterns: any one may match
    ['x.bitrix24.de', ['example.bitrix24.com', '*.bitrix24.de'], true],
    ['x.bitrix24.de', [], false],
  ])('%s against %j → %s', (host, patterns, expected) => {
    expect(hostAllowed(host, patterns)).toBe(expected);
  });

  it.each([
    ['userinfo', 'user@a.bitrix24.com'],
    ['userinfo with password', 'user:pw@a.bitrix24.com'],
    ['userinfo pointing elsewhere', 'a.bitrix24.com@evil.io'],
    ['a path', 'a.bitrix24.com/rest'],
    ['a query', 'a.bitrix24.com?x=1'],
    ['a fragment', 'a.bitrix24.com#x'],
    ['a scheme', 'https://a.bitrix24.com'],
    ['a backslash', 'evil.io\\a.bitrix24.com'],
    ['a space inside', 'a .bitrix24.com'],
    ['an empty label', 'a..bitrix24.com'],
    ['a leading dot', '.bitrix24.com'],
    ['an empty string', ''],
    ['a non-numeric port', 'a.bitrix24.com:abc'],
    ['a port with six digits', 'a.bitrix24.com:123456'],
    ['an underscore', 'a_b.bitrix24.com'],
    ['a percent-encoded dot', 'a%2ebitrix24.com'],
    ['a unicode look-alike', 'a.bitrіx24.com'],
    ['a newline', 'a.bitrix24.com\nevil.io'],
  ])('rejects a host with %s', (_label, host) => {
    expect(hostAllowed(host, CLOUD)).toBe(false);
    expect(hostAllowed(host, ['localhost:*', ...DEFAULT_PORTAL_DOMAINS])).toBe(false);
  });
});

/** The default policy: Bitrix24's cloud domains, nothing listed by an operator. */
const DEFAULTS: HostPolicy = { known: CLOUD, operator: [], plainHttp: [] };
/** Hosts an operator listed in PORTAL_DOMAINS. */
const listed = (...patterns: string[]): HostPolicy => ({ known: patterns, operator: patterns, plainHttp: [] });
/** Hosts an operator listed in PORTAL_DOMAINS with `http://`. */
const listedHttp = (...patterns: string[]): HostPolicy => ({
  known: patterns,
  operator: patterns,
  plainHttp: patterns,
});

describe('portalEndpoint', () => {
  it.each<[string, boolean, HostPolicy, string]>([
    ['example.bitrix24.com', true, DEFAULTS, 'https://example.bitrix24.com/rest/'],
    ['Example.Bitrix24.com', true, DEFAULTS, 'https://example.bitrix24.com/rest/'],
    ['localhost:4000', true, listed('localhost:4000'), 'https://localhost:4000/rest/'],
    ['localhost:4000', false, listedHttp('localhost:4000'), 'http://localhost:4000/rest/'],
    ['127.0.0.1:4000', false, listedHttp('127.0.0.1:*'), 'http://127.0.0.1:4000/rest/'],
    // An operator may list a self-hosted portal served over plain http.
    ['portal.internal:8080', false, listedHttp('portal.internal:8080'), 'http://portal.internal:8080/rest/'],
  ])('%s (https=%s) → %s', (host, https, policy, expected) => {
    expect(portalEndpoint(host, https, policy)).toBe(expected);
  });

  it.each<[string, string, boolean, HostPolicy]>([
    ['a host outside the list', 'evil.io', true, DEFAULTS],
    ['a look-alike host', 'a.bitrix24.com.evil.io', true, DEFAULTS],
    ['the bare suffix', 'bitrix24.com', true, DEFAULTS],
    ['plain http to a cloud portal', 'example.bitrix24.com', false, DEFAULTS],
    ['plain http to a host listed without http://', 'portal.internal:8080', false, listed('portal.internal:8080')],
    ['plain http to loopback nobody listed', 'localhost:4000', false, DEFAULTS],
    ['a host with userinfo', 'user@example.bitrix24.com', true, DEFAULTS],
    ['a host with a path', 'example.bitrix24.com/x', true, DEFAULTS],
  ])('throws PORTAL_NOT_ALLOWED for %s', (_label, host, https, policy) => {
    expectNotAllowed(() => portalEndpoint(host, https, policy));
  });

  it('a host the OAuth server vouched for is called over https, wherever it is (self-hosted portals)', () => {
    expect(portalEndpoint('crm.example.org', true, DEFAULTS, true)).toBe('https://crm.example.org/rest/');
    expectNotAllowed(() => portalEndpoint('crm.example.org', false, DEFAULTS, true));
  });

  it.each(['10.0.0.5', '127.0.0.1', '169.254.169.254', '192.168.1.10', '172.20.0.1', '100.64.0.1', '0.0.0.0'])(
    'a vouched IP address that is not public (%s) is refused unless the operator listed it',
    (address) => {
      expectNotAllowed(() => portalEndpoint(address, true, DEFAULTS, true));
      expect(portalEndpoint(address, true, listed(address), true)).toBe(`https://${address}/rest/`);
    },
  );
});

describe('checkedEndpoint', () => {
  it.each<[string, HostPolicy, string]>([
    ['https://example.bitrix24.com/rest/', DEFAULTS, 'https://example.bitrix24.com/rest/'],
    // The path a peer reports is replaced by the canonical one.
    ['https://example.bitrix24.com/', DEFAULTS, 'https://example.bitrix24.com/rest/'],
    ['https://EXAMPLE.bitrix24.com/rest', DEFAULTS, 'https://example.bitrix24.com/rest/'],
    ['http://localhost:4000/rest/', listedHttp('localhost:4000'), 'http://localhost:4000/rest/'],
  ])('%s → %s', (endpoint, policy, expected) => {
    expect(checkedEndpoint(endpoint, policy)).toBe(expected);
  });

  it.each<[string, string]>([
    ['credentials', 'https://user:pw@example.bitrix24.com/rest/'],
    ['a user name', 'https://user@example.bitrix24.com/rest/'],
    ['a query', 'https://example.bitrix24.com/rest/?auth=x'],
    ['a fragment', 'https://example.bitrix24.com/rest/#x'],
    ['a foreign host', 'https://evil.io/rest/'],
    ['a look-alike host', 'https://example.bitrix24.com.evil.io/rest/'],
    ['a userinfo trick', 'https://example.bitrix24.com@evil.io/rest/'],
    ['plain http', 'http://example.bitrix24.com/rest/'],
    ['a non-default port', 'https://example.bitrix24.com:8443/rest/'],
    ['another scheme', 'ftp://example.bitrix24.com/rest/'],
    ['an unparsable URL', 'not a url'],
    ['an empty string', ''],
  ])('rejects an endpoint with %s', (_label, endpoint) => {
    expectNotAllowed(() => checkedEndpoint(endpoint, DEFAULTS));
  });
});
