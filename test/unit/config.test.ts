import { afterEach, describe, expect, it, vi } from 'vitest';
import { ConfigError, DEFAULT_PORTAL_DOMAINS, loadConfig, type Config } from '../../server/config.js';

const KEY_A = 'a'.repeat(32);
const KEY_B = 'b'.repeat(40);

const validEnv = {
  B24_CLIENT_ID: 'local.0123456789abcd.12345678',
  B24_CLIENT_SECRET: 'client-secret-value',
  APP_URL: 'https://keycard.example.com/',
  SECRET_KEY: KEY_A,
} satisfies Record<string, string>;

/** Runs loadConfig and returns the ConfigError it throws (fails the test if it does not throw one). */
function configProblems(env: Record<string, string | undefined>): string[] {
  try {
    loadConfig(env);
  } catch (error: unknown) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('loadConfig accepted an invalid environment');
}

describe('loadConfig', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('normalises a minimal valid environment and fills in the defaults', () => {
    const config: Config = loadConfig(validEnv);
    expect(config).toEqual({
      clientId: 'local.0123456789abcd.12345678',
      clientSecret: 'client-secret-value',
      appUrl: 'https://keycard.example.com',
      secretKeys: [KEY_A],
      storeUrl: 'sqlite://data/keycard.sqlite',
      portalDomains: DEFAULT_PORTAL_DOMAINS,
      operatorPortalDomains: [],
      plainHttpPortalDomains: [],
      oauthServer: 'https://oauth.bitrix.info',
      oauthServers: ['https://oauth.bitrix.info', 'https://oauth.bitrix24.tech'],
      port: 3000,
      trustProxy: false,
      syncIntervalMinutes: 60,
      logLevel: 'info',
    });
  });

  it('B24_OAUTH_SERVER lists extra trusted OAuth servers, the first the default; Bitrix24’s two are always trusted', () => {
    const config = loadConfig({
      ...validEnv,
      B24_OAUTH_SERVER: 'http://localhost:4000/oauth-server/, http://localhost:4000/oauth-server-east',
    });
    expect(config.oauthServer).toBe('http://localhost:4000/oauth-server');
    expect(config.oauthServers).toEqual([
      'https://oauth.bitrix.info',
      'https://oauth.bitrix24.tech',
      'http://localhost:4000/oauth-server',
      'http://localhost:4000/oauth-server-east',
    ]);
    expect(() => loadConfig({ ...validEnv, B24_OAUTH_SERVER: 'https://ok.example, http://evil.example' })).toThrow(
      expect.objectContaining({ problems: [expect.stringContaining('B24_OAUTH_SERVER must use https://')] }),
    );
  });

  it('PORTAL_DOMAINS set by the operator are the hosts that may be private; those written http:// may be plain http', () => {
    const config = loadConfig({ ...validEnv, PORTAL_DOMAINS: 'crm.example.org, http://box.internal:8080' });
    expect(config.portalDomains).toEqual(['crm.example.org', 'box.internal:8080']);
    expect(config.plainHttpPortalDomains).toEqual(['box.internal:8080']);
  });

  it('PORTAL_DOMAINS set by the operator are listed as the operator’s', () => {
    expect(
      loadConfig({ ...validEnv, PORTAL_DOMAINS: 'portal.example.com, localhost:*' }).operatorPortalDomains,
    ).toEqual(['portal.example.com', 'localhost:*']);
  });

  it('LOG_LEVEL goes through the schema like every other variable: a pino level, reported with the other problems', () => {
    expect(loadConfig({ ...validEnv, LOG_LEVEL: 'debug' }).logLevel).toBe('debug');
    expect(() => loadConfig({ ...validEnv, LOG_LEVEL: 'loud', PORT: 'x' })).toThrow(
      expect.objectContaining({ problems: [expect.stringContaining('LOG_LEVEL'), expect.stringContaining('PORT')] }),
    );
  });

  it('DIRECTORY_SYNC_INTERVAL_MINUTES: default hourly, bounded, and reported with the other problems', () => {
    expect(loadConfig({ ...validEnv, DIRECTORY_SYNC_INTERVAL_MINUTES: '15' }).syncIntervalMinutes).toBe(15);
    expect(() => loadConfig({ ...validEnv, DIRECTORY_SYNC_INTERVAL_MINUTES: '1', PORT: 'x' })).toThrow(
      expect.objectContaining({ problems: [expect.stringContaining('at least 5'), expect.stringContaining('PORT')] }),
    );
  });

  it('the default portal domains are Bitrix24 cloud wildcards', () => {
    const { portalDomains } = loadConfig(validEnv);
    expect(portalDomains).toContain('*.bitrix24.com');
    expect(portalDomains).toContain('*.bitrix24.ru');
    expect(portalDomains.every((pattern) => /^\*\.bitrix24\.[a-z.]+$/.test(pattern))).toBe(true);
  });

  it('normalises every explicitly set value', () => {
    const config = loadConfig({
      ...validEnv,
      B24_CLIENT_ID: '  app.client  ',
      APP_URL: '  https://keycard.example.com/base///  ',
      B24_OAUTH_SERVER: 'https://oauth.example.com/',
      PORTAL_DOMAINS: ' Example.Bitrix24.COM , *.BITRIX24.EU,, localhost:4000 ',
      STORE_URL: 'memory://',
      PORT: '8080',
    });
    expect(config.clientId).toBe('app.client');
    expect(config.appUrl).toBe('https://keycard.example.com/base');
    expect(config.oauthServer).toBe('https://oauth.example.com');
    expect(config.portalDomains).toEqual(['example.bitrix24.com', '*.bitrix24.eu', 'localhost:4000']);
    expect(config.storeUrl).toBe('memory://');
    expect(config.port).toBe(8080);
  });

  it('treats empty strings as unset (defaults apply)', () => {
    const config = loadConfig({ ...validEnv, STORE_URL: '', PORT: '', B24_OAUTH_SERVER: '', PORTAL_DOMAINS: '' });
    expect(config.storeUrl).toBe('sqlite://data/keycard.sqlite');
    expect(config.port).toBe(3000);
    expect(config.oauthServer).toBe('https://oauth.bitrix.info');
    expect(config.portalDomains).toEqual(DEFAULT_PORTAL_DOMAINS);
  });

  it('reports every problem of a bad environment in one ConfigError', () => {
    let thrown: unknown;
    try {
      loadConfig({
        APP_URL: 'http://keycard.example.com',
        SECRET_KEY: 'too-short',
        PORT: 'eighty',
        STORE_URL: 'postgres://db:5432/keycard',
      });
    } catch (error: unknown) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(ConfigError);
    if (!(thrown instanceof ConfigError)) return;
    expect(thrown.name).toBe('ConfigError');
    expect(thrown.problems).toHaveLength(6);
    expect(thrown.problems).toEqual(
      expect.arrayContaining([
        'B24_CLIENT_ID is required',
        'B24_CLIENT_SECRET is required',
        expect.stringMatching(/^APP_URL must use https:\/\//),
        expect.stringMatching(/^SECRET_KEY must be at least 32 characters/),
        expect.stringMatching(/^PORT must be/),
        expect.stringMatching(/^STORE_URL must be sqlite:\/\/<file>, memory:\/\/, or redis:\/\//),
      ]),
    );
    // The message lists them too, so the start-up log shows everything at once.
    for (const problem of thrown.problems) expect(thrown.message).toContain(problem);
  });

  it.each([
    { name: 'whitespace-only client id', env: { B24_CLIENT_ID: '   ' }, problem: 'B24_CLIENT_ID is required' },
    {
      name: 'whitespace-only client secret',
      env: { B24_CLIENT_SECRET: ' ' },
      problem: 'B24_CLIENT_SECRET is required',
    },
    { name: 'relative APP_URL', env: { APP_URL: 'keycard.example.com' }, problem: 'APP_URL must be an absolute URL' },
    {
      name: 'APP_URL with a query',
      env: { APP_URL: 'https://keycard.example.com/?x=1' },
      problem: 'APP_URL must not carry a query, a fragment or credentials',
    },
    {
      name: 'APP_URL with credentials',
      env: { APP_URL: 'https://user:pw@keycard.example.com' },
      problem: 'APP_URL must not carry a query, a fragment or credentials',
    },
    {
      name: 'http oauth server',
      env: { B24_OAUTH_SERVER: 'http://oauth.bitrix.info' },
      problem: 'B24_OAUTH_SERVER must use https:// (plain http:// is accepted only for loopback hosts)',
    },
    {
      name: 'one of two keys too short',
      env: { SECRET_KEY: `${KEY_A},short` },
      problem: expect.stringMatching(/^SECRET_KEY must be at least 32/),
    },
    { name: 'only commas as SECRET_KEY', env: { SECRET_KEY: ' , ,' }, problem: 'SECRET_KEY is required' },
    { name: 'port out of range', env: { PORT: '70000' }, problem: 'PORT must be between 0 and 65535' },
    { name: 'fractional port', env: { PORT: '30.5' }, problem: 'PORT must be an integer' },
    {
      name: 'portal domain with a path',
      env: { PORTAL_DOMAINS: 'example.bitrix24.com/rest' },
      problem: expect.stringMatching(/^PORTAL_DOMAINS entries must look like/),
    },
    {
      name: 'portal domain list of separators',
      env: { PORTAL_DOMAINS: ' , ' },
      problem: 'PORTAL_DOMAINS must list at least one host pattern',
    },
  ])('rejects $name', ({ env, problem }) => {
    expect(configProblems({ ...validEnv, ...env })).toEqual([problem]);
  });

  it.each([' ', '\t'])('does not turn a blank PORT (%j) into port 0, a random port', (port) => {
    let outcome: number | string;
    try {
      outcome = loadConfig({ ...validEnv, PORT: port }).port;
    } catch (error: unknown) {
      outcome = error instanceof ConfigError ? 'rejected' : 'other error';
    }
    // Blank means unset (like ''), or it is a mistake worth stopping for; never a silent random port.
    expect([3000, 'rejected']).toContain(outcome);
  });

  it.each([
    ['http://localhost:3000/', 'http://localhost:3000'],
    ['http://127.0.0.1:8080', 'http://127.0.0.1:8080'],
    ['http://[::1]:3000', 'http://[::1]:3000'],
  ])('accepts plain http for the loopback APP_URL %s', (appUrl, expected) => {
    expect(loadConfig({ ...validEnv, APP_URL: appUrl, B24_OAUTH_SERVER: appUrl }).appUrl).toBe(expected);
  });

  it('reads two comma-separated keys as [newest, older]', () => {
    const config = loadConfig({ ...validEnv, SECRET_KEY: ` ${KEY_B} , ${KEY_A} ` });
    expect(config.secretKeys).toEqual([KEY_B, KEY_A]);
  });

  it('reads only the env it is given, never process.env', () => {
    vi.stubEnv('B24_CLIENT_ID', 'from-process-env');
    vi.stubEnv('PORT', '1234');
    const { B24_CLIENT_ID: _omitted, ...withoutClientId } = validEnv;
    expect(configProblems(withoutClientId)).toEqual(['B24_CLIENT_ID is required']);
    expect(loadConfig(validEnv).port).toBe(3000);
  });
});

describe('TRUST_PROXY', () => {
  const base = {
    B24_CLIENT_ID: 'app.test',
    B24_CLIENT_SECRET: 'secret',
    APP_URL: 'https://keycard.example.com',
    SECRET_KEY: 'k'.repeat(40),
  };
  it.each([
    ['true', true],
    ['false', false],
    ['1', 1],
    ['loopback, 10.0.0.0/8', 'loopback, 10.0.0.0/8'],
  ])('%s is handed to Express as %s', (value, expected) => {
    expect(loadConfig({ ...base, TRUST_PROXY: value }).trustProxy).toEqual(expected);
  });
});
