import type { Company, CompanyUser, Department, WorkGroup } from './company.js';

export type GroupRole = 'A' | 'E' | 'K';

/**
 * Read-side indexes over the company: user lookup by ID (binary search, no extra memory for 100k users),
 * the department tree, and workgroup membership. New users are appended in ID order.
 */
export class Directory {
  readonly company: Company;
  readonly #departments = new Map<number, Department>();
  #children: Map<number, number[]> | undefined;
  #treeOrder: Department[] | undefined;
  #groupsOfUser: Map<number, Map<number, GroupRole>> | undefined;
  #headed: Map<number, number[]> | undefined;

  constructor(company: Company) {
    this.company = company;
    for (const department of company.departments) this.#departments.set(department.id, department);
  }

  /**
   * Forgets the cached tree after departments were added, moved or re-sorted in `company.departments`
   * (tests and the benchmarks change the company in place; Bitrix24 itself always answers the current tree).
   */
  departmentsChanged(): void {
    this.#departments.clear();
    for (const department of this.company.departments) this.#departments.set(department.id, department);
    this.#children = undefined;
    this.#treeOrder = undefined;
    this.#headed = undefined;
  }

  get users(): readonly CompanyUser[] {
    return this.company.users;
  }

  get departments(): readonly Department[] {
    return this.company.departments;
  }

  get groups(): readonly WorkGroup[] {
    return this.company.groups;
  }

  user(id: number): CompanyUser | undefined {
    const index = this.lowerBound(id);
    const user = this.company.users[index];
    return user?.id === id ? user : undefined;
  }

  /** Index of the first user whose ID is >= `id`. */
  lowerBound(id: number): number {
    const users = this.company.users;
    let low = 0;
    let high = users.length;
    while (low < high) {
      const mid = (low + high) >>> 1;
      if ((users[mid]?.id ?? Infinity) < id) low = mid + 1;
      else high = mid;
    }
    return low;
  }

  department(id: number): Department | undefined {
    return this.#departments.get(id);
  }

  children(id: number): readonly number[] {
    if (this.#children === undefined) {
      const children = new Map<number, number[]>();
      for (const department of this.company.departments) {
        if (department.parent === null) continue;
        const list = children.get(department.parent);
        if (list === undefined) children.set(department.parent, [department.id]);
        else list.push(department.id);
      }
      this.#children = children;
    }
    return this.#children.get(id) ?? [];
  }

  /** The department and all its ancestors up to the root. */
  selfAndAncestors(id: number): number[] {
    const chain: number[] = [];
    let current = this.#departments.get(id);
    while (current !== undefined && chain.length < 64) {
      chain.push(current.id);
      current = current.parent === null ? undefined : this.#departments.get(current.parent);
    }
    return chain;
  }

  /** Departments whose head (`UF_HEAD`) is `userId`. */
  headedBy(userId: number): readonly number[] {
    if (this.#headed === undefined) {
      const headed = new Map<number, number[]>();
      for (const department of this.company.departments) {
        if (department.head === null) continue;
        const list = headed.get(department.head);
        if (list === undefined) headed.set(department.head, [department.id]);
        else list.push(department.id);
      }
      this.#headed = headed;
    }
    return this.#headed.get(userId) ?? [];
  }

  depth(id: number): number {
    return this.selfAndAncestors(id).length - 1;
  }

  /** Pre-order walk of the tree, siblings by SORT then NAME: the `LEFT_MARGIN` order of `department.get`. */
  treeOrder(): readonly Department[] {
    if (this.#treeOrder === undefined) {
      const order: Department[] = [];
      const visit = (id: number): void => {
        const department = this.#departments.get(id);
        if (department === undefined) return;
        order.push(department);
        const kids = this.children(id)
          .map((child) => this.#departments.get(child))
          .filter((child): child is Department => child !== undefined)
          .sort((a, b) => a.sort - b.sort || a.name.localeCompare(b.name) || a.id - b.id);
        for (const kid of kids) visit(kid.id);
      };
      for (const root of this.company.departments.filter((department) => department.parent === null)) visit(root.id);
      this.#treeOrder = order;
    }
    return this.#treeOrder;
  }

  /** Workgroups of a user with the user's role in each. */
  groupsOf(userId: number): ReadonlyMap<number, GroupRole> {
    if (this.#groupsOfUser === undefined) {
      const index = new Map<number, Map<number, GroupRole>>();
      const add = (user: number, group: number, role: GroupRole): void => {
        let roles = index.get(user);
        if (roles === undefined) {
          roles = new Map();
          index.set(user, roles);
        }
        if (!roles.has(group)) roles.set(group, role);
      };
      for (const group of this.company.groups) {
        add(group.ownerId, group.id, 'A');
        for (const id of group.moderators) add(id, group.id, 'E');
        for (const id of group.members) add(id, group.id, 'K');
      }
      this.#groupsOfUser = index;
    }
    return this.#groupsOfUser.get(userId) ?? new Map();
  }

  group(id: number): WorkGroup | undefined {
    return this.company.groups.find((group) => group.id === id);
  }

  /** Users who share at least one workgroup with `userId` (the extranet visibility rule of `user.get`). */
  groupMates(userId: number): Set<number> {
    const mates = new Set<number>();
    for (const groupId of this.groupsOf(userId).keys()) {
      const group = this.group(groupId);
      if (group === undefined) continue;
      mates.add(group.ownerId);
      for (const id of group.moderators) mates.add(id);
      for (const id of group.members) mates.add(id);
    }
    return mates;
  }

  /** Appends a user with the next free ID. */
  addUser(user: Omit<CompanyUser, 'id'>): CompanyUser {
    const last = this.company.users[this.company.users.length - 1];
    const created: CompanyUser = { ...user, id: (last?.id ?? 0) + 1 };
    this.company.users.push(created);
    return created;
  }

  fullName(user: CompanyUser): string {
    return `${user.name} ${user.lastName}`.trim();
  }
}
