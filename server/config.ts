import { z } from 'zod';

/** Bitrix24 cloud domains accepted as portals when `PORTAL_DOMAINS` is not set. */
export const DEFAULT_PORTAL_DOMAINS = [
  '*.bitrix24.com',
  '*.bitrix24.eu',
  '*.bitrix24.de',
  '*.bitrix24.es',
  '*.bitrix24.fr',
  '*.bitrix24.it',
  '*.bitrix24.pl',
  '*.bitrix24.uk',
  '*.bitrix24.in',
  '*.bitrix24.com.br',
  '*.bitrix24.com.tr',
  '*.bitrix24.mx',
  '*.bitrix24.co',
  '*.bitrix24.id',
  '*.bitrix24.vn',
  '*.bitrix24.jp',
  '*.bitrix24.cn',
  '*.bitrix24.ru',
  '*.bitrix24.by',
  '*.bitrix24.kz',
  '*.bitrix24.ua',
];

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/** True for hosts that never leave this machine; only they may be reached over plain http. */
export function isLoopbackHost(hostname: string): boolean {
  return LOOPBACK_HOSTS.has(hostname) || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/**
 * Bitrix24's two OAuth servers, each the only one that issues and renews the tokens of its portals: west
 * (`oauth.bitrix.info`) and east (`oauth.bitrix24.tech`, the RU docs' server; self-hosted portals pick one by
 * licence region). Requests may name either; nothing else is ever trusted unless B24_OAUTH_SERVER lists it.
 * @see https://apidocs.bitrix24.com/settings/oauth/index.html (RU: https://apidocs.bitrix24.ru/settings/oauth/index.html)
 */
export const PUBLIC_OAUTH_SERVERS = ['https://oauth.bitrix.info', 'https://oauth.bitrix24.tech'] as const;

function baseUrl(name: string) {
  return z
    .string({ error: `${name} is required` })
    .trim()
    .pipe(z.url({ error: `${name} must be an absolute URL` }))
    .transform((value) => new URL(value))
    .refine((url) => url.protocol === 'https:' || (url.protocol === 'http:' && isLoopbackHost(url.hostname)), {
      error: `${name} must use https:// (plain http:// is accepted only for loopback hosts)`,
    })
    .refine((url) => url.search === '' && url.hash === '' && url.username === '' && url.password === '', {
      error: `${name} must not carry a query, a fragment or credentials`,
    })
    .transform((url) => url.origin + url.pathname.replace(/\/+$/, ''));
}

/** A PORTAL_DOMAINS entry: an optional `http://` (plain http allowed there), then `host`, `*.suffix`, `:port`, `:*`. */
const domainPattern = /^(http:\/\/)?(\*\.)?([a-z0-9-]+\.)*[a-z0-9-]+(:(\d{1,5}|\*))?$/;

const schema = z.object({
  B24_CLIENT_ID: z.string({ error: 'B24_CLIENT_ID is required' }).trim().min(1, { error: 'B24_CLIENT_ID is required' }),
  B24_CLIENT_SECRET: z
    .string({ error: 'B24_CLIENT_SECRET is required' })
    .trim()
    .min(1, { error: 'B24_CLIENT_SECRET is required' }),
  APP_URL: baseUrl('APP_URL'),
  SECRET_KEY: z
    .string({ error: 'SECRET_KEY is required' })
    .transform((value) =>
      value
        .split(',')
        .map((key) => key.trim())
        .filter((key) => key !== ''),
    )
    .refine((keys) => keys.length > 0, { error: 'SECRET_KEY is required' })
    .refine((keys) => keys.every((key) => key.length >= 32), {
      error: 'SECRET_KEY must be at least 32 characters (several keys: comma-separated, newest first)',
    }),
  STORE_URL: z
    .string()
    .trim()
    .default('sqlite://data/keycard.sqlite')
    .refine((value) => /^(sqlite|memory|redis|rediss):\/\//.test(value), {
      error:
        'STORE_URL must be sqlite://<file>, memory://, or redis://[user:password@]host:port[/db] (rediss:// for TLS)',
    }),
  PORTAL_DOMAINS: z
    .string()
    .optional()
    .transform((value) =>
      value === undefined
        ? DEFAULT_PORTAL_DOMAINS
        : value
            .split(',')
            .map((item) => item.trim().toLowerCase())
            .filter(Boolean),
    )
    .refine((patterns) => patterns.length > 0, { error: 'PORTAL_DOMAINS must list at least one host pattern' })
    .refine((patterns) => patterns.every((pattern) => domainPattern.test(pattern)), {
      error:
        'PORTAL_DOMAINS entries must look like example.bitrix24.com, *.bitrix24.com, localhost:4000 or http://crm.example.org',
    }),
  B24_OAUTH_SERVER: z
    .string()
    .default(PUBLIC_OAUTH_SERVERS[0])
    .transform((value) =>
      value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean),
    )
    .refine((urls) => urls.length > 0, { error: 'B24_OAUTH_SERVER must name at least one URL' })
    .pipe(z.array(baseUrl('B24_OAUTH_SERVER'))),
  DIRECTORY_SYNC_INTERVAL_MINUTES: z.coerce
    .number({ error: 'DIRECTORY_SYNC_INTERVAL_MINUTES must be a number' })
    .int({ error: 'DIRECTORY_SYNC_INTERVAL_MINUTES must be a whole number of minutes' })
    .min(5, { error: 'DIRECTORY_SYNC_INTERVAL_MINUTES must be at least 5 (Bitrix24 limits how often apps may poll)' })
    .max(7 * 24 * 60, { error: 'DIRECTORY_SYNC_INTERVAL_MINUTES must be at most a week' })
    .default(60),
  LOG_LEVEL: z
    .enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], {
      error: 'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent',
    })
    .default('info'),
  TRUST_PROXY: z
    .string()
    .trim()
    .default('false')
    .transform((value): boolean | number | string =>
      value === 'true' ? true : value === 'false' ? false : /^\d+$/.test(value) ? Number(value) : value,
    ),
  MANIFEST_PATH: z.string().trim().optional(),
  PORT: z.coerce
    .number({ error: 'PORT must be a number' })
    .int({ error: 'PORT must be an integer' })
    .min(0, { error: 'PORT must be between 0 and 65535' })
    .max(65535, { error: 'PORT must be between 0 and 65535' })
    .default(3000),
});

/** Validated, normalised configuration. Only `server/main.ts` builds it from the environment. */
export interface Config {
  /** OAuth client id of the app (Market or local app card). */
  clientId: string;
  /** OAuth client secret; goes to the OAuth server only. */
  clientSecret: string;
  /** Public base URL of this server, no trailing slash (handler, installer and event URLs hang off it). */
  appUrl: string;
  /** Encryption and session-signing keys, newest first; older keys only decrypt. */
  secretKeys: [string, ...string[]];
  /** Where the store lives: `sqlite://path`, `memory://`, or `redis://…` (several instances). */
  storeUrl: string;
  /** Host patterns accepted as portals without an OAuth server's word for them (SSRF guard). */
  portalDomains: string[];
  /**
   * The patterns the operator listed in PORTAL_DOMAINS (empty when it is not set): only these hosts may resolve
   * to loopback, private, link-local or metadata addresses.
   */
  operatorPortalDomains: string[];
  /** The patterns the operator listed with `http://`: the only portals reached over plain http. */
  plainHttpPortalDomains: string[];
  /** The OAuth server for requests that do not name one (the first of B24_OAUTH_SERVER), no trailing slash. */
  oauthServer: string;
  /** Every OAuth server Keycard trusts: Bitrix24's two and those B24_OAUTH_SERVER lists. */
  oauthServers: string[];
  /** TCP port to listen on. */
  port: number;
  /**
   * Express's `trust proxy` (`true`, a hop count, or addresses/subnets such as `loopback`): behind a proxy, the
   * client's address comes from X-Forwarded-For, which the flood limits count per source. Off by default.
   */
  trustProxy: boolean | number | string;
  /** How often every active portal's directory mirror is reconciled with a full sync. */
  syncIntervalMinutes: number;
  /** Pino level of the server's log (every record is redacted of secrets whatever the level). */
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** The app manifest's file (an app built on Keycard names its own); absent, the shipped `manifest/keycard.json`. */
  manifestPath?: string;
}

function withoutScheme(pattern: string): string {
  return pattern.replace(/^http:\/\//, '');
}

/** Thrown when the environment is unusable; lists every problem at once. */
export class ConfigError extends Error {
  readonly problems: string[];

  constructor(problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

/** Parses the environment; throws one ConfigError listing every problem. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  const present = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value.trim() !== ''),
  );
  const parsed = schema.safeParse(present);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => issue.message));
  }
  const value = parsed.data;
  const [current, ...previous] = value.SECRET_KEY;
  if (current === undefined) throw new ConfigError(['SECRET_KEY is required']);
  return {
    clientId: value.B24_CLIENT_ID,
    clientSecret: value.B24_CLIENT_SECRET,
    appUrl: value.APP_URL,
    secretKeys: [current, ...previous],
    storeUrl: value.STORE_URL,
    portalDomains: value.PORTAL_DOMAINS.map(withoutScheme),
    operatorPortalDomains: present['PORTAL_DOMAINS'] === undefined ? [] : value.PORTAL_DOMAINS.map(withoutScheme),
    plainHttpPortalDomains: value.PORTAL_DOMAINS.filter((pattern) => pattern.startsWith('http://')).map(withoutScheme),
    oauthServer: value.B24_OAUTH_SERVER[0] ?? PUBLIC_OAUTH_SERVERS[0],
    oauthServers: [...new Set([...PUBLIC_OAUTH_SERVERS, ...value.B24_OAUTH_SERVER])],
    port: value.PORT,
    trustProxy: value.TRUST_PROXY,
    syncIntervalMinutes: value.DIRECTORY_SYNC_INTERVAL_MINUTES,
    logLevel: value.LOG_LEVEL,
    ...(value.MANIFEST_PATH === undefined ? {} : { manifestPath: value.MANIFEST_PATH }),
  };
}
