import type { DirectorySnapshot } from './snapshot.js';

/** Deeper than any real structure; a guard against parent cycles in bad data. */
const MAX_DEPTH = 64;

/**
 * The parents of a department, nearest first, up to the root (the department itself excluded): O(depth).
 * Unknown departments have none.
 */
export function ancestors(snapshot: DirectorySnapshot, departmentId: number): number[] {
  const chain: number[] = [];
  let parent = snapshot.departments.get(departmentId)?.parent ?? null;
  while (parent !== null && chain.length < MAX_DEPTH && parent !== departmentId && !chain.includes(parent)) {
    const department = snapshot.departments.get(parent);
    if (department === undefined) break;
    chain.push(parent);
    parent = department.parent;
  }
  return chain;
}

/** The department and its parents up to the root (what a `DR{id}` code matches). */
export function selfAndAncestors(snapshot: DirectorySnapshot, departmentId: number): number[] {
  return snapshot.departments.has(departmentId) ? [departmentId, ...ancestors(snapshot, departmentId)] : [];
}

/**
 * The Bitrix24 access codes a user holds, as `$USER->CanAccess()` would see them (module source intranet
 * `CIntranetAuthProvider::UpdateCodes`, socialnetwork `CSocNetGroupAuthProvider`): `U{id}`; `IU{id}` for an
 * intranet user (one with a department); `D{id}` for each department they are in **or head**, `DR{id}` for
 * each of those and every department above it; `SG{id}_K` for every workgroup, `SG{id}_E` for moderators and
 * owners, `SG{id}_A` for owners (never a plain `SG{id}`); and `AU`. O(departments × depth + groups) per user.
 *
 * Bitrix24 also gives a head the `IU` code of everyone in the departments they head; Keycard does not: a rule
 * naming a person (`IU5`, as the dialog's structure panel returns them) means that person, as `U5` does.
 *
 * Fired (inactive) users and users not in the mirror hold no codes at all: they never pass a rule.
 * @see https://apidocs.bitrix24.com/api-reference/common/system/access-name.html
 */
export function accessCodes(snapshot: DirectorySnapshot, userId: number): string[] {
  const user = snapshot.users.get(userId);
  if (user === undefined || !user.active) return [];
  const codes = new Set<string>([`U${user.id}`]);
  if (user.departments.length > 0) codes.add(`IU${user.id}`);
  for (const department of [...user.departments, ...(snapshot.headOf.get(user.id) ?? [])]) {
    codes.add(`D${department}`);
    // A department missing from the mirror (created after the last sync) still counts for itself.
    codes.add(`DR${department}`);
    for (const above of ancestors(snapshot, department)) codes.add(`DR${above}`);
  }
  for (const [groupId, role] of snapshot.groupRoles.get(user.id) ?? []) {
    codes.add(`SG${groupId}_K`);
    if (role === 'E' || role === 'A') codes.add(`SG${groupId}_E`);
    if (role === 'A') codes.add(`SG${groupId}_A`);
  }
  codes.add('AU');
  return [...codes];
}
