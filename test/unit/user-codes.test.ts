import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DirectorySnapshot } from '../../server/directory/snapshot.js';
import { buildSnapshot } from '../../server/directory/snapshot.js';
import { accessCodes, ancestors } from '../../server/directory/user-codes.js';

/**
 * accessCodes reads codes made once per department and workgroup; this is the plain walk it replaced, kept
 * as the oracle: the same codes, in the same order, for any tree (cycles, unknown parents and departments,
 * heads outside their departments, several departments sharing ancestors).
 */
function walkedCodes(snapshot: DirectorySnapshot, userId: number): string[] {
  const user = snapshot.users.get(userId);
  if (user === undefined || !user.active) return [];
  const codes = new Set<string>([`U${user.id}`]);
  if (user.departments.length > 0) codes.add(`IU${user.id}`);
  for (const department of [...user.departments, ...(snapshot.headOf.get(user.id) ?? [])]) {
    codes.add(`D${department}`);
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

const USERS = [1, 2, 3, 4, 5, 6];
// 40 and 41 are departments the mirror does not know (created after the last sync) or parents it lost.
const departmentId = fc.integer({ min: 1, max: 8 });
const someDepartment = fc.oneof(departmentId, fc.constantFrom(40, 41));
const ids = (arb: fc.Arbitrary<number>) => fc.array(arb, { maxLength: 3 });

const snapshotArb = fc
  .record({
    departments: fc.uniqueArray(
      fc.record({
        id: departmentId,
        parent: fc.option(someDepartment, { nil: null }),
        head: fc.option(fc.constantFrom(...USERS), { nil: null }),
      }),
      { selector: (department) => department.id, maxLength: 8 },
    ),
    users: fc.tuple(...USERS.map(() => fc.record({ active: fc.boolean(), departments: ids(someDepartment) }))),
    groups: fc.uniqueArray(fc.integer({ min: 1, max: 3 }), { maxLength: 3 }),
    members: fc.array(
      fc.record({
        groupId: fc.integer({ min: 1, max: 4 }),
        owners: ids(fc.constantFrom(...USERS)),
        moderators: ids(fc.constantFrom(...USERS)),
        members: ids(fc.constantFrom(...USERS)),
      }),
      { maxLength: 4 },
    ),
  })
  .map(({ departments, users, groups, members }) =>
    buildSnapshot({
      memberId: 'm',
      generation: 1,
      refreshedAt: 0,
      workgroups: { available: true },
      departments: departments.map((department) => ({ ...department, name: `D${department.id}`, sort: 500 })),
      users: users.map((user, i) => ({
        id: i + 1,
        active: user.active,
        type: 'employee',
        name: `U${i + 1}`,
        lastName: '',
        email: null,
        position: '',
        departments: user.departments,
        photo: null,
      })),
      groups: groups.map((id) => ({ id, name: `G${id}`, project: false })),
      members,
    }),
  );

describe('accessCodes from per-department and per-workgroup codes', () => {
  it('gives exactly the codes, in the order, of walking up the tree for each user', () => {
    fc.assert(
      fc.property(snapshotArb, (snapshot) => {
        for (const id of [...USERS, 99]) expect(accessCodes(snapshot, id)).toEqual(walkedCodes(snapshot, id));
      }),
      { numRuns: 500 },
    );
  });

  it('follows a snapshot whose users changed but whose departments and workgroups are shared', () => {
    fc.assert(
      fc.property(snapshotArb, fc.constantFrom(...USERS), someDepartment, (snapshot, id, moved) => {
        accessCodes(snapshot, id);
        const user = snapshot.users.get(id);
        if (user === undefined) return;
        const users = new Map(snapshot.users).set(id, { ...user, active: true, departments: [moved] });
        const overlaid = { ...snapshot, users };
        expect(accessCodes(overlaid, id)).toEqual(walkedCodes(overlaid, id));
      }),
    );
  });
});
