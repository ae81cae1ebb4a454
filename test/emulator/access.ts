import type { CompanyUser } from './company.js';
import type { Directory } from './directory.js';

/**
 * The departments whose codes a user holds: those in `UF_DEPARTMENT` plus every department they head (intranet
 * `CIntranetAuthProvider::UpdateCodes`: "+ every active section with UF_HEAD = $USER_ID").
 */
function codeDepartments(directory: Directory, user: CompanyUser): number[] {
  const headed = directory.headedBy(user.id);
  return headed.length === 0 ? user.departments : [...new Set([...user.departments, ...headed])];
}

/** True when `user` heads a department that `target` belongs to, directly or through a sub-department. */
function heads(directory: Directory, user: CompanyUser, target: CompanyUser): boolean {
  const headed = directory.headedBy(user.id);
  if (headed.length === 0) return false;
  return target.departments.some((department) =>
    directory.selfAndAncestors(department).some((id) => headed.includes(id)),
  );
}

/**
 * Whether a user holds an access code, as Bitrix24 computes a user's codes (`$USER->CanAccess()` over the codes
 * written by the auth providers; intranet `CIntranetAuthProvider::UpdateCodes`, socialnetwork
 * `CSocNetGroupAuthProvider`, main `authproviders.php`):
 * - `U{id}`: the user; `AU`: any authorized user; `G2`: everyone;
 * - `D{x}`: a department the user is in or heads; `DR{x}`: such a department or any department above it;
 * - `IU{id}`: the intranet user themselves (only with a department), and every employee of the departments the
 *   user heads, sub-departments included ("if the user is a boss let's add all his subordinates");
 * - `SG{g}_K`: any member of workgroup g, `SG{g}_E`: moderators and the owner, `SG{g}_A`: the owner. Nobody holds a
 *   plain `SG{g}` (the access dialog never returns one: research §9).
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
      return match[3] === undefined && user.id === id;
    case 'IU': {
      if (match[3] !== undefined || codeDepartments(directory, user).length === 0) return false;
      if (user.id === id) return true;
      const target = directory.user(id);
      return target !== undefined && heads(directory, user, target);
    }
    case 'D':
      return match[3] === undefined && codeDepartments(directory, user).includes(id);
    case 'DR':
      return (
        match[3] === undefined &&
        codeDepartments(directory, user).some((department) => directory.selfAndAncestors(department).includes(id))
      );
    case 'SG': {
      const wanted = match[3];
      const role = directory.groupsOf(user.id).get(id);
      if (wanted === undefined || role === undefined) return false;
      // Owners hold _A, _E and _K; moderators _E and _K; members _K.
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
