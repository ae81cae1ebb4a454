import { createHash } from 'node:crypto';
import { userHasAnyCode } from './access.js';
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
import type { EmulatorOptions } from './options.js';
import { DEFAULT_RATE_LIMIT, LeakyBucket } from './rate-limit.js';
import { TokenStore, type IssuedTokens } from './tokens.js';

/** The app as registered with the portal. */
export interface AppRegistration {
  clientId: string;
  clientSecret: string;
  code: string;
  title: string;
  version: number;
  status: string;
  handlerUrl: string;
  installerUrl: string;
  installEventUrl: string;
  redirectUri: string;
}

/** An `event.bind` record. */
export interface EventBinding {
  id: number;
  event: string;
  handler: string;
  /** `auth_type`: 0 = the user who triggered the event. */
  authType: number;
  offline: boolean;
  /** Who bound it (non-admins see only their own in `event.get`). */
  ownerId: number;
}

/** A `placement.bind` record. */
export interface PlacementBinding {
  placement: string;
  handler: string;
  title: string;
  description: string;
  groupName: string;
  options: Record<string, unknown> | [];
  langAll: Record<string, { TITLE: string; DESCRIPTION: string; GROUP_NAME: string }>;
  userId: number;
}

/** The app's installation on this portal. */
export interface Installation {
  installed: boolean;
  /** `installFinish` was called: events flow, ordinary users may open the app, `app.info.INSTALLED` is true. */
  finished: boolean;
  applicationToken: string | null;
  /** Bitrix24's own app access setting (Market → Installed apps → User access); empty = everyone. */
  accessCodes: string[];
  events: EventBinding[];
  placements: PlacementBinding[];
  appOptions: Record<string, unknown>;
  /** The next frame open after `installFinish` carries FIRST_RUN. */
  firstRunPending: boolean;
}

export const DEFAULT_SCOPES = ['user_brief', 'department', 'placement'];

function parseScopes(scopes: string[] | string | undefined): string[] {
  if (scopes === undefined) return [...DEFAULT_SCOPES];
  const list = Array.isArray(scopes) ? scopes : scopes.split(/[\s,]+/);
  return list.map((scope) => scope.trim()).filter((scope) => scope !== '');
}

function emptyInstallation(): Installation {
  return {
    installed: false,
    finished: false,
    applicationToken: null,
    accessCodes: [],
    events: [],
    placements: [],
    appOptions: {},
    firstRunPending: false,
  };
}

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
  readonly log: (line: string) => void;
  /** Scopes granted to the app; tests may change them. */
  scopes: string[];
  installation: Installation = emptyInstallation();
  readonly counters: Counters = emptyCounters();
  #host: string;
  #nextBindingId = 1;

  constructor(options: EmulatorOptions = {}) {
    this.clock = options.clock ?? systemClock;
    const company = options.companyData ?? generateCompany(options.company);
    this.directory = new Directory(company);
    this.#host = `${options.host ?? 'localhost'}:${options.port ?? 4000}`;
    const appUrl = (options.app?.appUrl ?? 'http://localhost:3000').replace(/\/+$/, '');
    this.app = {
      clientId: options.app?.clientId ?? 'local.6650f0c0ffee01.12345678',
      clientSecret: options.app?.clientSecret ?? 'emulator-client-secret-0123456789abcdef',
      code: options.app?.code ?? 'keycard',
      title: options.app?.title ?? 'Keycard',
      version: options.app?.version ?? 1,
      status: options.app?.status ?? 'L',
      handlerUrl: `${appUrl}/app`,
      installerUrl: `${appUrl}/install`,
      installEventUrl: `${appUrl}/events`,
      redirectUri: options.app?.redirectUri ?? `${appUrl}/app`,
    };
    this.scopes = parseScopes(options.scopes);
    this.tokens = new TokenStore(this.clock, options.tokenLifetimeSeconds ?? 3600);
    const rateLimit = options.rateLimit === undefined ? DEFAULT_RATE_LIMIT : options.rateLimit;
    this.bucket = rateLimit === false ? null : new LeakyBucket(this.clock, rateLimit);
    const operatingLimit =
      options.operatingLimitSeconds === undefined ? DEFAULT_OPERATING_LIMIT_SECONDS : options.operatingLimitSeconds;
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

  /** Called by `listen()` once the real port is known. */
  setHost(host: string): void {
    this.#host = host;
  }

  get origin(): string {
    return `http://${this.#host}`;
  }

  /** Portal REST endpoint (`client_endpoint`). */
  get clientEndpoint(): string {
    return `${this.origin}/rest/`;
  }

  /** Base of the OAuth server (what the app's `B24_OAUTH_SERVER` should be). */
  get oauthServer(): string {
    return `${this.origin}/oauth-server`;
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
    return this.tokens.issue(userId);
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

  /** The portal admin the page acts as by default (the first active admin). */
  defaultUser(): CompanyUser {
    const admin = this.directory.users.find((user) => user.admin && user.active) ?? this.directory.users[0];
    if (admin === undefined) throw new Error('the company has no users');
    return admin;
  }
}
