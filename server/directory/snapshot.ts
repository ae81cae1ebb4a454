import type { WorkgroupAvailability } from './directory-documents.js';
import type { DirectoryDepartment, DirectoryGroup, DirectoryUser, GroupMembers, GroupRole } from './records.js';

/**
 * The in-memory directory of one portal: a complete generation plus the incremental updates made since it
 * started. Immutable once built; a change builds a new one. Queries over it live in `queries.ts`.
 */
export interface DirectorySnapshot {
  memberId: string;
  /** Null before the first complete sync. */
  generation: number | null;
  /** When the generation was completed (ms), null before the first sync. */
  refreshedAt: number | null;
  workgroups: WorkgroupAvailability;
  users: ReadonlyMap<number, DirectoryUser>;
  departments: ReadonlyMap<number, DirectoryDepartment>;
  /** Children of each department in display order (SORT, then name, then ID). */
  children: ReadonlyMap<number, readonly number[]>;
  /** Departments without a (known) parent, in display order. */
  roots: readonly number[];
  groups: ReadonlyMap<number, DirectoryGroup>;
  /** Per user: the departments they head (`UF_HEAD`); a head holds those departments' codes like a member. */
  headOf: ReadonlyMap<number, readonly number[]>;
  /** Per user: the workgroups they belong to and their strongest role in each (A > E > K). */
  groupRoles: ReadonlyMap<number, ReadonlyMap<number, GroupRole>>;
}

export interface SnapshotInput {
  memberId: string;
  generation: number | null;
  refreshedAt: number | null;
  workgroups: WorkgroupAvailability;
  users: Iterable<DirectoryUser>;
  departments: Iterable<DirectoryDepartment>;
  groups: Iterable<DirectoryGroup>;
  members: Iterable<GroupMembers>;
}

const ROLE_RANK: Record<GroupRole, number> = { A: 3, E: 2, K: 1 };

export function buildSnapshot(input: SnapshotInput): DirectorySnapshot {
  const users = new Map<number, DirectoryUser>();
  for (const user of input.users) users.set(user.id, user);

  const departments = new Map<number, DirectoryDepartment>();
  for (const department of input.departments) departments.set(department.id, department);
  const byDisplayOrder = (a: number, b: number): number => {
    const left = departments.get(a);
    const right = departments.get(b);
    if (left === undefined || right === undefined) return a - b;
    return left.sort - right.sort || (left.name < right.name ? -1 : left.name > right.name ? 1 : 0) || a - b;
  };
  const children = new Map<number, number[]>();
  const roots: number[] = [];
  for (const department of departments.values()) {
    const parent = department.parent;
    if (parent === null || !departments.has(parent)) {
      roots.push(department.id);
      continue;
    }
    const siblings = children.get(parent);
    if (siblings === undefined) children.set(parent, [department.id]);
    else siblings.push(department.id);
  }
  // A parent cycle (A under B under A) is unreachable from any root; its members become roots, so every
  // department still shows up once.
  const reached = new Set<number>();
  const stack = [...roots];
  while (stack.length > 0) {
    const id = stack.pop();
    if (id === undefined || reached.has(id)) continue;
    reached.add(id);
    stack.push(...(children.get(id) ?? []));
  }
  for (const id of departments.keys()) {
    if (reached.has(id)) continue;
    roots.push(id);
    const parent = departments.get(id)?.parent;
    if (parent !== null && parent !== undefined) {
      const siblings = children.get(parent);
      if (siblings !== undefined)
        children.set(
          parent,
          siblings.filter((child) => child !== id),
        );
    }
    const again = [id];
    while (again.length > 0) {
      const next = again.pop();
      if (next === undefined || reached.has(next)) continue;
      reached.add(next);
      again.push(...(children.get(next) ?? []));
    }
  }
  for (const list of children.values()) list.sort(byDisplayOrder);
  roots.sort(byDisplayOrder);

  const headOf = new Map<number, number[]>();
  for (const department of departments.values()) {
    if (department.head === null) continue;
    const headed = headOf.get(department.head);
    if (headed === undefined) headOf.set(department.head, [department.id]);
    else headed.push(department.id);
  }

  const groups = new Map<number, DirectoryGroup>();
  for (const group of input.groups) groups.set(group.id, group);
  const groupRoles = new Map<number, Map<number, GroupRole>>();
  const addRole = (userId: number, groupId: number, role: GroupRole): void => {
    let roles = groupRoles.get(userId);
    if (roles === undefined) {
      roles = new Map();
      groupRoles.set(userId, roles);
    }
    const held = roles.get(groupId);
    if (held === undefined || ROLE_RANK[role] > ROLE_RANK[held]) roles.set(groupId, role);
  };
  for (const entry of input.members) {
    if (!groups.has(entry.groupId)) continue;
    for (const id of entry.owners) addRole(id, entry.groupId, 'A');
    for (const id of entry.moderators) addRole(id, entry.groupId, 'E');
    for (const id of entry.members) addRole(id, entry.groupId, 'K');
  }

  return {
    memberId: input.memberId,
    generation: input.generation,
    refreshedAt: input.refreshedAt,
    workgroups: input.workgroups,
    users,
    departments,
    children,
    roots,
    headOf,
    groups,
    groupRoles,
  };
}

/** The snapshot of a portal that has never been synced. */
export function emptySnapshot(memberId: string, workgroups: WorkgroupAvailability): DirectorySnapshot {
  return buildSnapshot({
    memberId,
    generation: null,
    refreshedAt: null,
    workgroups,
    users: [],
    departments: [],
    groups: [],
    members: [],
  });
}
