import { createHash, randomBytes } from 'node:crypto';
import nock from 'nock';
import { z } from 'zod';
import type { Clock } from '../../../server/clock.js';
import type { RateLimits } from '../../../server/bitrix/rate-budget.js';
import { CLIENT_ID, OAUTH, type TestPortal } from '../../support/harness.js';
import { secret } from './log-scan.js';

/*
 * A scripted Bitrix24 for the model-based fuzz, on nock: the three OAuth servers Keycard trusts and the REST
 * endpoints of the test portals, answering from state (tokens it issued, the company, what is bound) instead of
 * one canned reply per request, so any sequence of requests meets consistent answers. Every request it gets is
 * logged: the fuzz checks what Keycard asked of whom after every step (nothing of a portal before a trusted
 * OAuth server vouched for the token). The portals keep Bitrix24's own leaky bucket on the test clock and
 * answer 503 QUERY_LIMIT_EXCEEDED when it overflows, as Bitrix24 does (api-reference/common/limits.md).
 */

/** A person in each test portal's company; the same ids on every portal, each portal with its own tokens. */
export interface FakeUser {
  id: number;
  name: string;
  /** `profile.ADMIN`; null: `profile` leaves the flag out (Keycard must treat that as unknown, never a grant). */
  admin: boolean | null;
  /** Fired users' tokens answer 401 authorization_error; `user.get` shows them inactive. */
  active: boolean;
  departments: number[];
}

export const COMPANY: readonly FakeUser[] = [
  { id: 1, name: 'Anna Admin', admin: true, active: true, departments: [1] },
  { id: 2, name: 'Boris Admin', admin: true, active: true, departments: [2] },
  { id: 10, name: 'Dana Delegate', admin: false, active: true, departments: [2] },
  { id: 20, name: 'Emil Employee', admin: false, active: true, departments: [1] },
  { id: 21, name: 'Olga Outsider', admin: false, active: true, departments: [3] },
  { id: 30, name: 'Fred Fired', admin: false, active: false, departments: [1] },
  { id: 40, name: 'Uma Unknown', admin: null, active: true, departments: [] },
];

export function companyUser(id: number): FakeUser {
  const user = COMPANY.find((candidate) => candidate.id === id);
  if (user === undefined) throw new Error(`no user ${id} in the fake company`);
  return user;
}

/** The trusted OAuth servers: the test's own (B24_OAUTH_SERVER), Bitrix24's west and east. */
export const WEST = 'https://oauth.bitrix.info';
export const EAST = 'https://oauth.bitrix24.tech';
const OAUTH_SERVERS = [OAUTH, WEST, EAST];

/** One request Keycard made to Bitrix24. */
export interface BitrixCall {
  kind: 'oauth' | 'portal';
  /** OAuth server base URL, or the portal's origin. */
  origin: string;
  /** REST method (`app.info`, `profile`, …) or `oauth/token`. */
  method: string;
  /** The token the request carried (`auth`). */
  token: string | undefined;
  /** HTTP status of the answer. */
  status: number;
  /** Answered 503 because the fuzz simulated other apps filling the portal's bucket. */
  overloaded: boolean;
  /** Answered 503 because Keycard itself overflowed the portal's bucket. */
  overflowed: boolean;
}

/** A token the fake OAuth server issued. */
export interface IssuedToken {
  accessToken: string;
  refreshToken: string;
  memberId: string;
  userId: number;
  /** The app it was issued to: ours, or another app installed on the same portal. */
  clientId: string;
}

const TIME = {
  start: 1,
  finish: 1.01,
  duration: 0.01,
  processing: 0.01,
  date_start: '',
  date_finish: '',
  operating: 0,
};

/** OAuth servers refuse unknown tokens in more than one shape (README: an error body may come with HTTP 200). */
const REFUSALS: [number, { error: string; error_description: string }][] = [
  [401, { error: 'invalid_token', error_description: 'The access token provided is invalid.' }],
  [401, { error: 'expired_token', error_description: 'The access token provided has expired.' }],
  [200, { error: 'wrong_client', error_description: 'Wrong client' }],
  [400, { error: 'invalid_request', error_description: 'Invalid request' }],
];

const authBody = z.looseObject({ auth: z.string().optional() });
const userFilter = z.looseObject({
  FILTER: z.looseObject({ ID: z.coerce.number().optional() }).optional(),
  'FILTER[ID]': z.coerce.number().optional(),
});
const bindBody = z.looseObject({ event: z.string().optional(), handler: z.string().optional() });
const placementBody = z.looseObject({ PLACEMENT: z.string().optional(), HANDLER: z.string().optional() });

/** A request body as nock hands it to a reply: parsed JSON, or the raw text of a form. */
function parsedBody(body: unknown): unknown {
  if (typeof body !== 'string') return body;
  try {
    return JSON.parse(body);
  } catch {
    return Object.fromEntries(new URLSearchParams(body));
  }
}

interface PortalState {
  portal: TestPortal;
  bucket: { level: number; at: number };
  /** Portal requests still to be answered 503 (other apps' load). */
  overload: number;
  /** Keycard was removed from the portal (until it is installed again). */
  removed: boolean;
  events: { event: string; handler: string }[];
  placements: { placement: string; handler: string }[];
}

export class FakeBitrix24 {
  readonly calls: BitrixCall[] = [];
  readonly #clock: Clock;
  readonly #limits: RateLimits;
  readonly #tokens = new Map<string, IssuedToken>();
  /** Tokens from before a removal: dead, but still secrets. */
  readonly #revoked = new Set<string>();
  readonly #portals = new Map<string, PortalState>();

  constructor(options: { portals: readonly TestPortal[]; clock: Clock; limits: RateLimits }) {
    this.#clock = options.clock;
    this.#limits = options.limits;
    for (const portal of options.portals) {
      this.#portals.set(portal.origin, {
        portal,
        bucket: { level: 0, at: options.clock.now() },
        overload: 0,
        removed: false,
        events: [],
        placements: [],
      });
    }
    for (const server of OAUTH_SERVERS) {
      nock(server)
        .persist()
        .post('/rest/app.info')
        .reply((_uri, body) => this.#appInfo(server, parsedBody(body)));
      nock(server)
        .persist()
        .post(/^\/oauth\/token\/?$/)
        .reply(() => {
          // Keycard renews only when a token is near expiry; the fuzz stays well within a token's hour.
          this.#log({ kind: 'oauth', origin: server, method: 'oauth/token', token: undefined, status: 400 });
          return [400, { error: 'invalid_grant', error_description: 'not expected in the fuzz' }];
        });
    }
    for (const state of this.#portals.values()) {
      nock(state.portal.origin)
        .persist()
        .post(/^\/rest\//)
        .query(true)
        .reply((uri, body) => this.#rest(state, uri, parsedBody(body)));
    }
  }

  /** Issues a token pair for `userId` of `portal` (to our app unless `clientId` says otherwise). */
  issue(portal: TestPortal, userId: number, clientId = CLIENT_ID): IssuedToken {
    const random = () => randomBytes(9).toString('base64url');
    const issued: IssuedToken = {
      accessToken: secret(`acc-${portal.memberId}-${userId}-${random()}`),
      refreshToken: secret(`ref-${portal.memberId}-${userId}-${random()}`),
      memberId: portal.memberId,
      userId,
      clientId,
    };
    this.#tokens.set(issued.accessToken, issued);
    return issued;
  }

  /** Every token it issued (none may ever appear in an answer of Keycard's). */
  secrets(): string[] {
    return [...this.#tokens.values()].flatMap((issued) => [issued.accessToken, issued.refreshToken]);
  }

  /** What the fake knows of an access token it issued. */
  token(accessToken: string): IssuedToken | undefined {
    return this.#tokens.get(accessToken);
  }

  /**
   * An admin removes Keycard from the portal: the OAuth server answers NOT_INSTALLED for its tokens, the portal
   * APPLICATION_NOT_FOUND (README, "Bitrix24 behaviours": a removed app's token), its event bindings are gone.
   */
  remove(portal: TestPortal): void {
    const state = this.#state(portal);
    state.removed = true;
    state.events = [];
    state.placements = [];
  }

  /** Keycard is installed on the portal again: tokens from before the removal stay dead. */
  restore(portal: TestPortal): void {
    this.#state(portal).removed = false;
    for (const [token, issued] of this.#tokens) if (issued.memberId === portal.memberId) this.#revoked.add(token);
  }

  /** Whether Keycard is removed from `portal` on the Bitrix24 side. */
  removed(portal: TestPortal): boolean {
    return this.#state(portal).removed;
  }

  /** The next `count` requests to `portal` are answered 503 QUERY_LIMIT_EXCEEDED, as when other apps fill it up. */
  overload(portal: TestPortal, count: number): void {
    this.#state(portal).overload = count;
  }

  /** Returns the calls logged since the last take, and forgets them. */
  takeCalls(): BitrixCall[] {
    return this.calls.splice(0);
  }

  #state(portal: TestPortal): PortalState {
    const state = this.#portals.get(portal.origin);
    if (state === undefined) throw new Error(`${portal.origin} is not a fake portal`);
    return state;
  }

  #log(call: Omit<BitrixCall, 'overloaded' | 'overflowed'> & Partial<BitrixCall>): void {
    this.calls.push({ overloaded: false, overflowed: false, ...call });
  }

  /** A token the fake issued and has not revoked. */
  #live(token: string | undefined): IssuedToken | undefined {
    return token === undefined || this.#revoked.has(token) ? undefined : this.#tokens.get(token);
  }

  #appInfo(server: string, body: unknown): [number, object] {
    const token = authBody.safeParse(body).data?.auth;
    const issued = this.#live(token);
    const portal = issued === undefined ? undefined : this.#portalOf(issued.memberId);
    // Only the test's own server issued the portals' tokens; Bitrix24's two know none of them.
    if (issued === undefined || portal === undefined || server !== OAUTH) {
      const digest = createHash('sha256')
        .update(token ?? '')
        .digest();
      const refusal = REFUSALS[(digest[0] ?? 0) % REFUSALS.length] ?? REFUSALS[0];
      if (refusal === undefined) throw new Error('no refusal shapes');
      this.#log({ kind: 'oauth', origin: server, method: 'app.info', token, status: refusal[0] });
      return refusal;
    }
    if (issued.clientId === CLIENT_ID && this.#state(portal).removed) {
      this.#log({ kind: 'oauth', origin: server, method: 'app.info', token, status: 401 });
      return [401, { error: 'NOT_INSTALLED', error_description: 'Application not installed' }];
    }
    this.#log({ kind: 'oauth', origin: server, method: 'app.info', token, status: 200 });
    return [
      200,
      {
        result: {
          client_id: issued.clientId,
          scope: 'user_brief,department,placement',
          user_id: issued.userId,
          install: {
            installed: true,
            member_id: issued.memberId,
            domain: portal.host,
            client_endpoint: `${portal.origin}/rest/`,
            status: 'F',
          },
        },
      },
    ];
  }

  #portalOf(memberId: string): TestPortal | undefined {
    return [...this.#portals.values()].find((state) => state.portal.memberId === memberId)?.portal;
  }

  #rest(state: PortalState, uri: string, body: unknown): [number, object] {
    const method = (/^\/rest\/([^?]+)/.exec(uri)?.[1] ?? '').replace(/\.json$/, '');
    const token = authBody.safeParse(body).data?.auth;
    const log = (status: number, extra: Partial<BitrixCall> = {}) =>
      this.#log({ kind: 'portal', origin: state.portal.origin, method, token, status, ...extra });
    const limited = { error: 'QUERY_LIMIT_EXCEEDED', error_description: 'Too many requests' };
    if (state.overload > 0) {
      state.overload -= 1;
      log(503, { overloaded: true });
      return [503, limited];
    }
    // Bitrix24's leaky bucket, counted as requests arrive.
    const now = this.#clock.now();
    const { drainPerSecond, burst } = this.#limits;
    state.bucket.level = Math.max(0, state.bucket.level - ((now - state.bucket.at) / 1000) * drainPerSecond);
    state.bucket.at = now;
    if (state.bucket.level + 1 > burst) {
      log(503, { overflowed: true });
      return [503, limited];
    }
    state.bucket.level += 1;
    const issued = this.#live(token);
    if (issued === undefined || issued.memberId !== state.portal.memberId) {
      log(401);
      return [401, { error: 'invalid_token', error_description: 'The access token provided is invalid.' }];
    }
    if (state.removed && issued.clientId === CLIENT_ID) {
      log(401);
      return [401, { error: 'APPLICATION_NOT_FOUND', error_description: 'Application not found' }];
    }
    const user = companyUser(issued.userId);
    if (!user.active) {
      log(401);
      return [401, { error: 'authorization_error', error_description: 'Unable to authorize user' }];
    }
    const answer = this.#answer(state, method, body, user);
    if (answer === undefined) {
      log(400);
      return [400, { error: 'ERROR_METHOD_NOT_FOUND', error_description: `Method ${method} not found` }];
    }
    log(200);
    return [200, { result: answer, time: TIME }];
  }

  #answer(state: PortalState, method: string, body: unknown, user: FakeUser): unknown {
    switch (method) {
      case 'profile': {
        const [name, lastName] = user.name.split(' ');
        return {
          ID: String(user.id),
          NAME: name,
          LAST_NAME: lastName,
          ...(user.admin === null ? {} : { ADMIN: user.admin }),
        };
      }
      case 'user.get': {
        const filter = userFilter.safeParse(body).data;
        const id = filter?.FILTER?.ID ?? filter?.['FILTER[ID]'];
        const found = COMPANY.find((candidate) => candidate.id === id);
        if (found === undefined) return [];
        const [name, lastName] = found.name.split(' ');
        return [
          {
            ID: String(found.id),
            ACTIVE: found.active,
            NAME: name,
            LAST_NAME: lastName,
            UF_DEPARTMENT: found.departments,
            USER_TYPE: 'employee',
          },
        ];
      }
      case 'scope':
        return ['user_brief', 'department', 'placement'];
      case 'event.get':
        return state.events;
      case 'event.bind': {
        const bind = bindBody.safeParse(body).data;
        if (bind?.event !== undefined && bind.handler !== undefined)
          state.events.push({ event: bind.event, handler: bind.handler });
        return true;
      }
      case 'placement.get':
        return state.placements;
      case 'placement.bind': {
        const bind = placementBody.safeParse(body).data;
        if (bind?.PLACEMENT !== undefined && bind.HANDLER !== undefined)
          state.placements.push({ placement: bind.PLACEMENT, handler: bind.HANDLER });
        return true;
      }
      case 'app.info':
        return {
          ID: 17,
          CODE: 'keycard.app',
          VERSION: 1,
          STATUS: 'F',
          INSTALLED: true,
          PAYMENT_EXPIRED: 'N',
          LICENSE: 'en_basic',
          LICENSE_TYPE: 'basic',
          LICENSE_FAMILY: 'basic',
        };
      default:
        return undefined;
    }
  }
}
