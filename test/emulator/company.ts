import { createRng, type Rng } from './random.js';
import {
  FIRST_NAMES_F,
  FIRST_NAMES_M,
  GROUP_NAMES,
  HOSTILE_NAMES,
  LAST_NAMES,
  POSITIONS,
  SUB_DEPARTMENTS,
  TOP_DEPARTMENTS,
  asciiSlug,
} from './company-pools.js';

/** A department of the company structure (`department.get`). Root has no parent. */
export interface Department {
  id: number;
  name: string;
  sort: number;
  parent: number | null;
  /** User ID of the head (`UF_HEAD`), or null when the department has none. */
  head: number | null;
}

export type UserType = 'employee' | 'extranet';

/** One user of the portal, in a compact form; REST shapes are built from it on demand. */
export interface CompanyUser {
  id: number;
  name: string;
  lastName: string;
  secondName: string;
  email: string;
  position: string;
  /** Direct departments (`UF_DEPARTMENT`); empty for extranet users. */
  departments: number[];
  /** False for fired (deactivated) users. */
  active: boolean;
  type: UserType;
  /** Portal administrator (`bitrix24_config`): admins always pass the app access check. */
  admin: boolean;
  gender: 'M' | 'F';
  /** `YYYY-MM-DD` or ''. */
  birthday: string;
  hasPhoto: boolean;
  phoneInner: string;
  /** Milliseconds since the epoch. */
  registeredAt: number;
  updatedAt: number;
  lastLoginAt: number | null;
  online: boolean;
  /** `YYYY-MM-DD` or ''. */
  employmentDate: string;
}

/** A workgroup or project (`sonet_group.get`) with its owner (A), moderators (E) and members (K). */
export interface WorkGroup {
  id: number;
  name: string;
  project: boolean;
  extranet: boolean;
  visible: boolean;
  opened: boolean;
  closed: boolean;
  ownerId: number;
  moderators: number[];
  members: number[];
  createdAt: number;
}

export interface Company {
  name: string;
  /** Sorted by ID. */
  departments: Department[];
  /** Sorted by ID; IDs start at 1 and have small gaps, as on real portals. */
  users: CompanyUser[];
  groups: WorkGroup[];
}

export interface CompanyOptions {
  /** Number of users (default 200). */
  users?: number;
  /** Number of departments (default: about one per 12 users, between 8 and 2,000). */
  departments?: number;
  /** Seed of the deterministic generator (default 1). */
  seed?: number;
}

const DAY = 86_400_000;
/** Fixed reference date so the same seed always gives the same dates. */
const BASE = Date.UTC(2026, 0, 1);
const SPINE_DEPTH = 5;
const MAX_DEPTH = 8;

export function defaultDepartmentCount(users: number): number {
  return Math.min(2000, Math.max(8, Math.round(users / 12)));
}

/**
 * Generates a deterministic company: departments nested at least five levels below the root, heads,
 * about 5% fired users, a few extranet users (no department), a few portal admins (user 1 first), names
 * with non-ASCII and hostile characters, and workgroups. 100k users take well under a second.
 */
export function generateCompany(options: CompanyOptions = {}): Company {
  const userCount = Math.max(1, Math.floor(options.users ?? 200));
  const departmentCount = Math.max(1, Math.floor(options.departments ?? defaultDepartmentCount(userCount)));
  const rng = createRng(options.seed ?? 1);
  const departments = generateDepartments(rng, departmentCount);
  const users = generateUsers(rng, userCount, departments.length);
  assignHeads(rng, departments, users);
  const groups = generateGroups(rng, users);
  return { name: departments[0]?.name ?? 'Company', departments, users, groups };
}

function generateDepartments(rng: Rng, count: number): Department[] {
  const departments: Department[] = [{ id: 1, name: 'Keycard Demo Company', sort: 500, parent: null, head: null }];
  const depth: number[] = [0];
  const names = new Set<string>(['Keycard Demo Company']);
  const uniqueName = (base: string, id: number): string => {
    const name = names.has(base) ? `${base} ${id}` : base;
    names.add(name);
    return name;
  };
  for (let id = 2; id <= count; id++) {
    let parentIndex: number;
    if (id <= SPINE_DEPTH + 1) {
      // A spine guarantees the required depth even for small companies.
      parentIndex = id - 2;
    } else {
      const r = rng.next();
      parentIndex = Math.floor(r * r * departments.length);
      while ((depth[parentIndex] ?? 0) >= MAX_DEPTH - 1) {
        const parent = departments[parentIndex]?.parent ?? 1;
        parentIndex = parent - 1;
      }
    }
    const parentDepth = depth[parentIndex] ?? 0;
    const base =
      parentDepth === 0
        ? (TOP_DEPARTMENTS[(id - 2) % TOP_DEPARTMENTS.length] ?? 'Division')
        : rng.pick(SUB_DEPARTMENTS);
    departments.push({
      id,
      name: uniqueName(base, id),
      sort: rng.chance(0.3) ? rng.int(1, 9) * 100 : 500,
      parent: parentIndex + 1,
      head: null,
    });
    depth.push(parentDepth + 1);
  }
  return departments;
}

/** Picks exactly `wanted` of `eligible` candidates in one pass (Knuth's selection sampling). */
function selector(rng: Rng, wanted: number, eligible: number): () => boolean {
  let selected = 0;
  let seen = 0;
  return () => {
    const take = rng.next() * (eligible - seen) < wanted - selected;
    seen++;
    if (take) selected++;
    return take;
  };
}

function hostileAt(index: number): (typeof HOSTILE_NAMES)[number] | undefined {
  if (index >= 3 && index <= 3 * HOSTILE_NAMES.length && index % 3 === 0) return HOSTILE_NAMES[index / 3 - 1];
  if (index > 0 && index % 997 === 0) return HOSTILE_NAMES[(index / 997) % HOSTILE_NAMES.length];
  return undefined;
}

function generateUsers(rng: Rng, count: number, departmentCount: number): CompanyUser[] {
  const adminIndexes = new Set([0, 1, Math.floor(count / 2)].filter((index) => index < count));
  const nonAdmins = count - adminIndexes.size;
  const firedCount = Math.round(count * 0.05);
  const extranetCount = count >= 10 ? Math.max(1, Math.round(count * 0.03)) : 0;
  const fire = selector(rng, firedCount, nonAdmins);
  const makeExtranet = selector(rng, extranetCount, nonAdmins - firedCount);
  const users: CompanyUser[] = new Array<CompanyUser>(count);
  let nextId = 1;
  for (let index = 0; index < count; index++) {
    const id = nextId;
    // Real portals have gaps (bots, e-mail users, deleted users are invisible to user.get).
    nextId += rng.chance(0.03) ? rng.int(2, 4) : 1;
    const admin = adminIndexes.has(index);
    const fired = !admin && fire();
    const extranet = !admin && !fired && makeExtranet();
    const female = rng.chance(0.5);
    const hostile = hostileAt(index);
    const name = hostile?.name ?? rng.pick(female ? FIRST_NAMES_F : FIRST_NAMES_M);
    const lastName = hostile?.lastName ?? rng.pick(LAST_NAMES);
    const registeredAt = BASE - rng.int(30, 8 * 365) * DAY - rng.int(0, DAY - 1);
    const departments: number[] = [];
    if (!extranet) {
      departments.push(index === 0 || departmentCount === 1 ? 1 : rng.int(2, departmentCount));
      if (departmentCount > 2 && rng.chance(0.04)) {
        const second = rng.int(2, departmentCount);
        if (second !== departments[0]) departments.push(second);
      }
    }
    users[index] = {
      id,
      name,
      lastName,
      secondName: rng.chance(0.1) ? rng.pick(['Ivanovich', 'Петрович', 'Marie', 'J.']) : '',
      email: `${asciiSlug(name) || 'user'}.${asciiSlug(lastName) || 'x'}${id}@${extranet ? 'partner.example' : 'example.com'}`,
      position: hostile?.position ?? (index === 0 ? 'Chief Executive Officer' : rng.pick(POSITIONS)),
      departments,
      active: !fired,
      type: extranet ? 'extranet' : 'employee',
      admin,
      gender: female ? 'F' : 'M',
      birthday: rng.chance(0.8) ? `${rng.int(1960, 2002)}-${pad(rng.int(1, 12))}-${pad(rng.int(1, 28))}` : '',
      hasPhoto: rng.chance(0.7),
      phoneInner: !extranet && rng.chance(0.6) ? String(100 + index) : '',
      registeredAt,
      updatedAt: registeredAt + rng.int(0, Math.floor((BASE - registeredAt) / DAY)) * DAY,
      lastLoginAt: fired ? registeredAt + DAY : BASE - rng.int(0, 30) * DAY,
      online: !fired && rng.chance(0.1),
      employmentDate: extranet ? '' : dateOnly(registeredAt),
    };
  }
  return users;
}

function assignHeads(rng: Rng, departments: Department[], users: CompanyUser[]): void {
  const members = new Map<number, number[]>();
  for (const user of users) {
    if (!user.active) continue;
    for (const departmentId of user.departments) {
      const list = members.get(departmentId);
      if (list === undefined) members.set(departmentId, [user.id]);
      else list.push(user.id);
    }
  }
  for (const department of departments) {
    if (department.id === 1) {
      department.head = users[0]?.id ?? null;
      continue;
    }
    const candidates = members.get(department.id);
    if (candidates !== undefined && candidates.length > 0 && rng.chance(0.85)) department.head = rng.pick(candidates);
  }
}

function generateGroups(rng: Rng, users: CompanyUser[]): WorkGroup[] {
  const employees = users.filter((user) => user.active && user.type === 'employee');
  const extranetUsers = users.filter((user) => user.type === 'extranet');
  if (employees.length === 0) return [];
  const count = users.length < 10 ? 1 : Math.min(500, Math.max(3, Math.round(users.length / 40)));
  const groups: WorkGroup[] = [];
  for (let index = 0; index < count; index++) {
    const extranet = count >= 3 && index % 5 === 2;
    const ownerId = index === 0 ? (employees[0]?.id ?? 1) : rng.pick(employees).id;
    const people = new Set<number>([ownerId]);
    const size = rng.int(2, Math.min(40, employees.length));
    for (let n = 0; n < size; n++) people.add(rng.pick(employees).id);
    // The admin (user 1) belongs to the first extranet group only, so some extranet users are visible to
    // an admin's user.get and others only with ADMIN_MODE, as on a real portal.
    if (extranet && index === 2) people.add(employees[0]?.id ?? 1);
    people.delete(ownerId);
    const rest = [...people];
    const moderators = rest.slice(0, rng.int(0, Math.min(2, rest.length)));
    groups.push({
      id: index + 1,
      name: index < GROUP_NAMES.length ? (GROUP_NAMES[index] ?? 'Group') : `${rng.pick(GROUP_NAMES)} ${index + 1}`,
      project: index % 3 === 1,
      extranet,
      visible: index === 0 || rng.chance(0.8),
      opened: rng.chance(0.5),
      closed: index > 2 && rng.chance(0.05),
      ownerId,
      moderators,
      members: rest.slice(moderators.length),
      createdAt: BASE - rng.int(1, 1000) * DAY,
    });
  }
  const extranetGroups = groups.filter((group) => group.extranet);
  extranetUsers.forEach((user, index) => {
    // About a third of extranet users share no group with anyone the admin knows.
    const group = extranetGroups[index % Math.max(1, extranetGroups.length)];
    if (group !== undefined && index % 3 !== 2) group.members.push(user.id);
  });
  return groups;
}

function pad(value: number): string {
  return String(value).padStart(2, '0');
}

const days = new Map<number, string>();

/** `YYYY-MM-DD` of a time, cached per day (100k users share a few thousand days). */
function dateOnly(ms: number): string {
  const day = Math.floor(ms / DAY);
  let text = days.get(day);
  if (text === undefined) {
    text = new Date(day * DAY).toISOString().slice(0, 10);
    days.set(day, text);
  }
  return text;
}
