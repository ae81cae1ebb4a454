import { describe, expect, it } from 'vitest';
import type { DirectoryUser } from '../../server/directory/records.js';
import { decodeCursor, departmentTree, fold, listUsers, userView } from '../../server/directory/queries.js';
import { accessCodes, ancestors, selfAndAncestors } from '../../server/directory/user-codes.js';
import { buildSnapshot } from '../../server/directory/snapshot.js';

function user(
  id: number,
  name: string,
  lastName: string,
  departments: number[],
  extra: Partial<DirectoryUser> = {},
): DirectoryUser {
  return {
    id,
    active: true,
    type: 'employee',
    name,
    lastName,
    email: null,
    position: '',
    departments,
    photo: null,
    ...extra,
  };
}

/*
 * 1 Company (head 1)
 * ├── 2 Sales (head 2)
 * │   └── 4 Sales East
 * │       └── 5 Sales East Retail
 * └── 3 R&D
 */
const snapshot = buildSnapshot({
  memberId: 'm',
  generation: 7,
  refreshedAt: 1000,
  workgroups: { available: true },
  departments: [
    { id: 1, name: 'Company', parent: null, head: 1, sort: 500 },
    { id: 3, name: 'R&D', parent: 1, head: null, sort: 100 },
    { id: 2, name: 'Sales', parent: 1, head: 2, sort: 200 },
    { id: 4, name: 'Sales East', parent: 2, head: null, sort: 500 },
    { id: 5, name: 'Sales East Retail', parent: 4, head: 99, sort: 500 },
  ],
  users: [
    user(1, 'Anna', 'Admin', [1], { email: 'anna@example.com' }),
    user(2, 'Boris', 'Петров', [2], { position: 'Head of Sales' }),
    user(3, 'Émile', 'Zola', [4, 3], { position: 'Engineer' }),
    user(4, 'Фёдор', 'Ёлкин', [5]),
    user(5, 'Fired', 'Person', [5], { active: false }),
    user(6, 'Guest', 'Extranet', [], { type: 'extranet' }),
  ],
  groups: [
    { id: 10, name: 'Project X', project: true },
    { id: 11, name: 'Book club', project: false },
  ],
  members: [
    { groupId: 10, owners: [3], moderators: [2], members: [4, 2] },
    { groupId: 11, owners: [1], moderators: [], members: [3] },
    // A group the mirror does not know: ignored.
    { groupId: 12, owners: [4], moderators: [], members: [] },
  ],
});

describe('ancestors', () => {
  it('walks the parent chain, nearest first, excluding the department itself', () => {
    expect(ancestors(snapshot, 5)).toEqual([4, 2, 1]);
    expect(ancestors(snapshot, 1)).toEqual([]);
    expect(selfAndAncestors(snapshot, 5)).toEqual([5, 4, 2, 1]);
    expect(ancestors(snapshot, 404)).toEqual([]);
    expect(selfAndAncestors(snapshot, 404)).toEqual([]);
  });

  it('stops on a parent cycle instead of looping', () => {
    const cyclic = buildSnapshot({
      memberId: 'm',
      generation: 1,
      refreshedAt: 1,
      workgroups: { available: false },
      departments: [
        { id: 1, name: 'A', parent: 2, head: null, sort: 1 },
        { id: 2, name: 'B', parent: 1, head: null, sort: 1 },
      ],
      users: [],
      groups: [],
      members: [],
    });
    expect(ancestors(cyclic, 1)).toEqual([2]);
    // Every department still appears in the tree exactly once.
    const ids = JSON.stringify(departmentTree(cyclic)).match(/"id":\d+/g);
    expect(ids?.sort()).toEqual(['"id":1', '"id":2']);
  });
});

describe('accessCodes', () => {
  it('gives U and IU, D for direct departments, DR for each of them and every ancestor, SG cumulative by role, and AU', () => {
    expect(accessCodes(snapshot, 3).sort()).toEqual(
      ['U3', 'IU3', 'D4', 'D3', 'DR4', 'DR2', 'DR1', 'DR3', 'SG10_K', 'SG10_E', 'SG10_A', 'SG11_K', 'AU'].sort(),
    );
    // Listed as moderator and member: the stronger role counts.
    expect(accessCodes(snapshot, 2)).toEqual(expect.arrayContaining(['SG10_K', 'SG10_E']));
    expect(accessCodes(snapshot, 2)).not.toContain('SG10_A');
    expect(accessCodes(snapshot, 4)).toEqual(expect.arrayContaining(['D5', 'DR5', 'DR4', 'DR2', 'DR1', 'SG10_K']));
    expect(accessCodes(snapshot, 4)).not.toContain('SG10_E');
    expect(accessCodes(snapshot, 4)).not.toContain('SG12_A');
  });

  it('never gives a plain SG code: Bitrix24 users hold only SG_A, SG_E and SG_K', () => {
    for (const id of [1, 2, 3, 4]) expect(accessCodes(snapshot, id).filter((code) => /^SG\d+$/.test(code))).toEqual([]);
  });

  it('gives a head the codes of the departments they head, as Bitrix24 does, even without being a member', () => {
    // Boris is in Sales; he also heads R&D without being listed in it.
    const headed = buildSnapshot({
      memberId: 'm',
      generation: 1,
      refreshedAt: 1,
      workgroups: { available: false },
      departments: [
        { id: 1, name: 'Company', parent: null, head: null, sort: 1 },
        { id: 2, name: 'Sales', parent: 1, head: null, sort: 1 },
        { id: 3, name: 'R&D', parent: 1, head: 2, sort: 2 },
        { id: 4, name: 'Lab', parent: 3, head: null, sort: 1 },
      ],
      users: [user(2, 'Boris', 'Петров', [2])],
      groups: [],
      members: [],
    });
    const codes = accessCodes(headed, 2);
    expect(codes).toEqual(expect.arrayContaining(['D2', 'DR2', 'D3', 'DR3', 'DR1']));
    // Heading R&D does not make him a member of the Lab below it.
    expect(codes).not.toContain('D4');
    expect(codes).not.toContain('DR4');
  });

  it('gives extranet users U and AU only', () => {
    expect(accessCodes(snapshot, 6)).toEqual(['U6', 'AU']);
  });

  it('gives fired and unknown users nothing', () => {
    expect(accessCodes(snapshot, 5)).toEqual([]);
    expect(accessCodes(snapshot, 404)).toEqual([]);
  });
});

describe('departmentTree', () => {
  it('nests departments in display order with heads and active member counts', () => {
    const tree = departmentTree(snapshot);
    expect(tree).toHaveLength(1);
    const [root] = tree;
    expect(root).toMatchObject({
      id: 1,
      name: 'Company',
      head: { id: 1, name: 'Anna Admin', active: true },
      members: 1,
      membersWithSubdepartments: 4,
    });
    // SORT first: R&D (100) before Sales (200).
    expect(root?.children.map((child) => child.id)).toEqual([3, 2]);
    const sales = root?.children[1];
    expect(sales).toMatchObject({
      head: { id: 2, name: 'Boris Петров', active: true },
      members: 1,
      membersWithSubdepartments: 3,
    });
    const east = sales?.children[0];
    expect(east).toMatchObject({ id: 4, members: 1, membersWithSubdepartments: 2 });
    // The head is not in the mirror; the fired user is not counted.
    expect(east?.children[0]).toMatchObject({
      id: 5,
      head: { id: 99, name: '', active: false },
      members: 1,
      membersWithSubdepartments: 1,
      children: [],
    });
    expect(root?.children[0]).toMatchObject({ id: 3, head: null, members: 1, membersWithSubdepartments: 1 });
  });

  it('is computed once per snapshot', () => {
    expect(departmentTree(snapshot)).toBe(departmentTree(snapshot));
  });
});

describe('listUsers', () => {
  const ids = (page: { users: DirectoryUser[] }) => page.users.map((entry) => entry.id);

  it('lists active users by last name, then name, by default', () => {
    const page = listUsers(snapshot, { limit: 100 });
    // Folded: admin, extranet, zola, елкин (Ёлкин), петров.
    expect(ids(page)).toEqual([1, 6, 3, 4, 2]);
    expect(page.total).toBe(5);
    expect(page.nextCursor).toBeNull();
  });

  it('searches name, last name, e-mail and position, ignoring case, accents and ё/й', () => {
    expect(ids(listUsers(snapshot, { q: 'EMILE', limit: 10 }))).toEqual([3]);
    expect(ids(listUsers(snapshot, { q: 'петров', limit: 10 }))).toEqual([2]);
    expect(ids(listUsers(snapshot, { q: 'федор елкин', limit: 10 }))).toEqual([4]);
    expect(ids(listUsers(snapshot, { q: 'anna@example', limit: 10 }))).toEqual([1]);
    expect(ids(listUsers(snapshot, { q: 'head sales', limit: 10 }))).toEqual([2]);
    expect(ids(listUsers(snapshot, { q: 'nobody', limit: 10 }))).toEqual([]);
  });

  it('filters by department with or without sub-departments', () => {
    expect(ids(listUsers(snapshot, { department: 2, limit: 10 }))).toEqual([2]);
    expect(ids(listUsers(snapshot, { department: 2, subdepartments: true, limit: 10 }))).toEqual([3, 4, 2]);
    expect(ids(listUsers(snapshot, { department: 404, subdepartments: true, limit: 10 }))).toEqual([]);
  });

  it('filters by activity', () => {
    expect(ids(listUsers(snapshot, { active: false, limit: 10 }))).toEqual([5]);
    expect(listUsers(snapshot, { active: 'all', limit: 10 }).total).toBe(6);
  });

  it('pages with an opaque cursor that covers every match exactly once', () => {
    const seen: number[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = listUsers(snapshot, { active: 'all', limit: 2, ...(cursor === undefined ? {} : { cursor }) });
      expect(page.total).toBe(6);
      seen.push(...ids(page));
      cursor = page.nextCursor ?? undefined;
      pages++;
    } while (cursor !== undefined);
    expect(pages).toBe(3);
    expect(seen).toEqual([1, 6, 5, 3, 4, 2]);
  });

  it('keeps a cursor valid when the snapshot changes between pages', () => {
    const first = listUsers(snapshot, { limit: 2 });
    expect(ids(first)).toEqual([1, 6]);
    const changed = buildSnapshot({
      memberId: 'm',
      generation: 8,
      refreshedAt: 2000,
      workgroups: { available: false },
      departments: [],
      users: [...snapshot.users.values(), user(7, 'Aaron', 'Aardvark', [])],
      groups: [],
      members: [],
    });
    const next = listUsers(changed, { limit: 10, cursor: first.nextCursor ?? '' });
    // The new user sorts before the cursor: not repeated, nothing skipped.
    expect(ids(next)).toEqual([3, 4, 2]);
  });

  it('rejects a cursor that is not one of ours', () => {
    expect(decodeCursor('not-a-cursor')).toBeUndefined();
    expect(decodeCursor(Buffer.from('["a","b","c"]').toString('base64url'))).toBeUndefined();
    expect(() => listUsers(snapshot, { limit: 1, cursor: 'garbage' })).toThrow(RangeError);
  });
});

describe('userView and fold', () => {
  it('names departments and builds the full name', () => {
    const view = userView(snapshot, snapshot.users.get(3) ?? user(0, '', '', []));
    expect(view).toEqual({
      id: 3,
      name: 'Émile',
      lastName: 'Zola',
      fullName: 'Émile Zola',
      email: null,
      position: 'Engineer',
      type: 'employee',
      active: true,
      photo: null,
      departments: [
        { id: 4, name: 'Sales East' },
        { id: 3, name: 'R&D' },
      ],
    });
  });

  it('folds case and diacritics', () => {
    expect(fold('ÉMILE Ёлкин Йорк')).toBe('emile елкин иорк');
  });
});
