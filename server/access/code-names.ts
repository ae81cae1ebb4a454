import { fullName } from '../directory/queries.js';
import type { DirectorySnapshot } from '../directory/snapshot.js';
import type { Lang } from '../manifest.js';

/** What an access code stands for, for people: the UI and the audit log show these instead of `DR12`. */
export interface CodeName {
  title: string;
  kind: 'user' | 'department' | 'departmentTree' | 'group' | 'allUsers' | 'unknown';
  /** Workgroup codes only: owner (A), moderators (E), members (K); absent = every member. */
  groupRole?: 'A' | 'E' | 'K';
}

const ALL_USERS: Record<Lang, string> = { en: 'All authorized users', ru: 'Все авторизованные пользователи' };

/** The name of one access code from the mirror; codes naming nothing mirrored come back as `unknown`. */
export function codeName(snapshot: DirectorySnapshot, code: string, lang: Lang): CodeName {
  if (code === 'AU') return { title: ALL_USERS[lang], kind: 'allUsers' };
  const match = /^(U|DR|D|SG)(\d+)(?:_([AEK]))?$/.exec(code);
  const id = Number(match?.[2]);
  switch (match?.[1]) {
    case 'U': {
      const user = snapshot.users.get(id);
      return user === undefined ? { title: code, kind: 'unknown' } : { title: fullName(user), kind: 'user' };
    }
    case 'D':
    case 'DR': {
      const department = snapshot.departments.get(id);
      if (department === undefined) return { title: code, kind: 'unknown' };
      return { title: department.name, kind: match[1] === 'D' ? 'department' : 'departmentTree' };
    }
    case 'SG': {
      const group = snapshot.groups.get(id);
      if (group === undefined) return { title: code, kind: 'unknown' };
      const role = match[3];
      return role === 'A' || role === 'E' || role === 'K'
        ? { title: group.name, kind: 'group', groupRole: role }
        : { title: group.name, kind: 'group' };
    }
    default:
      return { title: code, kind: 'unknown' };
  }
}

/** Names of every code in `codes`. */
export function codeNames(snapshot: DirectorySnapshot, codes: Iterable<string>, lang: Lang): Record<string, CodeName> {
  const names: Record<string, CodeName> = {};
  for (const code of codes) names[code] ??= codeName(snapshot, code, lang);
  return names;
}
