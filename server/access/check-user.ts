import { NotFoundError } from '../errors.js';
import type { Lang } from '../manifest.js';
import { userView, type UserView } from '../directory/queries.js';
import { subjectOf, type AccessContext } from './access-service.js';
import type { AppAdmins } from './app-admins.js';
import { codeNames, type CodeName } from './code-names.js';
import { effectiveAccess, type EffectiveAccess } from './explain.js';

/** What "check a user" answers: the user, what Keycard knows of their admin status, their codes and access. */
export interface UserCheck {
  user: UserView;
  adminStatus: 'admin' | 'notAdmin' | 'unknown';
  codes: readonly string[];
  access: EffectiveAccess;
  names: Record<string, CodeName>;
}

/** Who asks: the session of an access manager. */
export interface Asker {
  userId: string;
  isAdmin: boolean | null;
  lang: Lang;
}

/**
 * The admin's "check a user": one user's effective level per feature with the rules behind it, on the
 * policy and mirror of `context`. Keycard learns admin status only when someone opens the app (Bitrix24's REST
 * answers it only for the caller), so a user it has never seen open the app is "unknown" — and explained as not
 * an admin; one Bitrix24 said is or is not an admin is that.
 */
export async function checkUser(
  deps: { appAdmins: Pick<AppAdmins, 'status'> },
  memberId: string,
  context: AccessContext,
  asker: Asker,
  userId: number,
): Promise<UserCheck> {
  const { index, snapshot } = context;
  const user = snapshot.users.get(userId);
  if (user === undefined)
    throw new NotFoundError(
      'USER_NOT_FOUND',
      'There is no such user in the directory. Refresh the directory if they joined recently.',
    );
  const adminStatus =
    String(user.id) === asker.userId ? ownStatus(asker.isAdmin) : await seenStatus(deps, memberId, user.id);
  const subject = subjectOf(snapshot, { id: user.id, isAdmin: adminStatus === 'admin' });
  const access = effectiveAccess(index, subject);
  const cited = new Set<string>(subject.codes);
  for (const rule of [
    ...access.open.reasons,
    ...access.features.flatMap((feature) => [...feature.denied, ...feature.levels.flatMap((level) => level.reasons)]),
  ]) {
    if ('code' in rule) cited.add(rule.code);
  }
  return {
    user: userView(snapshot, user),
    adminStatus,
    codes: subject.codes,
    access,
    names: codeNames(snapshot, cited, asker.lang),
  };
}

function ownStatus(isAdmin: boolean | null): UserCheck['adminStatus'] {
  return isAdmin === null ? 'unknown' : isAdmin ? 'admin' : 'notAdmin';
}

/** What Bitrix24 last said of the user; a failed read only makes the answer "unknown". */
async function seenStatus(
  deps: { appAdmins: Pick<AppAdmins, 'status'> },
  memberId: string,
  userId: number,
): Promise<UserCheck['adminStatus']> {
  return deps.appAdmins.status(memberId, String(userId)).catch((): UserCheck['adminStatus'] => 'unknown');
}
