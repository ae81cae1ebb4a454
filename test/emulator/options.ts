import type { Clock } from './clock.js';
import type { Company, CompanyOptions } from './company.js';
import type { OperatingCost } from './operating-limit.js';
import type { LeakyBucketOptions } from './rate-limit.js';

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
  /** Leaky bucket per portal (default 2/s, burst 50); `false` switches it off. */
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
  /** Delay of every REST answer in real milliseconds (default 0): real portals take 0.1–0.7 s a request. */
  restLatencyMs?: number;
  /** Used to deliver events (default global fetch). */
  fetch?: typeof fetch;
  /** Where the emulator reports failed event deliveries and similar (default console.warn). */
  log?: (line: string) => void;
}
