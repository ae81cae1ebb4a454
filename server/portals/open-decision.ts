import type { BackgroundTasks } from '../background.js';
import { ForbiddenError } from '../errors.js';
import type { Logger } from '../logger.js';
import type { Lang } from '../manifest.js';
import { canOpen, evaluate, verifiedActive, type Subject } from '../access/index.js';
import type { AccessContext, AccessService } from '../access/access-service.js';
import type { AppAdmins } from '../access/app-admins.js';
import { codeName } from '../access/code-names.js';
import type { DirectoryService } from '../directory/directory-service.js';
import type { Installation } from './installation-record.js';
import type { PortalUser } from './verification.js';

/** What deciding on an opener needs. */
export interface DecisionDeps {
  logger: Logger;
  access: AccessService;
  directory: Pick<DirectoryService, 'refreshUser' | 'refreshOpener'>;
  appAdmins: AppAdmins;
  background: BackgroundTasks;
}

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
 * The decision, after Bitrix24 confirmed who the user is. Bitrix24 answered for them just now, so they are
 * active; if the mirror does not know them (joined since the last sync) or still has them as fired, they
 * are fetched first so their departments count. Otherwise the mirror decides and the user's record is
 * refreshed after the response (Bitrix24 sends no event when a user moves or leaves).
 */
export async function decideOpen(
  deps: DecisionDeps,
  installation: Installation,
  user: PortalUser,
  lang: Lang,
): Promise<{ context: AccessContext; subject: Subject }> {
  const { memberId } = installation;
  const id = Number(user.id);
  const load = () => deps.access.context(memberId, lang, { id, isAdmin: user.isAdmin });
  let context = await load();
  let subject: Subject = context.subject;
  if (context.snapshot.users.get(id)?.active !== true) {
    try {
      await deps.directory.refreshUser(memberId, id, 'interactive');
      context = await load();
      subject = context.subject;
    } catch (error: unknown) {
      deps.logger.warn({ err: error, memberId }, 'could not fetch the opening user; deciding on their own code only');
    }
    // Whatever the mirror says, Bitrix24 has just let this user in: they are active.
    subject = verifiedActive(subject);
  } else {
    deps.directory.refreshOpener(memberId, id);
  }
  if (user.isAdmin === true) deps.background.run('remember app admin', () => deps.appAdmins.record(memberId, user));
  else if (user.isAdmin === false)
    deps.background.run('forget former admin', () => deps.appAdmins.forget(memberId, user.id));

  if (!canOpen(context.index, subject).allowed)
    throw new AppAccessDeniedError(await whomToAsk(deps, memberId, context, lang));
  return { context, subject };
}

/** The feature a placement shows, as the denied page names it. */
export interface PlacementFeature {
  code: string;
  feature: string;
  featureTitle: string;
}

/** The user may open the app but not the feature of the placement it was opened in. */
export class PlacementAccessDeniedError extends AppAccessDeniedError {
  readonly placement: PlacementFeature;

  constructor(askNames: string[], placement: PlacementFeature) {
    super(askNames);
    this.placement = placement;
  }
}

/**
 * Opened in a feature's placement (a workgroup tab, say): the user must also hold that feature, at its lowest level
 * at least — the same evaluate() that guards the feature's API, so the tab never shows what the API would refuse.
 */
export async function decidePlacement(
  deps: DecisionDeps,
  memberId: string,
  decided: { context: AccessContext; subject: Subject },
  placement: PlacementFeature & { level: string },
  lang: Lang,
): Promise<void> {
  const { context, subject } = decided;
  if (evaluate(context.index, subject, { feature: placement.feature, level: placement.level }).allowed) return;
  const { level: _level, ...named } = placement;
  throw new PlacementAccessDeniedError(await whomToAsk(deps, memberId, context, lang), named);
}

/** Names of the app's admins: portal admins Keycard has seen, then users delegated access.manage. */
export async function whomToAsk(
  deps: Pick<DecisionDeps, 'appAdmins' | 'logger'>,
  memberId: string,
  context: Pick<AccessContext, 'stored' | 'snapshot'>,
  lang: Lang,
): Promise<string[]> {
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
export function askLines(names: string[], lang: Lang): string[] {
  if (names.length > 0) return names;
  return [lang === 'ru' ? 'Администратор вашего Битрикс24' : 'Your Bitrix24 administrator'];
}
