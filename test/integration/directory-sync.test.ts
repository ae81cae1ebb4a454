import { afterEach, describe, expect, it } from 'vitest';
import { accessCodes, ancestors } from '../../server/directory/user-codes.js';
import type { DirectoryUser } from '../../server/directory/records.js';
import type { CompanyUser } from '../emulator/company.js';
import { directoryStack, type DirectoryStack } from './directory-stack.js';

const stacks: DirectoryStack[] = [];
async function stack(options: Parameters<typeof directoryStack>[0] = {}): Promise<DirectoryStack> {
  const created = await directoryStack(options);
  stacks.push(created);
  return created;
}

afterEach(async () => {
  for (const created of stacks.splice(0)) await created.close();
});

/** What the mirror should hold for an emulator user under `user_brief` (no e-mail). */
function expected(user: CompanyUser, origin: string): DirectoryUser {
  return {
    id: user.id,
    active: user.active,
    type: user.type,
    name: user.name,
    lastName: user.lastName,
    email: null,
    position: user.position,
    departments: user.type === 'extranet' ? [] : user.departments,
    photo: user.hasPhoto ? `${origin}/_emulator/avatar/${user.id}.svg` : null,
  };
}

const formula = (users: number, departments: number) => Math.ceil(users / 2500) + Math.ceil(departments / 2500) + 2;

describe('full sync against the emulator', () => {
  it('chains 50 pages per request: 5,100 users and their departments in ceil(n/2500) requests each', async () => {
    const s = await stack({ users: 5100 });
    const company = s.portal.directory;
    s.portal.resetCounters();

    const report = await s.directory.runSync(s.memberId, 'admin');

    const departments = company.departments.length;
    expect(report).toMatchObject({ users: 5100, departments, workgroups: 0, resumed: false, generation: 1 });
    expect(report.requests).toBe(Math.ceil(5100 / 2500) + Math.ceil(departments / 2500));
    expect(report.requests).toBeLessThanOrEqual(formula(5100, departments));
    expect(s.portal.counters.restRequests).toBe(report.requests);
    expect(s.portal.counters.byMethod['batch']).toBe(report.requests);
    // Every user request but the last carried 50 chained commands.
    expect(s.portal.counters.byMethod['user.get']).toBe(150);

    const snapshot = await s.directory.snapshot(s.memberId);
    expect(snapshot.generation).toBe(1);
    expect(snapshot.users.size).toBe(5100);
    for (const user of company.users) expect(snapshot.users.get(user.id)).toEqual(expected(user, s.portal.origin));
    expect(snapshot.departments.size).toBe(departments);
    for (const department of company.departments) {
      expect(snapshot.departments.get(department.id)).toEqual({
        id: department.id,
        name: department.name,
        parent: department.parent,
        head: department.head,
        sort: department.sort,
      });
    }
  });

  it('a multiple of 2,500 users ends with an empty page: one extra request, within the formula', async () => {
    const s = await stack({ users: 2500, departments: 30 });
    s.portal.resetCounters();
    const report = await s.directory.runSync(s.memberId, 'admin');
    expect(report.users).toBe(2500);
    expect(report.requests).toBe(3);
    expect(report.requests).toBeLessThanOrEqual(formula(2500, 30));
  });

  it('ends the data inside a batch: 120 users in one request, no duplicates from the commands after the end', async () => {
    const s = await stack({ users: 120, departments: 12 });
    s.portal.resetCounters();
    const report = await s.directory.runSync(s.memberId, 'admin');
    expect(report).toMatchObject({ users: 120, departments: 12, requests: 2 });
    // 50 commands were sent for users; the ones after the short third page matched nothing.
    expect(s.portal.counters.byMethod['user.get']).toBe(50);
    const snapshot = await s.directory.snapshot(s.memberId);
    expect([...snapshot.users.keys()].sort((a, b) => a - b)).toEqual(s.portal.directory.users.map((user) => user.id));
  });

  it('keeps fired users as inactive, extranet users without departments, and gives neither access codes to rules they cannot pass', async () => {
    const s = await stack({ users: 400 });
    await s.directory.runSync(s.memberId, 'admin');
    const snapshot = await s.directory.snapshot(s.memberId);
    const fired = s.portal.directory.users.filter((user) => !user.active);
    const extranet = s.portal.directory.users.filter((user) => user.type === 'extranet');
    expect(fired.length).toBeGreaterThan(0);
    expect(extranet.length).toBeGreaterThan(0);
    for (const user of fired) {
      expect(snapshot.users.get(user.id)?.active).toBe(false);
      expect(accessCodes(snapshot, user.id)).toEqual([]);
    }
    for (const user of extranet.filter((candidate) => candidate.active)) {
      expect(snapshot.users.get(user.id)).toMatchObject({ type: 'extranet', departments: [] });
      expect(accessCodes(snapshot, user.id)).toEqual([`U${user.id}`, 'AU']);
    }
  });

  it('picks up fired users, department moves and new heads on the next sync', async () => {
    const s = await stack({ users: 300 });
    await s.directory.runSync(s.memberId, 'admin');
    const company = s.portal.directory;
    const employee = company.users.find((user) => user.active && user.type === 'employee' && !user.admin);
    const moved = company.departments.find(
      (department) => (department.parent ?? 0) > 1 && company.depth(department.id) >= 3,
    );
    if (employee === undefined || moved === undefined)
      throw new Error('test company lacks an employee or a deep department');
    const before = await s.directory.snapshot(s.memberId);
    expect(before.users.get(employee.id)?.active).toBe(true);
    expect(ancestors(before, moved.id).at(-1)).toBe(1);

    employee.active = false;
    moved.parent = 1;
    moved.head = employee.id === 1 ? 2 : 1;
    const added = { id: 9_001, name: 'Новый отдел', parent: moved.id, head: null, sort: 500 };
    company.company.departments.push(added);
    company.departmentsChanged();
    const report = await s.directory.runSync(s.memberId, 'schedule');

    expect(report.generation).toBe(2);
    const after = await s.directory.snapshot(s.memberId);
    expect(after.generation).toBe(2);
    expect(after.users.get(employee.id)?.active).toBe(false);
    expect(accessCodes(after, employee.id)).toEqual([]);
    expect(after.departments.get(moved.id)).toMatchObject({ parent: 1, head: moved.head });
    expect(ancestors(after, moved.id)).toEqual([1]);
    expect(ancestors(after, added.id)).toEqual([moved.id, 1]);
    // The generation before is gone from the store.
    expect(s.directoryKeys().some((key) => key.includes(':g1:'))).toBe(false);
    expect(s.directoryKeys().some((key) => key.includes(':g2:'))).toBe(true);
  });

  it('asks for e-mail only under a scope that shows it', async () => {
    const s = await stack({ users: 60, scopes: ['user_basic', 'department', 'placement'] });
    await s.directory.runSync(s.memberId, 'admin');
    const snapshot = await s.directory.snapshot(s.memberId);
    const user = s.portal.directory.users[3];
    expect(user).toBeDefined();
    expect(snapshot.users.get(user?.id ?? 0)?.email).toBe(user?.email);
  });
});
