import type { DirectoryUser } from './records.js';
import type { DirectorySnapshot } from './snapshot.js';
import { selfAndAncestors } from './user-codes.js';

/*
 * Pure questions asked of a snapshot. Derived indexes (sort order, search text, tree counts) are computed
 * on first use and cached per snapshot object, so a snapshot costs nothing until it is queried and a new
 * generation simply brings a new cache.
 */

/** Folds text for search: case, accents and diacritics (é → e, ё → е, й → и) do not matter. */
export function fold(text: string): string {
  return text.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
}

export function fullName(user: Pick<DirectoryUser, 'name' | 'lastName'>): string {
  return `${user.name} ${user.lastName}`.trim();
}

/** One department of the tree the API returns. */
export interface DepartmentNode {
  id: number;
  name: string;
  sort: number;
  /** `active` is false for a head who has been fired (Bitrix24 keeps them as UF_HEAD until someone is named). */
  head: { id: number; name: string; active: boolean } | null;
  /** Active users directly in the department. */
  members: number;
  /** Active users in the department or any sub-department, each counted once. */
  membersWithSubdepartments: number;
  children: DepartmentNode[];
}

const trees = new WeakMap<DirectorySnapshot, DepartmentNode[]>();

/** The department tree with heads and active member counts; computed once per snapshot in O(users × depth). */
export function departmentTree(snapshot: DirectorySnapshot): DepartmentNode[] {
  const cached = trees.get(snapshot);
  if (cached !== undefined) return cached;
  const direct = new Map<number, number>();
  const deep = new Map<number, number>();
  for (const user of snapshot.users.values()) {
    if (!user.active) continue;
    const reached = new Set<number>();
    for (const department of user.departments) {
      if (!snapshot.departments.has(department)) continue;
      direct.set(department, (direct.get(department) ?? 0) + 1);
      for (const id of selfAndAncestors(snapshot, department)) reached.add(id);
    }
    for (const id of reached) deep.set(id, (deep.get(id) ?? 0) + 1);
  }
  const node = (id: number): DepartmentNode | undefined => {
    const department = snapshot.departments.get(id);
    if (department === undefined) return undefined;
    const head = department.head === null ? undefined : snapshot.users.get(department.head);
    return {
      id,
      name: department.name,
      sort: department.sort,
      head:
        department.head === null
          ? null
          : { id: department.head, name: head === undefined ? '' : fullName(head), active: head?.active ?? false },
      members: direct.get(id) ?? 0,
      membersWithSubdepartments: deep.get(id) ?? 0,
      children: (snapshot.children.get(id) ?? [])
        .map(node)
        .filter((child): child is DepartmentNode => child !== undefined),
    };
  };
  const tree = snapshot.roots.map(node).filter((root): root is DepartmentNode => root !== undefined);
  trees.set(snapshot, tree);
  return tree;
}

/** A user as the API returns it. */
export interface UserView {
  id: number;
  name: string;
  lastName: string;
  fullName: string;
  email: string | null;
  position: string;
  type: string;
  active: boolean;
  photo: string | null;
  departments: { id: number; name: string }[];
}

export function userView(snapshot: DirectorySnapshot, user: DirectoryUser): UserView {
  return {
    id: user.id,
    name: user.name,
    lastName: user.lastName,
    fullName: fullName(user),
    email: user.email,
    position: user.position,
    type: user.type,
    active: user.active,
    photo: user.photo,
    departments: user.departments.map((id) => ({ id, name: snapshot.departments.get(id)?.name ?? '' })),
  };
}

/** Filters of a user listing. */
export interface UserQuery {
  /** Words that must all appear in the name, last name, e-mail or position (folded). */
  q?: string;
  department?: number;
  /** With `department`: also users of its sub-departments. */
  subdepartments?: boolean;
  /** `true` active only (default), `false` fired only, `all` both. */
  active?: boolean | 'all';
  /** Opaque cursor from a previous page. */
  cursor?: string;
  limit: number;
}

export interface UserPage {
  total: number;
  nextCursor: string | null;
  users: DirectoryUser[];
}

interface Listing {
  /** Users in display order: last name, name (folded), ID. */
  order: DirectoryUser[];
  sortKeys: Map<number, [string, string]>;
  haystacks: Map<number, string>;
}

const listings = new WeakMap<DirectorySnapshot, Listing>();

function listing(snapshot: DirectorySnapshot): Listing {
  const cached = listings.get(snapshot);
  if (cached !== undefined) return cached;
  const sortKeys = new Map<number, [string, string]>();
  const haystacks = new Map<number, string>();
  for (const user of snapshot.users.values()) {
    sortKeys.set(user.id, [fold(user.lastName), fold(user.name)]);
    haystacks.set(user.id, fold(`${user.name} ${user.lastName} ${user.email ?? ''} ${user.position}`));
  }
  const order = [...snapshot.users.values()].sort((a, b) => compareKeys(keyOf(sortKeys, a), keyOf(sortKeys, b)));
  const built = { order, sortKeys, haystacks };
  listings.set(snapshot, built);
  return built;
}

type SortKey = [string, string, number];

function keyOf(sortKeys: Map<number, [string, string]>, user: DirectoryUser): SortKey {
  const [lastName, name] = sortKeys.get(user.id) ?? ['', ''];
  return [lastName, name, user.id];
}

function compareKeys(a: SortKey, b: SortKey): number {
  if (a[0] !== b[0]) return a[0] < b[0] ? -1 : 1;
  if (a[1] !== b[1]) return a[1] < b[1] ? -1 : 1;
  return a[2] - b[2];
}

/** The cursor is the sort key of the last user of a page: stable while users come and go between pages. */
export function encodeCursor(key: SortKey): string {
  return Buffer.from(JSON.stringify(key), 'utf8').toString('base64url');
}

/** Decodes a cursor; undefined when it is not one of ours. */
export function decodeCursor(cursor: string): SortKey | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (!Array.isArray(value) || value.length !== 3) return undefined;
    const [lastName, name, id]: unknown[] = value;
    if (typeof lastName !== 'string' || typeof name !== 'string' || typeof id !== 'number' || !Number.isInteger(id))
      return undefined;
    return [lastName, name, id];
  } catch {
    return undefined;
  }
}

/**
 * Departments whose users a `department` filter selects: the department, and with sub-departments its whole subtree.
 */
function departmentScope(snapshot: DirectorySnapshot, department: number, subdepartments: boolean): Set<number> {
  const scope = new Set<number>([department]);
  if (!subdepartments) return scope;
  const stack = [department];
  while (stack.length > 0) {
    const id = stack.pop();
    if (id === undefined) continue;
    for (const child of snapshot.children.get(id) ?? []) {
      if (scope.has(child)) continue;
      scope.add(child);
      stack.push(child);
    }
  }
  return scope;
}

/**
 * Lists users by last name then name, filtered by search words, department (with or without
 * sub-departments) and activity, one page after `cursor`. `total` counts every match. An invalid cursor
 * throws a RangeError (the route turns it into a 400).
 */
export function listUsers(snapshot: DirectorySnapshot, query: UserQuery): UserPage {
  const { order, sortKeys, haystacks } = listing(snapshot);
  const words = fold(query.q ?? '')
    .split(/\s+/)
    .filter((word) => word !== '');
  const scope =
    query.department === undefined
      ? undefined
      : departmentScope(snapshot, query.department, query.subdepartments ?? false);
  const active = query.active ?? true;
  let after: SortKey | undefined;
  if (query.cursor !== undefined) {
    after = decodeCursor(query.cursor);
    if (after === undefined) throw new RangeError('cursor');
  }

  const matches = (user: DirectoryUser): boolean => {
    if (active !== 'all' && user.active !== active) return false;
    if (scope !== undefined && !user.departments.some((department) => scope.has(department))) return false;
    if (words.length > 0) {
      const haystack = haystacks.get(user.id) ?? '';
      if (!words.every((word) => haystack.includes(word))) return false;
    }
    return true;
  };

  // First position after the cursor: binary search over the sort order.
  let from = 0;
  if (after !== undefined) {
    let high = order.length;
    while (from < high) {
      const mid = (from + high) >>> 1;
      const user = order[mid];
      if (user !== undefined && compareKeys(keyOf(sortKeys, user), after) <= 0) from = mid + 1;
      else high = mid;
    }
  }

  let total = 0;
  const page: DirectoryUser[] = [];
  let more = false;
  order.forEach((user, index) => {
    if (!matches(user)) return;
    total++;
    if (index < from) return;
    if (page.length < query.limit) page.push(user);
    else more = true;
  });
  const last = page[page.length - 1];
  return { total, nextCursor: more && last !== undefined ? encodeCursor(keyOf(sortKeys, last)) : null, users: page };
}
