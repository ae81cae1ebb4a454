import { describe, expect, it } from 'vitest';
import { testEmulator, type TestEmulator } from './helpers.js';

type Row = {
  ID: string;
  NAME: string;
  LAST_NAME: string;
  ACTIVE: boolean;
  USER_TYPE: string;
  UF_DEPARTMENT?: number[];
};

async function ids(t: TestEmulator, token: string, params: Record<string, unknown>): Promise<number[]> {
  const response = await t.rest('user.get', params, token).expect(200);
  return response.body.result.map((row: Row) => Number(row.ID));
}

/** Users an employee's user.get sees: everyone with a department, plus extranet users sharing a group. */
function visibleTo(t: TestEmulator, userId: number): number[] {
  const mates = t.portal.directory.groupMates(userId);
  return t.portal.directory.users
    .filter((user) => user.departments.length > 0 || mates.has(user.id) || user.id === userId)
    .map((user) => user.id);
}

describe('user.get paging', () => {
  it('start=-1 returns 50 rows with total 0 and no next', async () => {
    const t = testEmulator();
    const token = t.install();
    const response = await t.rest('user.get', { start: -1 }, token).expect(200);
    expect(response.body.result).toHaveLength(50);
    expect(response.body.total).toBe(0);
    expect(response.body).not.toHaveProperty('next');
  });

  it('start >= 0 counts total and offers next until the last page; past the end there is no total', async () => {
    const t = testEmulator();
    const token = t.install();
    const visible = visibleTo(t, 1);
    const first = await t.rest('user.get', {}, token).expect(200);
    expect(first.body.total).toBe(visible.length);
    expect(first.body.next).toBe(50);
    const lastStart = Math.floor((visible.length - 1) / 50) * 50;
    const last = await t.rest('user.get', { start: lastStart }, token).expect(200);
    expect(last.body.result).toHaveLength(visible.length - lastStart);
    expect(last.body).not.toHaveProperty('next');
    const beyond = await t.rest('user.get', { start: lastStart + 50 }, token).expect(200);
    expect(beyond.body).toEqual({ result: [], time: expect.any(Object) });
  });

  it('the >ID cursor with start=-1 (as b24jssdk fetchList sends it) walks every visible user exactly once', async () => {
    const t = testEmulator({ company: { users: 420, seed: 9 } });
    const token = t.install();
    const seen: number[] = [];
    let last = 0;
    for (;;) {
      const page = await ids(t, token, { order: { ID: 'ASC' }, filter: { '>ID': last }, start: -1 });
      seen.push(...page);
      if (page.length < 50) break;
      last = page[page.length - 1] ?? 0;
    }
    expect(seen).toEqual(visibleTo(t, 1));
    const paged: number[] = [];
    for (let start = 0; ; start += 50) {
      const response = await t.rest('user.get', { start }, token).expect(200);
      paged.push(...response.body.result.map((row: Row) => Number(row.ID)));
      if (response.body.next === undefined) break;
    }
    expect(paged).toEqual(seen);
  });
});

describe('user.get filters', () => {
  it('supports the operator prefixes', async () => {
    const t = testEmulator();
    const token = t.install();
    expect(await ids(t, token, { FILTER: { '>=ID': 10, '<ID': 13 } })).toEqual(
      [10, 11, 12].filter((id) => t.portal.directory.user(id)),
    );
    expect(await ids(t, token, { FILTER: { '@ID': [3, 1, 2] } })).toEqual([1, 2, 3]);
    expect(await ids(t, token, { FILTER: { '!ID': 1, '<=ID': 3 } })).toEqual([2, 3]);
    const target = t.portal.directory.user(2);
    const byName = await t.rest('user.get', { FILTER: { '%NAME': target?.name.slice(1, 4).toUpperCase() } }, token);
    expect(
      byName.body.result.every((row: Row) =>
        row.NAME.toLowerCase().includes((target?.name ?? '').slice(1, 4).toLowerCase()),
      ),
    ).toBe(true);
    const wildcard = await t.rest('user.get', { filter: { NAME: `${target?.name.slice(0, 2)}%` } }, token);
    expect(wildcard.body.result.map((row: Row) => row.ID)).toContain('2');
    const notLike = await t.rest('user.get', { FILTER: { '!%LAST_NAME': 'o' } }, token);
    expect(notLike.body.result.every((row: Row) => !row.LAST_NAME.toLowerCase().includes('o'))).toBe(true);
  });

  it('filters ACTIVE with true/false and Y/N (PHP truthiness: the string "false" means active)', async () => {
    const t = testEmulator();
    const token = t.install();
    const fired = t.portal.directory.users.filter((user) => !user.active).map((user) => user.id);
    expect(await ids(t, token, { FILTER: { ACTIVE: false } })).toEqual(
      fired.filter((id) => visibleTo(t, 1).includes(id)),
    );
    expect(await ids(t, token, { FILTER: { ACTIVE: 'N' } })).toEqual(
      await ids(t, token, { FILTER: { ACTIVE: false } }),
    );
    const active = await t.rest('user.get', { FILTER: { ACTIVE: true }, start: -1 }, token);
    expect(active.body.result.every((row: Row) => row.ACTIVE)).toBe(true);
    expect(await ids(t, token, { FILTER: { ACTIVE: 'false' } })).toEqual(
      await ids(t, token, { FILTER: { ACTIVE: 'Y' } }),
    );
  });

  it('filters by USER_TYPE, UF_DEPARTMENT, NAME_SEARCH; top-level keys work; FILTER replaces them', async () => {
    const t = testEmulator();
    const token = t.install();
    const extranet = await t.rest('user.get', { FILTER: { USER_TYPE: 'extranet' } }, token);
    expect(extranet.body.result.length).toBeGreaterThan(0);
    expect(extranet.body.result.every((row: Row) => row.USER_TYPE === 'extranet')).toBe(true);
    const department = t.portal.directory.users[5]?.departments[0] ?? 2;
    const members = await t.rest('user.get', { UF_DEPARTMENT: department }, token);
    expect(members.body.result.length).toBeGreaterThan(0);
    expect(members.body.result.every((row: Row) => row.UF_DEPARTMENT?.includes(department))).toBe(true);
    const someone = t.portal.directory.user(2);
    const search = await ids(t, token, { FILTER: { NAME_SEARCH: `${someone?.lastName}` } });
    expect(search).toContain(2);
    // With FILTER present, the top-level UF_DEPARTMENT is ignored (a documented backward-compatibility quirk).
    const replaced = await t.rest('user.get', { UF_DEPARTMENT: department, FILTER: { '<ID': 4 } }, token);
    expect(replaced.body.result.map((row: Row) => row.ID)).toEqual(['1', '2', '3']);
  });

  it('sorts by SORT/ORDER (or sort/order) strings; an ORDER object alone keeps ID order', async () => {
    const t = testEmulator();
    const token = t.install();
    const response = await t.rest('user.get', { sort: 'LAST_NAME', order: 'DESC', FILTER: { ACTIVE: true } }, token);
    const names: string[] = response.body.result.map((row: Row) => row.LAST_NAME);
    const sorted = [...names].sort((a, b) => b.localeCompare(a, 'en', { sensitivity: 'base' }));
    expect(names).toEqual(sorted);
    const byIdDesc = await ids(t, token, { SORT: 'ID', ORDER: 'DESC', start: -1 });
    expect(byIdDesc[0]).toBe(t.portal.directory.users[t.portal.directory.users.length - 1]?.id);
    const objectOrder = await ids(t, token, { order: { ID: 'DESC' }, start: -1 });
    expect(objectOrder[0]).toBe(1);
  });

  it('hides extranet users who share no workgroup with an employee unless ADMIN_MODE is used by an admin', async () => {
    const t = testEmulator();
    const token = t.install();
    const allExtranet = t.portal.directory.users.filter((user) => user.type === 'extranet').map((user) => user.id);
    const seen = await ids(t, token, { FILTER: { USER_TYPE: 'extranet' } });
    expect(seen.length).toBeLessThan(allExtranet.length);
    expect(await ids(t, token, { FILTER: { USER_TYPE: 'extranet' }, ADMIN_MODE: true })).toEqual(allExtranet);
    const employee = t.find(
      (user) =>
        user.active && !user.admin && user.type === 'employee' && t.portal.directory.groupsOf(user.id).size === 0,
    );
    expect(await ids(t, t.tokenFor(employee), { FILTER: { USER_TYPE: 'extranet' }, ADMIN_MODE: true })).toEqual([]);
  });
});

describe('department.get paging and filters', () => {
  it('filters by top-level PARENT, ID list and UF_HEAD; ignores a lowercase filter object', async () => {
    const t = testEmulator({ company: { users: 400, departments: 60 } });
    const token = t.install();
    const children = t.portal.directory.children(1).map(String);
    const byParent = await t.rest('department.get', { PARENT: 1 }, token).expect(200);
    expect(byParent.body.result.map((row: { ID: string }) => row.ID).sort()).toEqual([...children].sort());
    const byIds = await t.rest('department.get', { ID: [3, 2] }, token);
    expect(byIds.body.result.map((row: { ID: string }) => row.ID).sort()).toEqual(['2', '3']);
    const byHead = await t.rest('department.get', { UF_HEAD: 1 }, token);
    expect(byHead.body.result.map((row: { ID: string }) => row.ID)).toContain('1');
    const lowercase = await t.rest('department.get', { filter: { '>ID': 55 }, start: 0 }, token);
    expect(lowercase.body.total).toBe(60);
  });

  it('pages by 50 (start rounds down to a page), past the end repeats the last page, start=-1 has total 0', async () => {
    const t = testEmulator({ company: { users: 400, departments: 120 } });
    const token = t.install();
    const first = await t.rest('department.get', { sort: 'ID', order: 'ASC' }, token);
    expect(first.body).toMatchObject({ total: 120, next: 50 });
    const rounded = await t.rest('department.get', { sort: 'ID', order: 'ASC', start: 10 }, token);
    expect(rounded.body.result[0].ID).toBe('1');
    const last = await t.rest('department.get', { sort: 'ID', order: 'ASC', START: 100 }, token);
    expect(last.body.result).toHaveLength(20);
    expect(last.body).not.toHaveProperty('next');
    const beyond = await t.rest('department.get', { sort: 'ID', order: 'ASC', start: 500 }, token);
    expect(beyond.body.result).toEqual(last.body.result);
    const fast = await t.rest('department.get', { start: -1 }, token);
    expect(fast.body.result).toHaveLength(50);
    expect(fast.body.total).toBe(0);
    expect(fast.body).not.toHaveProperty('next');
  });

  it('sorts by the lowercase sort field; uppercase SORT is also an equality filter on SORT', async () => {
    const t = testEmulator({ company: { users: 400, departments: 40 } });
    const token = t.install();
    const byName = await t.rest('department.get', { sort: 'NAME', order: 'DESC' }, token);
    const names: string[] = byName.body.result.map((row: { NAME: string }) => row.NAME);
    expect(names).toEqual([...names].sort((a, b) => b.localeCompare(a, 'en', { sensitivity: 'base' })));
    const upper = await t.rest('department.get', { SORT: 'NAME' }, token);
    expect(upper.body).toMatchObject({ result: [], total: 0 });
  });
});
