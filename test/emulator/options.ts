import type { Clock } from './clock.js';
import type { Company, CompanyOptions } from './company.js';
import type { OperatingCost } from './operating-limit.js';
import type { LeakyBucketOptions } from './rate-limit.js';

/** The two Bitrix24 OAuth servers: west = oauth.bitrix.info, east = oauth.bitrix24.tech. */
export type OAuthRegion = 'west' | 'east';

/** The app as registered with the portal (Market / local app card). */
export interface AppOptions {
  /** OAuth client id (default `local.6650f0c0ffee01.12345678`). */
  clientId?: string;
  clientSecret?: string;
  /** Base URL of the app: handler `appUrl/app`, installer `appUrl/install`, install event handler `appUrl/events`. */
  appUrl?: string;
  /** Where `/oauth/authorize/` redirects with the code (default: the handler URL). */
  redirectUri?: string;
  /** App code in `app.info` (default `keycard`). */
  code?: string;
  version?: number;
  /** `L` local, `F` free, `D` demo, `T` trial, `P` paid (default `L`). */
  status?: string;
  title?: string;
}

/** Options of `createEmulator`. Everything has a default; the defaults imitate an ordinary cloud portal. */
export interface EmulatorOptions {
  /** Port used in URLs and by `listen()` without an argument (default 4000). */
  port?: number;
  /** Host name used in URLs (default `localhost`). */
  host?: string;
  /** Size and seed of the generated company (default 200 users, seed 1). */
  company?: CompanyOptions;
  /** A pre-generated company, e.g. one 100k-user company shared by every benchmark contender. */
  companyData?: Company;
  app?: AppOptions;
  /** Scopes granted to the app (default `user_brief,department,placement`). */
  scopes?: string[] | string;
  /** Access-token life in seconds (default 3600). */
  tokenLifetimeSeconds?: number;
  /** Leaky bucket per portal (default by `plan`: 2/s burst 50, Enterprise 5/s burst 250); `false` switches it off. */
  rateLimit?: LeakyBucketOptions | false;
  /** Operating-time limit per method per 10 minutes (default 480); `false` switches it off. */
  operatingLimitSeconds?: number | false;
  /** Simulated execution time of calls, counted against the operating limit. */
  operatingCost?: Partial<OperatingCost>;
  /** Time source for token expiry, codes, the rate limiter and the operating window. */
  clock?: Clock;
  /** Portal language (default `en`). */
  lang?: string;
  /** Portal member_id (default: derived from the company seed). */
  memberId?: string;
  /**
   * Require scope `user` to bind ONUSERADD (the docs say so; unconfirmed whether `user_brief` suffices). Default
   * false.
   */
  onUserAddNeedsUserScope?: boolean;
  /** Also post APPLICATION_TOKEN and APPLICATION_SCOPE in the frame POST, as the 2026 docs describe. Default false. */
  frameApplicationToken?: boolean;
  /**
   * What a removed (uninstalled) app's tokens get. `bitrix24` is what Bitrix24 does: REST answers 401
   * APPLICATION_NOT_FOUND while the token is in the portal's token cache (issued less than `tokenCacheSeconds` ago),
   * else 401 ERROR_OAUTH "Application not installed"; the OAuth server's app.info answers 401 NOT_INSTALLED (rest
   * module `lib/oauth/auth.php`; b24pysdk `errors/__init__.py`, `errors/oauth.py`); the default. `unknown`: every
   * token is forgotten (NO_AUTH_FOUND / invalid_token), words that prove no removal, for tests of the pending path.
   */
  removedAppTokens?: 'bitrix24' | 'unknown';
  /** Life of the portal's token cache in seconds (rest module `Auth::CACHE_TTL` = 3600). */
  tokenCacheSeconds?: number;
  /**
   * Answer of the OAuth server to a refresh (or code exchange) for a removed app. Not documented: both shapes
   * tested. `invalid_client` (default, 401 "Application not installed"; `settings/oauth/error-codes.md`: "the
   * application may not be installed") or `NOT_INSTALLED` (401, the code b24pysdk `errors/oauth.py` knows).
   */
  removedAppRefreshError?: 'invalid_client' | 'NOT_INSTALLED';
  /**
   * Drop every event binding when the app is updated. Default false: the rest module's `UpdateApp` deletes only the
   * install callback (`EventTable::deleteAppInstaller`); `api-reference/events/event-bind.md` says handlers are
   * removed when the app is deleted "or updated". Not settled: both shapes tested.
   */
  dropEventBindingsOnUpdate?: boolean;
  /**
   * Which OAuth server is this portal's (default `west`): `west` = `/oauth-server` (stands for
   * https://oauth.bitrix.info), `east` = `/oauth-server-east` (https://oauth.bitrix24.tech). Only its own server
   * issues and renews its tokens (RU docs `settings/oauth/index.md`; rest module `AuthorizationServerUrlResolver`).
   */
  oauthRegion?: OAuthRegion;
  /**
   * Post SERVER_ENDPOINT in the frame POST (default true). The rest module's app.layout template does not post it;
   * the docs list it since 2026-08-20 (`settings/oauth/simple-way.md`). Not settled: both shapes tested.
   */
  frameServerEndpoint?: boolean;
  /**
   * `user_id` in the OAuth server's app.info: a string (default, as b24pysdk's `bitrix_app_info_response.py`
   * example shows and casts with `int()`) or a number. Not documented: both shapes tested.
   */
  oauthAppInfoUserId?: 'string' | 'number';
  /**
   * HTTP status of `insufficient_scope` (default 401: the rest module raises it through `OAuthException`; the docs'
   * system-error table says 403).
   */
  insufficientScopeStatus?: 401 | 403;
  /**
   * The portal's plan (default `standard`, i.e. any plan but Enterprise): `app.info` LICENSE/LICENSE_TYPE/
   * LICENSE_FAMILY and the leaky bucket (Enterprise 5/s burst 250, others 2/s burst 50, `limits.md`) unless
   * `rateLimit` is given.
   */
  plan?: 'standard' | 'enterprise';
  /**
   * A self-hosted (box) portal: `app.info` LICENSE is `<lang>_selfhosted` without LICENSE_TYPE/LICENSE_FAMILY
   * (rest module `rest_provider.php` appInfo); no leaky bucket (a cloud front-end limit) and no operating limit
   * (off by default on a box, `limits.md`) unless given.
   */
  selfHosted?: boolean;
  /** Start with the app's subscription expired (PAYMENT_REQUIRED everywhere); see `portal.setSubscriptionExpired`. */
  subscriptionExpired?: boolean;
  /**
   * HTTP status of the OAuth server's PAYMENT_REQUIRED (token grants, app.info). Unconfirmed; default 401 (b24pysdk
   * classes the portal's PAYMENT_REQUIRED as 401 Unauthorized). REST calls always answer 401 (b24pysdk).
   */
  paymentRequiredStatus?: number;
  /**
   * What the portal page answers when a picker or the access dialog is closed without choosing. `answer` (default,
   * the emulator's old behaviour: `[]`/`null`) or `silent`: no answer at all, as real Bitrix24 does (rest module
   * `applayout.js`; `sdk/bx24-js-sdk/system-dialogues/index.md`). The page's `?cancel=silent` also sets `silent`.
   */
  dialogCancel?: 'answer' | 'silent';
  /** Delay of every REST answer in real milliseconds (default 0): real portals take 0.1–0.7 s a request. */
  restLatencyMs?: number;
  /** Used to deliver events (default global fetch). */
  fetch?: typeof fetch;
  /** Where the emulator reports failed event deliveries and similar (default console.warn). */
  log?: (line: string) => void;
}
