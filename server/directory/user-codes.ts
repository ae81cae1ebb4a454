import type { GroupRole } from './records.js';
import type { DirectorySnapshot } from './snapshot.js';

/** Deeper than any real structure; a guard against parent cycles in bad data. */
const MAX_DEPTH = 64;

/**
 * The parents of a department, nearest first, up to the root (the department itself excluded): O(depth).
 * Unknown departments have none.
 */
export function ancestors(snapshot: Pick<DirectorySnapshot, 'departments'>, departmentId: number): number[] {
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

/*
 * The codes a department or a workgroup role gives are the same for everyone holding it, so they are made once
 * per department map and workgroup map (both immutable, and shared by the snapshots an overlay derives from one
 * generation): a user's codes are then a few array copies instead of a walk up the tree and string building.
 */

type DepartmentMap = DirectorySnapshot['departments'];
type GroupMap = DirectorySnapshot['groups'];

/** Per department: `D{id}`, `DR{id}`, then `DR` of every department above it, nearest first. */
const departmentTables = new WeakMap<DepartmentMap, ReadonlyMap<number, readonly string[]>>();

function departmentTable(departments: DepartmentMap): ReadonlyMap<number, readonly string[]> {
  let table = departmentTables.get(departments);
  if (table === undefined) {
    const built = new Map<number, readonly string[]>();
    for (const id of departments.keys())
      built.set(id, [`D${id}`, `DR${id}`, ...ancestors({ departments }, id).map((above) => `DR${above}`)]);
    departmentTables.set(departments, (table = built));
  }
  return table;
}

/** Per workgroup and role: `SG{id}_K` for members, `_E` too for moderators, `_A` too for the owner. */
const groupTables = new WeakMap<GroupMap, ReadonlyMap<number, Readonly<Record<GroupRole, readonly string[]>>>>();

function groupCodes(groups: GroupMap, groupId: number, role: GroupRole): readonly string[] {
  let table = groupTables.get(groups);
  if (table === undefined) {
    const built = new Map<number, Record<GroupRole, readonly string[]>>();
    for (const id of groups.keys()) built.set(id, roleCodes(id));
    groupTables.set(groups, (table = built));
  }
  // Roles are kept only for known workgroups; the fallback keeps the answer right if that ever changes.
  return (table.get(groupId) ?? roleCodes(groupId))[role];
}

function roleCodes(id: number): Record<GroupRole, readonly string[]> {
  const [member, moderator, owner] = [`SG${id}_K`, `SG${id}_E`, `SG${id}_A`];
  return { K: [member], E: [member, moderator], A: [member, moderator, owner] };
}

/**
 * The Bitrix24 access codes a user holds, as `$USER->CanAccess()` would see them (module source intranet
 * `CIntranetAuthProvider::UpdateCodes`, socialnetwork `CSocNetGroupAuthProvider`): `U{id}`; `IU{id}` for an
 * intranet user (one with a department); `D{id}` for each department they are in **or head**, `DR{id}` for
 * each of those and every department above it; `SG{id}_K` for every workgroup, `SG{id}_E` for moderators and
 * owners, `SG{id}_A` for owners (never a plain `SG{id}`); and `AU`. Each code once, in that order. O(codes) per
 * user once the snapshot's department and workgroup codes are made (O(departments × depth), once).
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
  const codes = [`U${user.id}`];
  if (user.departments.length > 0) codes.push(`IU${user.id}`);
  const headed = snapshot.headOf.get(user.id);
  if (user.departments.length > 0 || headed !== undefined) {
    const table = departmentTable(snapshot.departments);
    // One department's codes never repeat; several may share ancestors, and each code counts once.
    const alone = headed === undefined && user.departments.length === 1;
    const first = codes.length;
    for (const department of headed === undefined ? user.departments : [...user.departments, ...headed]) {
      // A department missing from the mirror (created after the last sync) still counts for itself.
      const own = table.get(department) ?? [`D${department}`, `DR${department}`];
      for (const code of own) if (alone || !codes.includes(code, first)) codes.push(code);
    }
  }
  const groups = snapshot.groupRoles.get(user.id);
  if (groups !== undefined)
    for (const [groupId, role] of groups)
      for (const code of groupCodes(snapshot.groups, groupId, role)) codes.push(code);
  codes.push('AU');
  return codes;
}
