import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { expect } from 'vitest';
import type { ErrorCode } from '../../../common/error-codes.js';
import { OAUTH } from '../../support/harness.js';
import { companyUser, EAST, WEST, type IssuedToken } from './fake-bitrix24.js';
import { portalKey, USER_IDS } from './fuzz-api.js';
import { adoptApplicationToken } from './fuzz-events.js';
import { installDefaults, otherPortal, SESSION_TTL_MS, type Model, type PortalModel } from './fuzz-model.js';
import { heldCodes, mayOpen } from './fuzz-rules.js';
import { beginStep, callTo, expectFramePage, expectNoSecrets, sessionOfPage } from './fuzz-step.js';
import { NOWHERE, type FuzzWorld, type PortalKey } from './fuzz-world.js';
import { secret } from './log-scan.js';

/*
 * The frame POSTs under the model (README, "How it works"): POST /app and POST /install are unsigned, so nothing
 * in them counts before a trusted OAuth server vouched for the token (our client id, this member id), and no
 * request reaches the portal before that; the user is then identified with `profile` on the stored endpoint, never
 * the request's DOMAIN. A forged frame changes nothing and spends nothing of the portal's budget.
 */

/** What the frame's token is. */
export type FrameToken =
  /** Issued by the OAuth server to Keycard for this portal's user. */
  | 'genuine'
  /** Unknown to every OAuth server. */
  | 'forged'
  /** Genuine, but the other portal's. */
  | 'otherPortal'
  /** Genuine, but issued to another app on this portal. */
  | 'otherApp'
  /** Genuine, with a member id of a portal Keycard is not installed on. */
  | 'portalNotInstalled'
  /** Not even shaped like a token. */
  | 'malformed';

/** Which OAuth server the frame names (`SERVER_ENDPOINT`). */
export type ServerChoice = 'unnamed' | 'own' | 'west' | 'east' | 'untrusted';

const SERVER_ENDPOINTS: Record<ServerChoice, string | undefined> = {
  unnamed: undefined,
  own: `${OAUTH}/rest/`,
  west: `${WEST}/rest/`,
  east: `${EAST}/rest/`,
  untrusted: 'https://oauth.evil.example.com/rest/',
};

export interface FrameParams {
  portal: PortalKey;
  userId: number;
  token: FrameToken;
  server: ServerChoice;
  /** The request's DOMAIN: the portal's own, another's, or a host nobody vouched for (never to be called). */
  domain: 'own' | 'other' | 'evil';
  refresh: boolean;
}

const frameParams: fc.Arbitrary<FrameParams> = fc.record({
  portal: portalKey,
  userId: fc.constantFrom(...USER_IDS),
  token: fc.oneof(
    { weight: 8, arbitrary: fc.constant<FrameToken>('genuine') },
    {
      weight: 1,
      arbitrary: fc.constantFrom<FrameToken>('forged', 'otherPortal', 'otherApp', 'portalNotInstalled', 'malformed'),
    },
  ),
  server: fc.oneof(
    { weight: 8, arbitrary: fc.constantFrom<ServerChoice>('unnamed', 'own') },
    { weight: 1, arbitrary: fc.constantFrom<ServerChoice>('west', 'east', 'untrusted') },
  ),
  domain: fc.oneof(
    { weight: 4, arbitrary: fc.constant<'own'>('own') },
    { weight: 1, arbitrary: fc.constantFrom<'other' | 'evil'>('other', 'evil') },
  ),
  refresh: fc.oneof({ weight: 6, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
});

/** The frame POST for `params`, and the token it carries (when the fake issued one). */
function frameRequest(world: FuzzWorld, params: FrameParams, route: '/app' | '/install', applicationToken?: string) {
  const portal = world.portals[params.portal];
  const tokens = (): IssuedToken => {
    switch (params.token) {
      case 'otherPortal':
        return world.bitrix.issue(world.portals[otherPortal(params.portal)], params.userId);
      case 'otherApp':
        return world.bitrix.issue(portal, params.userId, 'app.another.vendor');
      default:
        return world.bitrix.issue(portal, params.userId);
    }
  };
  const issued = params.token === 'forged' || params.token === 'malformed' ? undefined : tokens();
  const accessToken =
    params.token === 'malformed'
      ? 'not a token'
      : (issued?.accessToken ?? secret(`forged-${randomBytes(12).toString('base64url')}`));
  const domain = { own: portal.host, other: world.portals[otherPortal(params.portal)].host, evil: 'evil.example.com' }[
    params.domain
  ];
  const server = SERVER_ENDPOINTS[params.server];
  const body = new URLSearchParams({
    AUTH_ID: accessToken,
    AUTH_EXPIRES: '3600',
    ...(params.refresh ? { REFRESH_ID: issued?.refreshToken ?? `${accessToken}-refresh` } : {}),
    member_id: params.token === 'portalNotInstalled' ? NOWHERE.memberId : portal.memberId,
    ...(server === undefined ? {} : { SERVER_ENDPOINT: server }),
    ...(applicationToken === undefined ? {} : { APPLICATION_TOKEN: applicationToken }),
    status: 'F',
    PLACEMENT: 'DEFAULT',
  });
  return {
    issued,
    request: {
      method: 'POST',
      path: `${route}?DOMAIN=${domain}&PROTOCOL=1&LANG=en&APP_SID=sid`,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: body.toString(),
    },
  };
}

/** Where verification stops, before anything is asked of the portal; undefined: the OAuth server vouched. */
function verificationRefusal(
  world: FuzzWorld,
  params: FrameParams,
): { status: number; code: ErrorCode; oauthCalls: number } | undefined {
  if (params.server === 'untrusted') return { status: 403, code: 'OAUTH_SERVER_NOT_TRUSTED', oauthCalls: 0 };
  // Bitrix24's own two servers did not issue the fuzz's tokens, so they vouch for none of them.
  if (params.server === 'west' || params.server === 'east' || params.token === 'forged')
    return { status: 401, code: 'TOKEN_NOT_VERIFIED', oauthCalls: 1 };
  if (params.token === 'otherApp') return { status: 403, code: 'WRONG_CLIENT', oauthCalls: 1 };
  const issuedFor = params.token === 'otherPortal' ? otherPortal(params.portal) : params.portal;
  // The token of a portal Keycard was removed from: the OAuth server says NOT_INSTALLED.
  if (world.bitrix.removed(world.portals[issuedFor])) return { status: 404, code: 'NOT_INSTALLED', oauthCalls: 1 };
  if (params.token === 'otherPortal' || params.token === 'portalNotInstalled')
    return { status: 403, code: 'WRONG_PORTAL', oauthCalls: 1 };
  return undefined;
}

/** The longest a person's request waits for the portal's budget (RateBudget's `interactive` bound). */
const PERSON_WAIT_MS = 5000;

/** How long a person's request would wait for the portal's budget now (its level, read from the real budget). */
function personWaitMs(world: FuzzWorld, memberId: string): number {
  const budget = world.services.budgets.forPortal(memberId);
  const { burst, drainPerSecond } = budget.limits;
  return Math.max(0, ((budget.level + 1 - Math.max(1, burst - 1)) / drainPerSecond) * 1000);
}

/** A user opens Keycard: POST /app. */
export class OpenAppCommand implements fc.AsyncCommand<Model, FuzzWorld> {
  constructor(
    readonly params: FrameParams,
    /** Requests the portal answers 503 first (other apps' load): up to two are retried, three fail the open. */
    readonly overload: number,
  ) {}

  check(): boolean {
    return true;
  }

  toString(): string {
    return `openApp(${JSON.stringify(this.params)}, overload ${this.overload})`;
  }

  async run(model: Model, world: FuzzWorld): Promise<void> {
    const label = this.toString();
    const step = await beginStep(world, label);
    const pm = model.portals[this.params.portal];
    const { issued, request } = frameRequest(world, this.params, '/app');
    world.bitrix.overload(pm.portal, this.overload);
    const waitBeforeMs = personWaitMs(world, pm.portal.memberId);
    const res = await world.send(request);
    const own = /"session":"([^"]+)"/.exec(res.text)?.[1];
    expectNoSecrets(world, model, res, label, own);
    const origin = pm.portal.origin;
    if (this.params.token === 'malformed') {
      expectFramePage(world, res, label, { status: 400, code: 'BAD_REQUEST', origin: undefined });
      await step.end(model, { writes: [] });
      return;
    }
    // The token is verified first, whatever Keycard holds for the member id (nothing, a removed or a purged
    // installation): until then the answer is the same for all of them, framed by the configured portal patterns.
    const refusal = verificationRefusal(world, this.params);
    if (refusal !== undefined) {
      expectFramePage(world, res, label, { status: refusal.status, code: refusal.code, origin: undefined });
      await step.end(model, { writes: [], oauthCalls: refusal.oauthCalls });
      return;
    }
    // Verified, for an installation that is not active: one uninstalled without "clear data" still has its record,
    // so its page is framed by its origin.
    if (pm.record !== 'active' || issued === undefined) {
      const framedBy = pm.record === 'deleted' ? origin : undefined;
      expectFramePage(world, res, label, { status: 404, code: 'NOT_INSTALLED', origin: framedBy });
      await step.end(model, { writes: [], oauthCalls: 1 });
      return;
    }
    const user = companyUser(this.params.userId);
    const profileAnswered = this.overload < 3;
    const ownProfile = callTo(origin, issued.accessToken, ['profile']);
    // A person waits at most 5 s for the budget: past that (earlier 503s keep it backed off), or after this step's
    // refusals backed it off further, Keycard says the portal is busy instead of waiting on. Nothing changes then.
    if (
      waitBeforeMs > PERSON_WAIT_MS ||
      (this.overload > 0 && res.status === 503 && res.text.includes('PORTAL_BUSY'))
    ) {
      expectFramePage(world, res, label, { status: 503, code: 'PORTAL_BUSY', origin });
      await step.end(model, { writes: [], oauthCalls: 1, portalCall: ownProfile });
      // The refusals it did not meet are other apps' load that passed meanwhile.
      world.bitrix.overload(pm.portal, 0);
      return;
    }
    if (!profileAnswered || !user.active) {
      const [status, code]: [number, ErrorCode] = profileAnswered
        ? [403, 'USER_INACTIVE']
        : [503, 'PORTAL_UNAVAILABLE'];
      expectFramePage(world, res, label, { status, code, origin });
      await step.end(model, { writes: [], oauthCalls: 1, portalCall: ownProfile });
      return;
    }
    // Bitrix24 confirmed the user: a user the mirror does not hold as active is fetched before the decision.
    if (pm.mirrored.get(user.id)?.active !== true) pm.mirrored.set(user.id, user);
    const allowed = mayOpen(
      pm.policy,
      { userId: user.id, isAdmin: user.admin },
      heldCodes(user.id, pm.mirrored.get(user.id)),
    );
    // Bitrix24's word on the opener's admin status is remembered either way (none when it gave none).
    if (user.admin === true) pm.admins.add(String(user.id));
    if (user.admin === false) pm.notAdmins.add(String(user.id));
    if (allowed) {
      expectFramePage(world, res, label, { status: 200, origin });
      this.#keepSession(world, model, pm, res.text);
    } else {
      expectFramePage(world, res, label, { status: 403, code: 'APP_ACCESS_DENIED', origin });
    }
    await step.end(model, {
      writes: [this.params.portal],
      // Last opened, an admin's standby connection; the admins Keycard has seen; the opener's mirrored record.
      kinds: ['installation', 'admins', 'directory'],
      oauthCalls: 1,
      portalCall: (call) => ownProfile(call) || callTo(origin, pm.connection.accessToken, ['user.get'])(call),
    });
  }

  #keepSession(world: FuzzWorld, model: Model, pm: PortalModel, html: string): void {
    const session = sessionOfPage(html);
    const user = companyUser(this.params.userId);
    expect(session, this.toString()).toMatchObject({
      memberId: pm.portal.memberId,
      userId: String(user.id),
      isAdmin: user.admin,
    });
    model.secrets.add(secret(session.token));
    model.sessions.push({
      token: session.token,
      portal: pm.key,
      userId: user.id,
      isAdmin: user.admin,
      expiresAt: (Math.floor(world.clock.now() / 1000) + SESSION_TTL_MS / 1000) * 1000,
    });
  }
}

/** Which application token an installer POST carries. */
export type InstallerAppToken = 'current' | 'new' | 'none';

/** The installer frame is opened again: POST /install. Only a verified portal admin's reinstall changes anything. */
export class InstallCommand implements fc.AsyncCommand<Model, FuzzWorld> {
  constructor(
    readonly params: FrameParams,
    readonly applicationToken: InstallerAppToken,
    readonly options: { onlyUninstalled: boolean } = { onlyUninstalled: false },
  ) {}

  check(model: Readonly<Model>): boolean {
    return !this.options.onlyUninstalled || model.portals[this.params.portal].record !== 'active';
  }

  toString(): string {
    return `install(${JSON.stringify(this.params)}, application token ${this.applicationToken})`;
  }

  async run(model: Model, world: FuzzWorld): Promise<void> {
    const label = this.toString();
    const step = await beginStep(world, label);
    const pm = model.portals[this.params.portal];
    const applicationToken = {
      current: pm.applicationToken,
      new: secret(`apptoken-${randomBytes(12).toString('base64url')}`),
      none: undefined,
    }[this.applicationToken];
    if (applicationToken !== undefined) model.secrets.add(applicationToken);
    const user = companyUser(this.params.userId);
    const { token, server, refresh } = this.params;
    // An admin installs Keycard again on a portal it was removed from: Bitrix24 installs it, then opens the installer.
    const reinstall = pm.record !== 'active' && token === 'genuine' && refresh && user.active && user.admin === true;
    if (reinstall && (server === 'unnamed' || server === 'own')) world.bitrix.restore(pm.portal);
    const { issued, request } = frameRequest(world, this.params, '/install', applicationToken);
    const waitBeforeMs = personWaitMs(world, pm.portal.memberId);
    const res = await world.send(request);
    const own = /"session":"([^"]+)"/.exec(res.text)?.[1];
    expectNoSecrets(world, model, res, label, own);
    const early: [number, ErrorCode] | undefined =
      this.params.token === 'malformed'
        ? [400, 'BAD_REQUEST']
        : !this.params.refresh
          ? [400, 'REFRESH_TOKEN_MISSING']
          : undefined;
    const refusal = early === undefined ? verificationRefusal(world, this.params) : undefined;
    if (early !== undefined || refusal !== undefined || issued === undefined) {
      const [status, code] = early ?? [refusal?.status ?? 500, refusal?.code ?? 'INTERNAL'];
      expectFramePage(world, res, label, { status, code, origin: undefined });
      await step.end(model, { writes: [], oauthCalls: refusal?.oauthCalls ?? 0 });
      return;
    }
    const installer = issued.accessToken;
    // The installing admin waits at most 5 s for the portal's budget (still backed off by earlier 503s).
    if (waitBeforeMs > PERSON_WAIT_MS) {
      expectFramePage(world, res, label, { status: 503, code: 'PORTAL_BUSY', origin: undefined });
      await step.end(model, { writes: [], oauthCalls: 1 });
      return;
    }
    if (!user.active || user.admin !== true) {
      const code = user.active ? 'INSTALL_NEEDS_ADMIN' : 'USER_INACTIVE';
      expectFramePage(world, res, label, { status: 403, code, origin: undefined });
      await step.end(model, {
        writes: [],
        oauthCalls: 1,
        portalCall: callTo(pm.portal.origin, installer, ['profile']),
      });
      return;
    }
    // A verified admin (re-)ran the installer: their tokens become the connection; the application token is the
    // one posted, or the one kept by an installation still in use (a reinstall brings its own with ONAPPINSTALL).
    expectFramePage(world, res, label, { status: 200, origin: pm.portal.origin });
    if (own !== undefined) model.secrets.add(secret(own));
    pm.connection = issued;
    adoptApplicationToken(pm, applicationToken ?? (pm.record === 'active' ? pm.applicationToken : undefined));
    // A reinstall stores the fresh default over a default nobody saved over; re-running the installer of a portal
    // in use touches no setting.
    const storedDefaults = pm.record !== 'active' && (await installDefaults(world, pm, label));
    pm.record = 'active';
    pm.admins.add(String(user.id));
    await step.end(model, {
      writes: [this.params.portal],
      kinds: storedDefaults ? ['installation', 'admins', 'policy'] : ['installation', 'admins'],
      oauthCalls: 1,
      portalCall: callTo(pm.portal.origin, installer, [
        'profile',
        'event.get',
        'event.bind',
        'placement.get',
        'placement.bind',
        'app.info',
      ]),
    });
  }
}

export const openAppCommand = fc
  .record({
    params: frameParams,
    overload: fc.oneof({ weight: 8, arbitrary: fc.constant(0) }, fc.constantFrom(1, 2, 3)),
  })
  .map(({ params, overload }) => new OpenAppCommand(params, overload));

/** An admin installs Keycard again on a portal it was removed from (kept apart so it happens often enough). */
export const reinstallCommand = fc
  .record({
    portal: portalKey,
    userId: fc.constantFrom(1, 2),
    server: fc.constantFrom<ServerChoice>('unnamed', 'own'),
    applicationToken: fc.constantFrom<InstallerAppToken>('new', 'none'),
  })
  .map(
    ({ portal, userId, server, applicationToken }) =>
      new InstallCommand({ portal, userId, token: 'genuine', server, domain: 'own', refresh: true }, applicationToken, {
        onlyUninstalled: true,
      }),
  );

export const installCommand = fc
  .record({ params: frameParams, applicationToken: fc.constantFrom<InstallerAppToken>('current', 'new', 'none') })
  .map(({ params, applicationToken }) => new InstallCommand(params, applicationToken));
