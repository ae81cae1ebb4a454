import { canOpen, type Decision, type Subject } from '../access/index.js';
import type { AccessContext } from '../access/access-service.js';
import { codeName } from '../access/code-names.js';
import { ForbiddenError } from '../errors.js';
import type { Lang } from '../manifest.js';
import type { Portal } from '../portals/portal.js';
import type { PortalUser } from '../portals/verification.js';
import type { Services } from '../services.js';
import { orUnavailable } from './store-errors.js';

/** How many people the access-denied page names. */
const MAX_NAMED = 5;

/** A known user's record is refreshed on open at most this often (an employee reopening the app all day costs one `user.get`). */
const REFRESH_EVERY_MS = 10 * 60_000;
/** Per app instance: when each opener was last refreshed. */
const refreshes = new WeakMap<Services, Map<string, number>>();

/** Whether the opener's record is due for a refresh now; remembers that it was. */
function refreshDue(services: Services, memberId: string, userId: number): boolean {
  let lastRefresh = refreshes.get(services);
  if (lastRefresh === undefined) refreshes.set(services, (lastRefresh = new Map()));
  const key = `${memberId}\u0000${userId}`;
  const now = services.clock.now();
  if (now - (lastRefresh.get(key) ?? -Infinity) < REFRESH_EVERY_MS) return false;
  if (lastRefresh.size > 100_000) lastRefresh.clear();
  lastRefresh.set(key, now);
  return true;
}

/** The user may not open the app; `askNames` are the app's admins to ask (portal admins seen, delegates). */
export class AppAccessDeniedError extends ForbiddenError {
  readonly askNames: string[];

  constructor(askNames: string[]) {
    super('APP_ACCESS_DENIED', 'The app’s access settings do not include this user.');
    this.askNames = askNames;
  }
}

function load(services: Services, portal: Portal, user: PortalUser, lang: Lang): Promise<AccessContext> {
  return orUnavailable(services.access.context(portal.memberId, lang, { id: Number(user.id), isAdmin: user.isAdmin }), 'The access settings could not be read.');
}

/**
 * `POST /app`'s decision, after Bitrix24 confirmed who the user is. Bitrix24 answered for them just now,
 * so they are active; if the mirror does not know them (joined since the last sync) or still has them as
 * fired, they are fetched first so their departments count. Otherwise the mirror decides and the user's
 * record is refreshed after the response (Bitrix24 sends no event when a user moves or leaves).
 */
export async function decideOpen(services: Services, portal: Portal, user: PortalUser, lang: Lang): Promise<Decision> {
  const id = Number(user.id);
  let context = await load(services, portal, user, lang);
  let subject: Subject = context.subject;
  if (context.snapshot.users.get(id)?.active !== true) {
    try {
      await services.directory.refreshUser(portal.memberId, id);
      context = await load(services, portal, user, lang);
      subject = context.subject;
    } catch (error: unknown) {
      services.logger.warn({ err: error, memberId: portal.memberId }, 'could not fetch the opening user; deciding on their own code only');
    }
    // Whatever the mirror says, Bitrix24 has just let this user in: they are active.
    if (!subject.active) subject = { ...subject, active: true, codes: [`U${id}`, 'AU'] };
  } else if (refreshDue(services, portal.memberId, id)) {
    services.background.run('refresh opening user', () => services.directory.refreshUser(portal.memberId, id));
  }
  if (user.isAdmin === true) services.background.run('remember app admin', () => services.appAdmins.record(portal.memberId, user));
  else if (user.isAdmin === false) services.background.run('forget former admin', () => services.appAdmins.forget(portal.memberId, user.id));

  const decision = canOpen(context.index, subject);
  if (!decision.allowed) throw new AppAccessDeniedError(await whomToAsk(services, portal, context, lang));
  return decision;
}

/** Names of the app's admins: portal admins Keycard has seen, then users delegated access.manage. */
async function whomToAsk(services: Services, portal: Portal, context: AccessContext, lang: Lang): Promise<string[]> {
  const names = new Set<string>();
  try {
    for (const admin of await services.appAdmins.list(portal.memberId)) names.add(admin.name);
  } catch (error: unknown) {
    services.logger.warn({ err: error, memberId: portal.memberId }, 'could not read the app admins for the access-denied page');
  }
  for (const code of context.stored.policy.delegates) {
    const name = codeName(context.snapshot, code, lang);
    if (name.kind === 'user') names.add(name.title);
  }
  return [...names].slice(0, MAX_NAMED);
}
