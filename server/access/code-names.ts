import { parseAccessCode, type CodeKind, type GroupRole } from '../../common/access-codes.js';
import { fullName } from '../directory/queries.js';
import type { DirectorySnapshot } from '../directory/snapshot.js';
import type { Lang } from '../manifest.js';

/** What an access code stands for, for people: the UI and the audit log show these instead of `DR12`. */
export interface CodeName {
  title: string;
  kind: CodeKind;
  /** Workgroup codes only: owner (A), moderators (E), members (K); absent = every member. */
  groupRole?: GroupRole;
}

const ALL_USERS: Record<Lang, string> = { en: 'All authorized users', ru: 'Все авторизованные пользователи' };

/** The name of one access code from the mirror; codes naming nothing mirrored come back as `unknown`. */
export function codeName(snapshot: DirectorySnapshot, code: string, lang: Lang): CodeName {
  const parsed = parseAccessCode(code);
  const unknown: CodeName = { title: code, kind: 'unknown' };
  switch (parsed?.kind) {
    case 'allUsers':
      return { title: ALL_USERS[lang], kind: 'allUsers' };
    case 'user': {
      const user = snapshot.users.get(parsed.id);
      return user === undefined ? unknown : { title: fullName(user), kind: 'user' };
    }
    case 'department':
    case 'departmentTree': {
      const department = snapshot.departments.get(parsed.id);
      return department === undefined ? unknown : { title: department.name, kind: parsed.kind };
    }
    case 'group': {
      const group = snapshot.groups.get(parsed.id);
      if (group === undefined) return unknown;
      return parsed.groupRole === undefined
        ? { title: group.name, kind: 'group' }
        : { title: group.name, kind: 'group', groupRole: parsed.groupRole };
    }
    default:
      return unknown;
  }
}

/** Names of every code in `codes`. */
export function codeNames(snapshot: DirectorySnapshot, codes: Iterable<string>, lang: Lang): Record<string, CodeName> {
  const names: Record<string, CodeName> = {};
  for (const code of codes) names[code] ??= codeName(snapshot, code, lang);
  return names;
}
