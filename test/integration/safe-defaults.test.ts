import { afterEach, describe, expect, it } from 'vitest';
import { directoryStack, type DirectoryStack } from './directory-stack.js';

/*
 * Issue 13 points 5–8 against the emulator's company (employees in nested departments, fired users, extranet users
 * without a department): the fresh-install default, portal admins as Administrator, fired users hidden, the impact
 * of a draft, the self-lockout, the checks shown by their controls, and settings a reinstall kept.
 */

const stacks: DirectoryStack[] = [];
async function stack(): Promise<DirectoryStack> {
  const created = await directoryStack({ users: 120, seed: 13 });
  stacks.push(created);
  return created;
}

afterEach(async () => {
  for (const created of stacks.splice(0)) await created.close();
});

async function bearer(s: DirectoryStack, userId: number, isAdmin: boolean | null = false): Promise<string> {
  return `Bearer ${await s.session({ userId: String(userId), isAdmin })}`;
}

function people(s: DirectoryStack) {
  const users = s.portal.directory.users;
  const employee = users.find((user) => user.active && !user.admin && user.type === 'employee');
  const extranet = users.find((user) => user.active && user.type === 'extranet');
  const fired = users.filter((user) => !user.active);
  if (employee === undefined || extranet === undefined || fired.length === 0)
    throw new Error('the emulator company lacks an employee, an extranet user or a fired user');
  return { employee, extranet, fired };
}

async function policyOf(s: DirectoryStack, auth: string) {
  const res = await s.request.get('/api/access/policy').set('authorization', auth);
  expect(res.status).toBe(200);
  return { etag: String(res.headers.etag), body: res.body as { policy: Record<string, unknown> } };
}

describe('a fresh install (point 5)', () => {
  it('gives Manager to the company structure, not to extranet users, and fails closed before the first sync', async () => {
    const s = await stack();
    const { employee, extranet } = people(s);
    expect(await s.services.policies.installDefaults(s.memberId, 'en')).toBeNull();

    // Before the first sync the root is unknown: non-admins hold nothing (never AU), admins keep everything.
    const before = await s.request.get('/api/directory/users').set('authorization', await bearer(s, employee.id));
    expect(before.status).toBe(403);
    expect((await s.request.get('/api/directory/users').set('authorization', await bearer(s, 1, true))).status).toBe(
      200,
    );

    await s.directory.runSync(s.memberId, 'admin');
    const employeeSees = await s.request.get('/api/directory/users').set('authorization', await bearer(s, employee.id));
    expect(employeeSees.status).toBe(200);
    const partner = await s.request.get('/api/directory/users').set('authorization', await bearer(s, extranet.id));
    expect(partner.status).toBe(403);
    expect(partner.body).toMatchObject({ error: 'FEATURE_DENIED' });

    const { body } = await policyOf(s, await bearer(s, 1, true));
    const roots = s.portal.directory.departments.filter((department) => department.parent === null);
    expect(body.policy).toMatchObject({
      assignments: roots.map((root) => ({ code: `DR${root.id}`, role: 'manager' })),
      version: 1,
    });
    expect(body.policy.companyRoles).toBeUndefined();
    const audit = await s.request.get('/api/audit').set('authorization', await bearer(s, 1, true));
    expect(audit.body.entries[0]).toMatchObject({ actor: { id: '0', name: 'Keycard' } });
  });

  it('leaves a portal that never saved (installed earlier) as it was: Manager for AU', async () => {
    const s = await stack();
    await s.directory.runSync(s.memberId, 'admin');
    const { body } = await policyOf(s, await bearer(s, 1, true));
    expect(body.policy).toMatchObject({ assignments: [{ code: 'AU', role: 'manager' }], version: 0 });
  });
});

describe('the directory (point 5)', () => {
  it('never shows fired users to people who do not manage access, whatever they ask', async () => {
    const s = await stack();
    await s.directory.runSync(s.memberId, 'admin');
    const { employee, fired } = people(s);
    const asked = await s.request
      .get('/api/directory/users')
      .query({ active: 'all', limit: '500' })
      .set('authorization', await bearer(s, employee.id));
    expect(asked.status).toBe(200);
    const ids = (asked.body as { users: { id: number; active: boolean }[] }).users.map((user) => user.id);
    for (const user of fired) expect(ids).not.toContain(user.id);
    const firedOnly = await s.request
      .get('/api/directory/users')
      .query({ active: 'false' })
      .set('authorization', await bearer(s, employee.id));
    expect(firedOnly.body.users.every((user: { active: boolean }) => user.active)).toBe(true);

    const admin = await s.request
      .get('/api/directory/users')
      .query({ active: 'false', limit: '500' })
      .set('authorization', await bearer(s, 1, true));
    expect(admin.body.total).toBe(fired.length);
  });
});

describe('portal administrators (point 6)', () => {
  it('hold the Administrator role without any assignment', async () => {
    const s = await stack();
    await s.directory.runSync(s.memberId, 'admin');
    const me = await s.request.get('/api/me').set('authorization', await bearer(s, 1, true));
    expect(me.status).toBe(200);
    expect(me.body.access.features.stock).toMatchObject({ level: 'edit' });
    expect(me.body.access.features.reports).toMatchObject({ level: 'edit' });
    const check = await s.request.get('/api/access/check?user=1').set('authorization', await bearer(s, 1, true));
    expect(check.status).toBe(200);
  });
});

describe('saving (point 7)', () => {
  async function withDelegate(s: DirectoryStack, userId: number): Promise<void> {
    const admin = await bearer(s, 1, true);
    const { etag, body } = await policyOf(s, admin);
    const res = await s.request
      .put('/api/access/policy')
      .set('authorization', admin)
      .set('if-match', etag)
      .send({ ...body.policy, delegates: [`U${userId}`] });
    expect(res.status).toBe(200);
  }

  it('says who loses what before a save, the saver included', async () => {
    const s = await stack();
    await s.directory.runSync(s.memberId, 'admin');
    const { employee } = people(s);
    await withDelegate(s, employee.id);
    const auth = await bearer(s, employee.id);
    const { body } = await policyOf(s, auth);
    const res = await s.request
      .post('/api/access/policy/impact')
      .set('authorization', auth)
      .send({ ...body.policy, assignments: [] });
    expect(res.status).toBe(200);
    const active = s.portal.directory.users.filter((user) => user.active).length;
    const stockRead = res.body.losses.find(
      (loss: { feature: string; level: string }) => loss.feature === 'stock' && loss.level === 'read',
    );
    // Everyone active held Manager through AU; admins Keycard has not seen count as employees.
    expect(stockRead).toMatchObject({ count: active, includesYou: true });
    expect(stockRead.names[0]).toBe(`${employee.name} ${employee.lastName}`.trim());
    expect(stockRead.names.length).toBeLessThanOrEqual(5);
    expect(res.body).toMatchObject({ locksYouOut: false, deletedRoles: [] });
  });

  it('refuses a save that would lock the saver out of access management (409, by the allow-list)', async () => {
    const s = await stack();
    await s.directory.runSync(s.memberId, 'admin');
    const { employee, extranet } = people(s);
    await withDelegate(s, employee.id);
    const auth = await bearer(s, employee.id);
    const { etag, body } = await policyOf(s, auth);
    const draft = { ...body.policy, allowList: [`U${extranet.id}`] };
    const impact = await s.request.post('/api/access/policy/impact').set('authorization', auth).send(draft);
    expect(impact.body.locksYouOut).toBe(true);
    const res = await s.request.put('/api/access/policy').set('authorization', auth).set('if-match', etag).send(draft);
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ error: 'SAVE_LOCKS_YOU_OUT', problems: [{ path: 'allowList' }] });
    expect((await policyOf(s, auth)).etag).toBe(etag);
  });

  it('refuses an empty warehouse selection, duplicate role names and a role deleted without confirmation', async () => {
    const s = await stack();
    await s.directory.runSync(s.memberId, 'admin');
    const auth = await bearer(s, 1, true);
    const { etag, body } = await policyOf(s, auth);
    const roles = body.policy.roles as { key: string; title: string; builtIn: boolean; grants: object }[];
    const put = (policy: object, tag = etag) =>
      s.request.put('/api/access/policy').set('authorization', auth).set('if-match', tag).send(policy);

    const invalid = await put({
      ...body.policy,
      roles: [
        ...roles,
        { key: 'picker', title: 'Picker', builtIn: false, grants: { stock: { level: 'read', resources: [] } } },
        { key: 'picker2', title: ' manager ', builtIn: false, grants: {} },
      ],
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body.problems.map((problem: { path: string }) => problem.path)).toEqual([
      `roles.${roles.length}.grants.stock.resources`,
      `roles.${roles.length + 1}.title`,
    ]);

    const added = await put({
      ...body.policy,
      roles: [...roles, { key: 'picker', title: 'Picker', builtIn: false, grants: {} }],
    });
    expect(added.status).toBe(200);
    const deleted = { ...body.policy, roles };
    const unconfirmed = await put(deleted, String(added.headers.etag));
    expect(unconfirmed.status).toBe(400);
    expect(unconfirmed.body.problems).toEqual([
      expect.objectContaining({ path: 'confirmDeletedRoles.picker', message: expect.stringContaining('Picker') }),
    ]);
    const confirmed = await put({ ...deleted, confirmDeletedRoles: ['picker'] }, String(added.headers.etag));
    expect(confirmed.status).toBe(200);
  });
});

describe('a reinstall that keeps settings (point 8)', () => {
  it('reports them, and "reset to defaults" gives the company structure back', async () => {
    const s = await stack();
    await s.directory.runSync(s.memberId, 'admin');
    const { employee } = people(s);
    const auth = await bearer(s, 1, true);
    await s.services.policies.installDefaults(s.memberId, 'en');
    const { etag, body } = await policyOf(s, auth);
    const restrictive = { ...body.policy, allowList: [`U${employee.id}`] };
    expect(
      (await s.request.put('/api/access/policy').set('authorization', auth).set('if-match', etag).send(restrictive))
        .status,
    ).toBe(200);

    expect(await s.services.policies.installDefaults(s.memberId, 'en')).toMatchObject({
      allowList: 1,
      roles: 2,
      version: 2,
    });
    const current = await policyOf(s, auth);
    const reset = await s.request
      .post('/api/access/policy/reset')
      .set('authorization', auth)
      .set('if-match', current.etag);
    expect(reset.status).toBe(200);
    const root = s.portal.directory.departments.find((department) => department.parent === null);
    expect(reset.body.policy).toMatchObject({
      allowList: [],
      assignments: [{ code: `DR${root?.id}`, role: 'manager' }],
    });
    const delegate = await s.request
      .post('/api/access/policy/reset')
      .set('authorization', await bearer(s, employee.id))
      .set('if-match', String(reset.headers.etag));
    expect(delegate.status).toBe(403);
  });
});
