import { vi } from 'vitest';
import type { ApiClient, UsersQuery } from '../../../client/api/client';
import type {
  DepartmentNode,
  DepartmentsResponse,
  DirectoryUser,
  SyncStatus,
  UsersPage,
} from '../../../client/api/schemas';

/** A user of the generated company: `id` from 1; every 10th is fired, every 25th extranet. */
export function makeUser(id: number, overrides: Partial<DirectoryUser> = {}): DirectoryUser {
  return {
    id,
    name: `Name${id}`,
    lastName: `Last${id}`,
    fullName: `Name${id} Last${id}`,
    email: id % 3 === 0 ? null : `user${id}@acme.example`,
    position: id % 2 === 0 ? 'Accountant' : 'Sales manager',
    type: id % 25 === 0 ? 'extranet' : 'employee',
    active: id % 10 !== 0,
    photo: null,
    departments: [{ id: 2, name: 'Sales' }],
    ...overrides,
  };
}

function node(
  id: number,
  name: string,
  children: DepartmentNode[] = [],
  extra: Partial<DepartmentNode> = {},
): DepartmentNode {
  return { id, name, sort: id * 10, head: null, members: 10, membersWithSubdepartments: 10, children, ...extra };
}

/** Acme → Sales (→ Sales North) and Support. */
export const companyTree: DepartmentNode[] = [
  node(
    1,
    'Acme',
    [
      node(2, 'Sales', [node(4, 'Sales North', [], { members: 7, membersWithSubdepartments: 7 })], {
        head: { id: 11, name: 'Olga Petrova', active: false },
        members: 30,
        membersWithSubdepartments: 37,
      }),
      node(3, 'Support', [], { members: 12, membersWithSubdepartments: 12 }),
    ],
    { head: { id: 1, name: 'Ivan Ivanov', active: true }, members: 3, membersWithSubdepartments: 52 },
  ),
];

export const syncedDepartments: DepartmentsResponse = {
  generation: 3,
  refreshedAt: Date.UTC(2025, 4, 6, 12),
  tree: companyTree,
};

/**
 * A fake `users()` over `total` generated users, paging by an offset cursor like the server's
 * opaque one. `users(query)` records every query it was asked.
 */
export function fakeUsers(total: number, options: { generation?: number; make?: (id: number) => DirectoryUser } = {}) {
  const { generation = 3, make = (id: number) => makeUser(id) } = options;
  const users = vi.fn<ApiClient['users']>(async (query: UsersQuery): Promise<UsersPage> => {
    const offset = query.cursor ? Number(query.cursor.replace('offset-', '')) : 0;
    const limit = query.limit ?? 200;
    const count = Math.max(0, Math.min(limit, total - offset));
    return {
      generation,
      total,
      nextCursor: offset + count < total ? `offset-${offset + count}` : null,
      users: Array.from({ length: count }, (_, index) => make(offset + index + 1)),
    };
  });
  return users;
}

export function runningSync(
  progress: Partial<NonNullable<SyncStatus['progress']>> = {},
  base: Partial<SyncStatus> = {},
): SyncStatus {
  return {
    state: 'running',
    generation: null,
    refreshedAt: null,
    progress: {
      phase: 'users',
      users: 1200,
      departments: 40,
      workgroups: 0,
      requests: 17,
      startedAt: Date.UTC(2025, 4, 6, 12),
      ...progress,
    },
    workgroups: { available: true },
    ...base,
  };
}

export const neverSynced: SyncStatus = {
  state: 'never',
  generation: null,
  refreshedAt: null,
  workgroups: { available: true },
};
