import { z } from 'zod';

/** A user as the mirror keeps it: only what access rules, pickers and apps need. */
export interface DirectoryUser {
  id: number;
  /** False for fired (deactivated) users; they stay in the mirror and lose access. */
  active: boolean;
  /** `USER_TYPE`: `employee`, `extranet`, … */
  type: string;
  name: string;
  lastName: string;
  /** Only when the granted scope shows e-mail (`user_basic` or `user`). */
  email: string | null;
  position: string;
  /** Direct departments (`UF_DEPARTMENT`); empty for extranet users. */
  departments: readonly number[];
  photo: string | null;
}

export interface DirectoryDepartment {
  id: number;
  name: string;
  /** Null for a root. */
  parent: number | null;
  /** User ID of the head (`UF_HEAD`). */
  head: number | null;
  sort: number;
}

/** A workgroup's role of a user: owner, moderator, member. @see https://apidocs.bitrix24.com/api-reference/sonet-group/members/sonet-group-user-get.html */
export type GroupRole = 'A' | 'E' | 'K';

export interface DirectoryGroup {
  id: number;
  name: string;
  /** A project rather than a workgroup. */
  project: boolean;
}

/** Members of one workgroup by role. */
export interface GroupMembers {
  groupId: number;
  owners: readonly number[];
  moderators: readonly number[];
  members: readonly number[];
}

/*
 * Stored form: positional tuples, one chunk document per REST batch (≤ 2,500 rows). At 50k users that is
 * about 100 bytes a user instead of the ~1 KB Bitrix24 sends, and field names are not repeated. The type
 * `employee` (nearly everyone) is stored as '' to keep rows short.
 */

const id = z.number().int().positive();
const ids = z.array(id);

const userTuple = z.tuple([
  id,
  z.union([z.literal(0), z.literal(1)]),
  z.string(),
  z.string(),
  z.string(),
  z.string().nullable(),
  z.string(),
  ids,
  z.string().nullable(),
]);
export type UserTuple = z.infer<typeof userTuple>;

const departmentTuple = z.tuple([
  id,
  z.string(),
  z.number().int().nonnegative(),
  z.number().int().nonnegative(),
  z.number(),
]);
export type DepartmentTuple = z.infer<typeof departmentTuple>;

const groupTuple = z.tuple([id, z.string(), z.union([z.literal(0), z.literal(1)])]);
export type GroupTuple = z.infer<typeof groupTuple>;

const membersTuple = z.tuple([id, ids, ids, ids]);
export type MembersTuple = z.infer<typeof membersTuple>;

export const userChunkSchema = z.object({ rows: z.array(userTuple) });
export const departmentChunkSchema = z.object({ rows: z.array(departmentTuple) });
export const groupChunkSchema = z.object({ rows: z.array(groupTuple) });
export const membersChunkSchema = z.object({ rows: z.array(membersTuple) });
export { userTuple as userTupleSchema };

const DEFAULT_TYPE = 'employee';

export function encodeUser(user: DirectoryUser): UserTuple {
  return [
    user.id,
    user.active ? 1 : 0,
    user.type === DEFAULT_TYPE ? '' : user.type,
    user.name,
    user.lastName,
    user.email,
    user.position,
    [...user.departments],
    user.photo,
  ];
}

export function decodeUser([
  userId,
  active,
  type,
  name,
  lastName,
  email,
  position,
  departments,
  photo,
]: UserTuple): DirectoryUser {
  return {
    id: userId,
    active: active === 1,
    type: type === '' ? DEFAULT_TYPE : type,
    name,
    lastName,
    email,
    position,
    departments,
    photo,
  };
}

export function encodeDepartment(department: DirectoryDepartment): DepartmentTuple {
  return [department.id, department.name, department.parent ?? 0, department.head ?? 0, department.sort];
}

export function decodeDepartment([departmentId, name, parent, head, sort]: DepartmentTuple): DirectoryDepartment {
  return { id: departmentId, name, parent: parent === 0 ? null : parent, head: head === 0 ? null : head, sort };
}

export function encodeGroup(group: DirectoryGroup): GroupTuple {
  return [group.id, group.name, group.project ? 1 : 0];
}

export function decodeGroup([groupId, name, project]: GroupTuple): DirectoryGroup {
  return { id: groupId, name, project: project === 1 };
}

export function encodeMembers(members: GroupMembers): MembersTuple {
  return [members.groupId, [...members.owners], [...members.moderators], [...members.members]];
}

export function decodeMembers([groupId, owners, moderators, members]: MembersTuple): GroupMembers {
  return { groupId, owners, moderators, members };
}

/** True when two user records hold the same data (an upsert that changes nothing is not written). */
export function sameUser(a: DirectoryUser, b: DirectoryUser): boolean {
  return (
    a.id === b.id &&
    a.active === b.active &&
    a.type === b.type &&
    a.name === b.name &&
    a.lastName === b.lastName &&
    a.email === b.email &&
    a.position === b.position &&
    a.photo === b.photo &&
    a.departments.length === b.departments.length &&
    a.departments.every((department, index) => b.departments[index] === department)
  );
}
