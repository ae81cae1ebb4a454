import { describe, expect, it } from 'vitest';
import type { CompanyUser } from '../emulator/company.js';
import { isOrdinary, testEmulator, type TestEmulator } from './helpers.js';

/** `user.access` with one code: what Bitrix24 itself evaluates for the token's (non-admin) user. */
async function holds(t: TestEmulator, user: CompanyUser, code: string): Promise<boolean> {
  return (await t.rest('user.access', { ACCESS: [code] }, t.tokenFor(user)).expect(200)).body.result;
}

/**
 * A head `boss` of department `headed` (not one of the boss's own departments), a sub-department `sub` of it and an
 * employee `worker` of `sub`.
 */
function scenario(t: TestEmulator) {
  const directory = t.portal.directory;
  const boss = t.find(
    (user) => isOrdinary(user) && user.departments.length === 1 && directory.headedBy(user.id).length === 0,
  );
  const own = new Set(boss.departments.flatMap((id) => directory.selfAndAncestors(id)));
  const headed = directory.departments.find(
    (department) =>
      department.parent !== null && !own.has(department.id) && directory.children(department.id).length > 0,
  );
  if (headed === undefined) throw new Error('no department to head');
  const sub = directory.departments.find((department) => department.parent === headed.id);
  const worker = t.find(
    (user) =>
      isOrdinary(user) && user.id !== boss.id && user.departments.length === 1 && user.departments[0] === sub?.id,
  );
  if (sub === undefined) throw new Error('no sub-department');
  headed.head = boss.id;
  if (sub.head === boss.id) sub.head = null;
  directory.departmentsChanged();
  return { boss, headed, sub, worker, parent: headed.parent ?? 1 };
}

describe('access codes the portal evaluates (CIntranetAuthProvider::UpdateCodes)', () => {
  it('a head holds D/DR of the department they head and IU of its employees, sub-departments included', async () => {
    const t = testEmulator({ company: { users: 400, departments: 40 } });
    t.install();
    const { boss, headed, sub, worker, parent } = scenario(t);
    const expected: Array<[CompanyUser, string, boolean]> = [
      [boss, `D${headed.id}`, true],
      [boss, `DR${headed.id}`, true],
      [boss, `DR${parent}`, true],
      [boss, `D${parent}`, false],
      [boss, `D${sub.id}`, false],
      [boss, `DR${sub.id}`, false],
      [boss, `IU${worker.id}`, true],
      [boss, `IU${boss.id}`, true],
      [boss, `U${worker.id}`, false],
      [boss, `D${boss.departments[0] ?? 0}`, true],
      [worker, `IU${worker.id}`, true],
      [worker, `IU${boss.id}`, false],
      [worker, `D${headed.id}`, false],
      [worker, `DR${headed.id}`, true],
      [worker, `D${sub.id}`, true],
      [worker, 'AU', true],
    ];
    for (const [user, code, result] of expected) {
      expect(await holds(t, user, code), `${user.id === boss.id ? 'boss' : 'worker'} ${code}`).toBe(result);
    }
  });

  it('IU needs a department; workgroups give only SG{g}_A/_E/_K, never a plain SG{g}', async () => {
    const t = testEmulator({ company: { users: 400 } });
    t.install();
    const extranet = t.find((user) => user.active && user.type === 'extranet' && !user.admin);
    expect(await holds(t, extranet, `U${extranet.id}`)).toBe(true);
    expect(await holds(t, extranet, `IU${extranet.id}`)).toBe(false);
    const group = t.portal.directory.groups.find((candidate) => {
      const owner = t.portal.directory.user(candidate.ownerId);
      return owner !== undefined && !owner.admin && candidate.members.length > 0;
    });
    if (group === undefined) throw new Error('no workgroup with a non-admin owner');
    const owner = t.portal.directory.user(group.ownerId);
    const member = t.portal.directory.user(
      group.members.find((id) => id !== group.ownerId && !group.moderators.includes(id)) ?? 0,
    );
    if (owner === undefined || member === undefined || member.admin) throw new Error('no plain member');
    for (const [user, code, result] of [
      [owner, `SG${group.id}_A`, true],
      [owner, `SG${group.id}_E`, true],
      [owner, `SG${group.id}_K`, true],
      [owner, `SG${group.id}`, false],
      [member, `SG${group.id}_K`, true],
      [member, `SG${group.id}_E`, false],
      [member, `SG${group.id}`, false],
    ] as const) {
      expect(await holds(t, user, code), code).toBe(result);
    }
  });

  it('the app access setting uses the same codes: IU{worker} admits the worker and their head; admins always pass', async () => {
    const t = testEmulator({ company: { users: 400, departments: 40 } });
    const adminToken = t.install();
    const { boss, worker } = scenario(t);
    const outsider = t.find(
      (user) =>
        isOrdinary(user) &&
        user.id !== boss.id &&
        user.id !== worker.id &&
        t.portal.directory.headedBy(user.id).length === 0,
    );
    t.portal.installation.accessCodes = [`IU${worker.id}`];
    await t.rest('profile', {}, t.tokenFor(worker)).expect(200);
    await t.rest('profile', {}, t.tokenFor(boss)).expect(200);
    expect((await t.rest('profile', {}, t.tokenFor(outsider)).expect(403)).body.error).toBe('user_access_error');
    await t.rest('profile', {}, adminToken).expect(200);
  });
});
