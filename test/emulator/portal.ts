import { createHash } from 'node:crypto';
import { userHasAnyCode } from './access.js';
import { behaviourFrom, OAUTH_SERVER_PATHS, type Behaviour } from './behaviour.js';
import { systemClock, type Clock } from './clock.js';
import { generateCompany, type CompanyUser } from './company.js';
import { emptyCounters, type Counters } from './counters.js';
import { Directory } from './directory.js';
import { EventSender } from './events.js';
import {
  DEFAULT_OPERATING_COST,
  DEFAULT_OPERATING_LIMIT_SECONDS,
  OperatingLimiter,
  type OperatingCost,
} from './operating-limit.js';
import type { EmulatorOptions, OAuthRegion } from './options.js';
import { DEFAULT_RATE_LIMIT, ENTERPRISE_RATE_LIMIT, LeakyBucket } from './rate-limit.js';
import { TokenStore, type AccessGrant, type IssuedTokens } from './tokens.js';
import {
  appRegistration,
  emptyInstallation,
  parseScopes,
  type AppRegistration,
  type Installation,
} from './installation.js';

import type { EmulatedNotification } from './rest/im.js';

export type { AppRegistration, EventBinding, Installation, PlacementBinding } from './installation.js';

/**
 * One in-memory Bitrix24 portal with one app registered on it: company, installation state, issued
 * tokens, limits, counters. Everything time-dependent reads the injected clock.
 */
export class Portal {
  readonly clock: Clock;
  readonly directory: Directory;
  readonly app: AppRegistration;
  readonly tokens: TokenStore;
  readonly events: EventSender;
  readonly bucket: LeakyBucket | null;
  readonly operating: OperatingLimiter | null;
  readonly operatingCost: OperatingCost;
  readonly memberId: string;
  readonly lang: string;
  readonly onUserAddNeedsUserScope: boolean;
  readonly frameApplicationToken: boolean;
  /** Choices where Bitrix24's sources differ (see `EmulatorOptions`). */
  readonly behaviour: Behaviour;
  readonly log: (line: string) => void;
  /** Scopes granted to the app; tests may change them. */
  scopes: string[];
  installation: Installation = emptyInstallation();
  readonly counters: Counters = emptyCounters();
  /** Notifications sent to users (im.notify.*), per recipient, oldest first. */
  readonly notifications: { nextId: number; byUser: Map<number, EmulatedNotification[]> } = {
    nextId: 1,
    byUser: new Map(),
  };
  /** The app's subscription lapsed: the OAuth server and REST answer PAYMENT_REQUIRED, no events are sent. */
  subscriptionExpired: boolean;
  #host: string;
  /** Host of the OAuth servers: fixed when listening, unlike the portal's own address. */
  #oauthHost: string;
  readonly #formerHosts = new Set<string>();
  #nextBindingId = 1;

  constructor(options: EmulatorOptions = {}) {
    this.clock = options.clock ?? systemClock;
    const company = options.companyData ?? generateCompany(options.company);
    this.directory = new Directory(company);
    this.#host = `${options.host ?? 'localhost'}:${options.port ?? 4000}`;
    this.#oauthHost = this.#host;
    this.behaviour = behaviourFrom(options);
    this.subscriptionExpired = options.subscriptionExpired ?? false;
    this.app = appRegistration(options.app);
    this.scopes = parseScopes(options.scopes);
    this.tokens = new TokenStore(this.clock, options.tokenLifetimeSeconds ?? 3600);
    // limits.md: Enterprise 5/s burst 250, others 2/s burst 50; the bucket is a cloud limit (none on a box).
    const planLimit = this.behaviour.plan === 'enterprise' ? ENTERPRISE_RATE_LIMIT : DEFAULT_RATE_LIMIT;
    const rateLimit = options.rateLimit ?? (this.behaviour.selfHosted ? false : planLimit);
    this.bucket = rateLimit === false ? null : new LeakyBucket(this.clock, rateLimit);
    // limits.md: on a box the operating limit is off unless the administrator turns it on.
    const operatingLimit =
      options.operatingLimitSeconds ?? (this.behaviour.selfHosted ? false : DEFAULT_OPERATING_LIMIT_SECONDS);
    this.operating = operatingLimit === false ? null : new OperatingLimiter(this.clock, operatingLimit);
    this.operatingCost = { ...DEFAULT_OPERATING_COST, ...options.operatingCost };
    this.memberId =
      options.memberId ??
      createHash('md5')
        .update(`keycard-emulator-${options.company?.seed ?? 1}`)
        .digest('hex');
    this.lang = options.lang ?? 'en';
    this.onUserAddNeedsUserScope = options.onUserAddNeedsUserScope ?? false;
    this.frameApplicationToken = options.frameApplicationToken ?? false;
    this.log = options.log ?? ((line) => console.warn(`[emulator] ${line}`));
    this.events = new EventSender({
      fetch: options.fetch ?? fetch,
      log: this.log,
      onDelivered: (delivery) => {
        if (delivery.status >= 200 && delivery.status < 300) this.counters.eventsSent++;
        else this.counters.eventsFailed++;
      },
    });
  }

  /** `localhost:4000`: what Bitrix24 calls DOMAIN. */
  get host(): string {
    return this.#host;
  }

  /** Called by `listen()` once the real port is known: the portal and its OAuth servers live there. */
  setHost(host: string): void {
    this.#host = host;
    this.#oauthHost = host;
  }

  /**
   * Renames the portal (Bitrix24 lets an admin change the address; `member_id` stays): REST calls to a former
   * address answer 302 to the new one, and tokens, frames and events carry the new DOMAIN. The OAuth servers
   * do not move. @see https://apidocs.bitrix24.com/settings/how-to-call-rest-api/change-domen.html
   */
  renameHost(newHost: string): void {
    const host = newHost.toLowerCase();
    if (host === this.#host) return;
    this.#formerHosts.add(this.#host);
    this.#formerHosts.delete(host);
    this.#host = host;
  }

  /** True for an address the portal had before a rename (it now redirects). */
  isFormerHost(host: string | undefined): boolean {
    return host !== undefined && this.#formerHosts.has(host.toLowerCase());
  }

  /** The portal is served over plain http (frames get `PROTOCOL=0`). */
  get protocol(): 'http' {
    return 'http';
  }

  get origin(): string {
    return `${this.protocol}://${this.#host}`;
  }

  /** Portal REST endpoint (`client_endpoint`). */
  get clientEndpoint(): string {
    return `${this.origin}/rest/`;
  }

  /** Host (and port) of the OAuth servers: the `domain` of token answers. */
  get oauthHost(): string {
    return this.#oauthHost;
  }

  /** Base URL of one of the two OAuth servers. */
  oauthServerUrl(region: OAuthRegion): string {
    return `http://${this.#oauthHost}${OAUTH_SERVER_PATHS[region]}`;
  }

  /** Both OAuth servers: an app configured like Keycard should trust both. */
  get oauthServers(): Record<OAuthRegion, string> {
    return { west: this.oauthServerUrl('west'), east: this.oauthServerUrl('east') };
  }

  /** Base of this portal's own OAuth server (what the app's `B24_OAUTH_SERVER` should be). */
  get oauthServer(): string {
    return this.oauthServerUrl(this.behaviour.oauthRegion);
  }

  /** `server_endpoint`: the OAuth server's REST path. */
  get serverEndpoint(): string {
    return `${this.oauthServer}/rest/`;
  }

  get scope(): string {
    return this.scopes.join(',');
  }

  hasScope(...accepted: string[]): boolean {
    return accepted.some((scope) => this.scopes.includes(scope));
  }

  /** Bitrix24's own app access check: admins always pass; an empty list lets everyone in. */
  userHasAppAccess(user: CompanyUser): boolean {
    const codes = this.installation.accessCodes;
    return user.admin || codes.length === 0 || userHasAnyCode(this.directory, user, codes);
  }

  issueTokens(userId: number): IssuedTokens {
    this.counters.tokensIssued++;
    return this.tokens.issue(userId, this.installation.tokenEpoch);
  }

  /**
   * What a token stands for now: `live` (the app as installed, or a token from before any install), `removed` (the
   * app was uninstalled since and is not installed), `forgotten` (issued to a removed installation, app reinstalled).
   */
  tokenStatus(grant: AccessGrant): 'live' | 'removed' | 'forgotten' {
    if (grant.epoch === this.installation.tokenEpoch) return 'live';
    return this.installation.installed ? 'forgotten' : 'removed';
  }

  /** Rotates a refresh token; undefined when it is unknown, used or expired. */
  refreshTokens(refreshToken: string): IssuedTokens | undefined {
    const tokens = this.tokens.refresh(refreshToken);
    if (tokens !== undefined) {
      this.counters.tokenRefreshes++;
      this.counters.tokensIssued++;
    }
    return tokens;
  }

  nextBindingId(): number {
    return this.#nextBindingId++;
  }

  /** Zeroes the counters in place, so a reference to `portal.counters` stays live. */
  resetCounters(): void {
    Object.assign(this.counters, emptyCounters());
  }

  /**
   * Fires (deactivates) or re-activates a user. A fired user's tokens answer 401 authorization_error on every
   * REST call (rest module `lib/oauth/auth.php`, `CRestUtil::makeAuth`).
   */
  setUserActive(userId: number, active: boolean): CompanyUser {
    const user = this.#existingUser(userId);
    user.active = active;
    return user;
  }

  /**
   * Makes a user a portal admin or takes it away. Tokens keep working; a non-admin gets no `ADMIN_MODE` in
   * `user.get` and 403 ACCESS_DENIED from `placement.*` (rest module `lib/api/placement.php` checkPermission).
   */
  setUserAdmin(userId: number, admin: boolean): CompanyUser {
    const user = this.#existingUser(userId);
    user.admin = admin;
    return user;
  }

  /**
   * Lets the app's subscription lapse (or renews it): the OAuth server refuses tokens and app.info with
   * PAYMENT_REQUIRED (`settings/oauth/error-codes.md`), REST answers 401 PAYMENT_REQUIRED (b24pysdk
   * `BitrixAPIPaymentRequired`), and no events are sent (rest module `lib/event/sender.php`: PAYMENT_ALLOW).
   */
  setSubscriptionExpired(expired: boolean): void {
    this.subscriptionExpired = expired;
  }

  #existingUser(userId: number): CompanyUser {
    const user = this.directory.user(userId);
    if (user === undefined) throw new Error(`no user ${userId} on this portal`);
    return user;
  }

  /** The portal admin the page acts as by default (the first active admin). */
  defaultUser(): CompanyUser {
    const admin = this.directory.users.find((user) => user.admin && user.active) ?? this.directory.users[0];
    if (admin === undefined) throw new Error('the company has no users');
    return admin;
  }
}
