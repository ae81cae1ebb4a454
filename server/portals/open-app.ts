import type { BackgroundTasks } from '../background.js';
import { unixSeconds, type Clock } from '../clock.js';
import type { Config } from '../config.js';
import { ConflictError, ForbiddenError, NotFoundError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Lang } from '../manifest.js';
import { canOpen, type Subject } from '../access/index.js';
import type { AccessContext, AccessService } from '../access/access-service.js';
import type { AppAdmins } from '../access/app-admins.js';
import { codeName } from '../access/code-names.js';
import type { OAuthServer } from '../bitrix/oauth-server.js';
import type { FrameBody } from '../bitrix/schemas.js';
import type { DirectoryService } from '../directory/directory-service.js';
import type { InstallationRepository } from './installation-repository.js';
import { installationOrigin, type Installation } from './installation-record.js';
import type { PortalClients } from './portal-clients.js';
import { identifyUser, verifyAppToken, type PortalUser } from './verification.js';

/** What opening the app needs. */
export interface OpenAppDeps {
  config: Pick<Config, 'clientId' | 'portalDomains'>;
  clock: Clock;
  logger: Logger;
  oauth: OAuthServer;
  clients: PortalClients;
  installations: InstallationRepository;
  access: AccessService;
  directory: DirectoryService;
  appAdmins: AppAdmins;
  background: BackgroundTasks;
}

/** What `POST /app` renders: the app for a verified user the access settings let in, or a refusal page. */
export type OpenAppOutcome =
  | { opened: true; installation: Installation; user: PortalUser }
  | {
      opened: false;
      error: unknown;
      /** The installation's origin, when one is stored: its own refusal pages are framed by it. */
      frameOrigin: string | undefined;
      /** Lines shown under the refusal (the people to ask for access). */
      lines: string[] | undefined;
    };

/** How many people the access-denied page names. */
const MAX_NAMED = 5;

/** The user may not open the app; `askNames` are the app's admins to ask (portal admins seen, delegates). */
export class AppAccessDeniedError extends ForbiddenError {
  readonly askNames: string[];

  constructor(askNames: string[]) {
    super('APP_ACCESS_DENIED', 'The app’s access settings do not include this user.');
    this.askNames = askNames;
  }
}

/**
 * `POST /app`, the handler URL: load the installation of `member_id`, verify the token and the user with
 * Bitrix24, then decide with Keycard's own access settings. The user is identified with `profile` on the
 * installation's stored endpoint (the request's DOMAIN is never used). Never throws: every failure becomes
 * a refusal outcome, framed by the installation's origin once it is known.
 */
export async function openApp(deps: OpenAppDeps, body: FrameBody, lang: Lang): Promise<OpenAppOutcome> {
  let frameOrigin: string | undefined;
  try {
    const installation = await deps.installations.get(body.member_id);
    // A stored portal's own pages (reinstall needed, blocked…) are framed by its origin too.
    if (installation !== undefined) frameOrigin = installationOrigin(installation);
    assertUsable(installation);
    const user = await verifyOpener(deps, installation, body);
    // Keycard's own access settings, on top of Bitrix24's: a denied user gets a page naming whom to ask.
    await decideOpen(deps, installation, user, lang);
    return { opened: true, installation, user };
  } catch (error: unknown) {
    const lines = error instanceof AppAccessDeniedError ? askLines(error.askNames, lang) : undefined;
    return { opened: false, error, frameOrigin, lines };
  }
}

function assertUsable(installation: Installation | undefined): asserts installation is Installation {
  switch (installation?.state) {
    case 'active':
      return;
    case 'new':
      throw new ConflictError('INSTALL_UNFINISHED', 'The installation is not finished.');
    case 'needs_reinstall':
      throw new ConflictError('NEEDS_REINSTALL', 'The app must be reinstalled on this portal.');
    case 'blocked':
      throw new ForbiddenError('PORTAL_BLOCKED', 'This portal is blocked.');
    default:
      throw new NotFoundError('NOT_INSTALLED', 'The app is not installed on this portal.');
  }
}

/**
 * Two independent checks, both required: the OAuth server says the token is Keycard's and this portal's (a
 * token of another app on the portal must not open Keycard), and `profile` on the stored endpoint says who
 * the user is. The token's own verdict wins when both fail.
 */
async function verifyOpener(deps: OpenAppDeps, installation: Installation, body: FrameBody): Promise<PortalUser> {
  const [issuer, identity] = await Promise.allSettled([
    verifyAppToken(deps, body.AUTH_ID, installation.memberId, installation.clientEndpoint),
    identifyUser(deps.clients, {
      memberId: installation.memberId,
      clientEndpoint: installation.clientEndpoint,
      accessToken: body.AUTH_ID,
      expiresAt: unixSeconds(deps.clock) + body.AUTH_EXPIRES,
    }),
  ]);
  if (issuer.status === 'rejected') throw issuer.reason;
  if (identity.status === 'rejected') throw identity.reason;
  return identity.value;
}

/**
 * The decision, after Bitrix24 confirmed who the user is. Bitrix24 answered for them just now, so they are
 * active; if the mirror does not know them (joined since the last sync) or still has them as fired, they
 * are fetched first so their departments count. Otherwise the mirror decides and the user's record is
 * refreshed after the response (Bitrix24 sends no event when a user moves or leaves).
 */
async function decideOpen(deps: OpenAppDeps, installation: Installation, user: PortalUser, lang: Lang): Promise<void> {
  const { memberId } = installation;
  const id = Number(user.id);
  const load = () => deps.access.context(memberId, lang, { id, isAdmin: user.isAdmin });
  let context = await load();
  let subject: Subject = context.subject;
  if (context.snapshot.users.get(id)?.active !== true) {
    try {
      await deps.directory.refreshUser(memberId, id);
      context = await load();
      subject = context.subject;
    } catch (error: unknown) {
      deps.logger.warn({ err: error, memberId }, 'could not fetch the opening user; deciding on their own code only');
    }
    // Whatever the mirror says, Bitrix24 has just let this user in: they are active.
    if (!subject.active) subject = { ...subject, active: true, codes: [`U${id}`, 'AU'] };
  } else {
    deps.directory.refreshOpener(memberId, id);
  }
  if (user.isAdmin === true) deps.background.run('remember app admin', () => deps.appAdmins.record(memberId, user));
  else if (user.isAdmin === false)
    deps.background.run('forget former admin', () => deps.appAdmins.forget(memberId, user.id));

  if (!canOpen(context.index, subject).allowed)
    throw new AppAccessDeniedError(await whomToAsk(deps, memberId, context, lang));
}

/** Names of the app's admins: portal admins Keycard has seen, then users delegated access.manage. */
async function whomToAsk(deps: OpenAppDeps, memberId: string, context: AccessContext, lang: Lang): Promise<string[]> {
  const names = new Set<string>();
  try {
    for (const admin of await deps.appAdmins.list(memberId)) names.add(admin.name);
  } catch (error: unknown) {
    deps.logger.warn({ err: error, memberId }, 'could not read the app admins for the access-denied page');
  }
  for (const code of context.stored.policy.delegates) {
    const name = codeName(context.snapshot, code, lang);
    if (name.kind === 'user') names.add(name.title);
  }
  return [...names].slice(0, MAX_NAMED);
}

/** The access-denied page's list of people to ask; Bitrix24's admin when Keycard knows nobody yet. */
function askLines(names: string[], lang: Lang): string[] {
  if (names.length > 0) return names;
  return [lang === 'ru' ? 'Администратор вашего Битрикс24' : 'Your Bitrix24 administrator'];
}
