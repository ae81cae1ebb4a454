import type { CompanyUser } from './company.js';
import type { Directory } from './directory.js';

/**
 * Bitrix24 access codes as `$USER->CanAccess()` evaluates them: `U{id}`, `D{id}` (direct member),
 * `DR{id}` (member of the department or any sub-department), `AU` (any authorized user), `G2` (everyone),
 * `SG{id}` / `SG{id}_A|_E|_K` (workgroup owner / moderators / members).
 * @see https://apidocs.bitrix24.com/api-reference/common/system/access-name.html
 */
export function userHasCode(directory: Directory, user: CompanyUser, code: string): boolean {
  if (code === 'AU' || code === 'G2') return true;
  const match = /^(U|IU|D|DR|SG)(\d+)(?:_([AEK]))?$/.exec(code);
  if (match === null) return false;
  const kind = match[1];
  const id = Number(match[2]);
  switch (kind) {
    case 'U':
    case 'IU':
      return user.id === id;
    case 'D':
      return user.departments.includes(id);
    case 'DR':
      return user.departments.some((department) => directory.selfAndAncestors(department).includes(id));
    case 'SG': {
      const role = directory.groupsOf(user.id).get(id);
      if (role === undefined) return false;
      const wanted = match[3] ?? 'K';
      // Owners count as moderators and members, moderators as members.
      return wanted === 'K' || (wanted === 'E' && role !== 'K') || (wanted === 'A' && role === 'A');
    }
    default:
      return false;
  }
}

export function userHasAnyCode(directory: Directory, user: CompanyUser, codes: readonly string[]): boolean {
  return codes.some((code) => userHasCode(directory, user, code));
}

/** One entry of `access.name`. */
export interface AccessName {
  name: string;
  provider: string;
  provider_id: string;
}

/** Name of an access code as `access.name` reports it, or undefined for codes that do not exist. */
export function accessName(directory: Directory, code: string): AccessName | undefined {
  if (code === 'AU') return { name: 'All authorized users', provider: '', provider_id: 'other' };
  if (code === 'G2') return { name: 'All visitors', provider: '', provider_id: 'other' };
  const match = /^(U|IU|D|DR|SG)(\d+)(?:_([AEK]))?$/.exec(code);
  if (match === null) return undefined;
  const id = Number(match[2]);
  switch (match[1]) {
    case 'U':
    case 'IU': {
      const user = directory.user(id);
      return (
        user && {
          name: directory.fullName(user),
          provider: 'Users',
          provider_id: match[1] === 'U' ? 'user' : 'intranet',
        }
      );
    }
    case 'D':
    case 'DR': {
      const department = directory.department(id);
      if (department === undefined) return undefined;
      const name = match[1] === 'DR' ? `${department.name} (with subdepartments)` : department.name;
      return { name, provider: 'Departments', provider_id: 'intranet' };
    }
    case 'SG': {
      const group = directory.group(id);
      if (group === undefined) return undefined;
      const role = match[3];
      const suffix = role === 'A' ? ': owner' : role === 'E' ? ': moderators' : role === 'K' ? ': all members' : '';
      return { name: `${group.name}${suffix}`, provider: 'Workgroups and projects', provider_id: 'socnetgroup' };
    }
    default:
      return undefined;
  }
}
