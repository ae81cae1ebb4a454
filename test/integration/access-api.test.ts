import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import type { CompanyUser } from '../emulator/company.js';
import { directoryStack, type DirectoryStack } from './directory-stack.js';

/*
 * The access API against a real mirror (the emulator's company, synced once): policy reads and
 * compare-and-swap saves, validation, delegation, "check a user", conflicts, the audit log, the sample
 * resource-scoped stock feature, and 403 on every admin-only route for a plain employee.
 */

const stacks: DirectoryStack[] = [];
async function syncedStack(): Promise<DirectoryStack> {
  const created = await directoryStack({ users: 120, departments: 12 });
  stacks.push(created);
  await created.directory.runSync(created.memberId, 'admin');
  return created;
}

afterEach(async () => {
  for (const created of stacks.splice(0)) await created.close();
});

const policyBody = z.object({
  policy: z.object({
    allowList: z.array(z.string()),
    roles: z.array(
      z.object({
        key: z.string(),
        title: z.string(),
        builtIn: z.boolean(),
        grants: z.record(z.string(), z.object({ level: z.string(), resources: z.array(z.string()).optional() })),
      }),
    ),
    assignments: z.array(z.object({ code: z.string(), role: z.string() })),
    delegates: z.array(z.string()),
    version: z.number(),
  }),
  etag: z.string(),
  manifest: z.object({
    features: z.array(z.object({ key: z.string() })),
    resourceTypes: z.array(
      z.object({ key: z.string(), resources: z.array(z.object({ id: z.string(), name: z.string() })) }),
    ),
  }),
  names: z.record(z.string(), z.object({ title: z.string(), kind: z.string() })),
});
type PolicyBody = z.infer<typeof policyBody>;
type Grants = PolicyBody['policy']['roles'][number]['grants'];

/** An active employee (not an admin) in a department, with the department. */
function employee(s: DirectoryStack, skip: number[] = []): CompanyUser & { department: number } {
  const found = s.portal.directory.users.find(
    (user) =>
      user.active && !user.admin && user.type === 'employee' && user.departments.length > 0 && !skip.includes(user.id),
  );
  if (found === undefined) throw new Error('no employee in the generated company');
  return { ...found, department: found.departments[0] ?? 0 };
}

async function as(s: DirectoryStack, userId: number, isAdmin: boolean | null) {
  return `Bearer ${await s.session({ userId: String(userId), isAdmin })}`;
}

async function readPolicy(s: DirectoryStack, auth: string): Promise<PolicyBody> {
  const res = await s.request.get('/api/access/policy').set('authorization', auth);
  expect(res.status).toBe(200);
  expect(res.headers['etag']).toBe(res.body.etag);
  return policyBody.parse(res.body);
}

function content(policy: PolicyBody['policy'], change: Partial<PolicyBody['policy']>) {
  const { version: _version, ...rest } = { ...policy, ...change };
  return rest;
}

describe('access API', () => {
  it('a plain employee gets 403 on every admin-only route, and nothing changes', async () => {
    const s = await syncedStack();
    const worker = employee(s);
    const auth = await as(s, worker.id, false);
    const before = await readPolicy(s, await as(s, 1, true));
    const routes = [
      s.request.get('/api/access/policy'),
      s.request
        .put('/api/access/policy')
        .set('if-match', before.etag)
        .send(content(before.policy, { allowList: [`U${worker.id}`] })),
      s.request.get('/api/access/check').query({ user: String(worker.id) }),
      s.request.get('/api/access/conflicts'),
      s.request.get('/api/audit'),
      s.request.post('/api/sync'),
    ];
    for (const request of routes) {
      const res = await request.set('authorization', auth);
      expect(res.status).toBe(403);
      expect(res.body.error).toMatch(/^(FEATURE_DENIED|ADMIN_REQUIRED)$/);
    }
    // An unknown admin status is no admin either.
    expect((await s.request.get('/api/access/policy').set('authorization', await as(s, worker.id, null))).status).toBe(
      403,
    );
    expect((await readPolicy(s, await as(s, 1, true))).etag).toBe(before.etag);
  });

  it('saves with If-Match: a stale ETag is a 409 carrying the current settings, a missing one a 428', async () => {
    const s = await syncedStack();
    const admin = await as(s, 1, true);
    const worker = employee(s);
    const first = await readPolicy(s, admin);
    expect(first.policy.version).toBe(0);
    expect(first.policy.assignments).toEqual([{ code: 'AU', role: 'manager' }]);

    const missing = await s.request
      .put('/api/access/policy')
      .set('authorization', admin)
      .send(content(first.policy, {}));
    expect(missing.status).toBe(428);

    const saved = await s.request
      .put('/api/access/policy')
      .set('authorization', admin)
      .set('if-match', first.etag)
      .send(content(first.policy, { allowList: [`DR${worker.department}`] }));
    expect(saved.status).toBe(200);
    const after = policyBody.parse(saved.body);
    expect(after.policy.version).toBe(1);
    expect(after.etag).not.toBe(first.etag);
    expect(after.names[`DR${worker.department}`]).toMatchObject({ kind: 'departmentTree' });

    const stale = await s.request
      .put('/api/access/policy')
      .set('authorization', admin)
      .set('if-match', first.etag)
      .send(content(first.policy, { allowList: ['U999999'] }));
    expect(stale.status).toBe(409);
    expect(stale.body.error).toBe('POLICY_CHANGED');
    expect(policyBody.parse(stale.body.current).policy.allowList).toEqual([`DR${worker.department}`]);
    expect((await readPolicy(s, admin)).policy.allowList).toEqual([`DR${worker.department}`]);
  });

  it('refuses an invalid policy with 400 naming every unknown code, role and feature, and saves nothing', async () => {
    const s = await syncedStack();
    const admin = await as(s, 1, true);
    const { policy, etag } = await readPolicy(s, admin);
    const res = await s.request
      .put('/api/access/policy')
      .set('authorization', admin)
      .set('if-match', etag)
      .send({
        ...content(policy, {}),
        allowList: ['U999999', 'X1'],
        assignments: [{ code: 'AU', role: 'boss' }],
        roles: [
          ...policy.roles,
          {
            key: 'viewer',
            title: 'Viewer',
            builtIn: false,
            grants: { payroll: { level: 'read' }, stock: { level: 'read', resources: ['42'] } },
          },
        ],
      });
    expect(res.status).toBe(400);
    expect(res.body.error).toBe('INVALID_POLICY');
    const messages: string[] = res.body.problems.map((problem: { message: string }) => problem.message);
    expect(messages.join('\n')).toContain('U999999');
    expect(messages.join('\n')).toContain('X1');
    expect(messages.join('\n')).toContain('boss');
    expect(messages.join('\n')).toContain('payroll');
    expect(messages.join('\n')).toContain('warehouse 42');
    expect((await readPolicy(s, admin)).etag).toBe(etag);

    const malformed = await s.request
      .put('/api/access/policy')
      .set('authorization', admin)
      .set('if-match', etag)
      .send({ allowList: 'everyone' });
    expect(malformed.status).toBe(400);
    expect(malformed.body.problems.map((problem: { path: string }) => problem.path)).toContain('allowList');
  });

  it('a policy change applies to the next request of a session issued before it', async () => {
    const s = await syncedStack();
    const admin = await as(s, 1, true);
    const inside = employee(s);
    const outside = employee(
      s,
      s.portal.directory.users.filter((user) => user.departments.includes(inside.department)).map((user) => user.id),
    );
    const insideAuth = await as(s, inside.id, false);
    const outsideAuth = await as(s, outside.id, false);
    expect((await s.request.get('/api/directory/departments').set('authorization', outsideAuth)).status).toBe(200);

    const { policy, etag } = await readPolicy(s, admin);
    await s.request
      .put('/api/access/policy')
      .set('authorization', admin)
      .set('if-match', etag)
      .send(content(policy, { allowList: [`D${inside.department}`] }))
      .expect(200);

    const denied = await s.request.get('/api/directory/departments').set('authorization', outsideAuth);
    expect(denied.status).toBe(403);
    expect(denied.body.error).toBe('APP_ACCESS_DENIED');
    const me = await s.request.get('/api/me').set('authorization', outsideAuth);
    expect(me.status).toBe(200);
    expect(me.body.access).toMatchObject({ open: false, manage: false });
    expect((await s.request.get('/api/directory/departments').set('authorization', insideAuth)).status).toBe(200);
    // Admins always pass the allow-list, as in Bitrix24, so nobody locks the portal out.
    expect((await s.request.get('/api/me').set('authorization', admin)).body.access).toMatchObject({
      open: true,
      manage: true,
    });
  });

  it('delegates manage access but only portal admins change who the delegates are', async () => {
    const s = await syncedStack();
    const admin = await as(s, 1, true);
    const delegate = employee(s);
    const { policy, etag } = await readPolicy(s, admin);
    await s.request
      .put('/api/access/policy')
      .set('authorization', admin)
      .set('if-match', etag)
      .send(content(policy, { delegates: [`U${delegate.id}`] }))
      .expect(200);

    const auth = await as(s, delegate.id, false);
    const mine = await readPolicy(s, auth);
    const widen = await s.request
      .put('/api/access/policy')
      .set('authorization', auth)
      .set('if-match', mine.etag)
      .send(content(mine.policy, { delegates: [`U${delegate.id}`, 'AU'] }));
    expect(widen.status).toBe(403);
    expect(widen.body.error).toBe('DELEGATES_ADMIN_ONLY');
    const allowed = await s.request
      .put('/api/access/policy')
      .set('authorization', auth)
      .set('if-match', mine.etag)
      .send(content(mine.policy, { allowList: [`U${delegate.id}`] }));
    expect(allowed.status).toBe(200);
    // A delegate whose admin status Bitrix24 could not tell is refused: unknown never counts as a grant.
    expect(
      (await s.request.get('/api/access/policy').set('authorization', await as(s, delegate.id, null))).status,
    ).toBe(403);
  });

  it('a feature the stored policy predates: admins keep its shipped grant through unrelated saves, until a save sets it to no access', async () => {
    const s = await syncedStack();
    const admin = await as(s, 1, true);
    // The admin's own level of `reports` (the Administrator role ships it at edit), as the UI reads it.
    const tab = async () => {
      const me = await s.request.get('/api/me').set('authorization', admin).expect(200);
      return me.body.access.features.reports?.level ?? null;
    };
    const save = async (change: (policy: PolicyBody['policy']) => Partial<PolicyBody['policy']>) => {
      const { policy, etag } = await readPolicy(s, admin);
      await s.request
        .put('/api/access/policy')
        .set('authorization', admin)
        .set('if-match', etag)
        .send(content(policy, change(policy)))
        .expect(200);
    };
    const administrator = (policy: PolicyBody['policy'], grants: (before: Grants) => Grants) =>
      policy.roles.map((role) => (role.key === 'administrator' ? { ...role, grants: grants(role.grants) } : role));
    const without = ({ reports: _dropped, ...rest }: Grants) => rest;

    // As an older Keycard stored it before `reports` existed: no role names it, and no `features`.
    const { policy, etag } = await readPolicy(s, admin);
    await s.services.policies.save(s.memberId, {
      ifMatch: etag,
      content: content(policy, { roles: policy.roles.map((role) => ({ ...role, grants: without(role.grants) })) }),
      actor: { id: '1', name: 'Before the update' },
      lang: 'en',
    });
    expect(await tab()).toBe('edit');
    // A save about something else: the editor's draft has no reports grant either, and it is not taken away.
    await save((current) => ({ assignments: [...current.assignments, { code: 'U5', role: 'manager' }] }));
    expect(await tab()).toBe('edit');
    // Granted and then set to "no access": the admin's choice holds, for portal admins too.
    await save((current) => ({
      roles: administrator(current, (grants) => ({ ...grants, reports: { level: 'edit' } })),
    }));
    expect(await tab()).toBe('edit');
    await save((current) => ({ roles: administrator(current, without) }));
    expect(await tab()).toBe(null);
  });

  it('checks a user: effective levels with the rules behind them; an elevated role is no conflict', async () => {
    const s = await syncedStack();
    const admin = await as(s, 1, true);
    const worker = employee(s);
    const { policy, etag } = await readPolicy(s, admin);
    await s.request
      .put('/api/access/policy')
      .set('authorization', admin)
      .set('if-match', etag)
      .send(content(policy, { assignments: [...policy.assignments, { code: `U${worker.id}`, role: 'administrator' }] }))
      .expect(200);

    const res = await s.request
      .get('/api/access/check')
      .query({ user: String(worker.id) })
      .set('authorization', admin);
    expect(res.status).toBe(200);
    expect(res.body.user.id).toBe(worker.id);
    expect(res.body.codes).toEqual(
      expect.arrayContaining([`U${worker.id}`, `D${worker.department}`, `DR${worker.department}`, 'AU']),
    );
    const reports = res.body.access.features.find((feature: { feature: string }) => feature.feature === 'reports');
    expect(reports.level).toBe('edit');
    expect(reports.levels.at(-1).reasons).toEqual([
      expect.objectContaining({ kind: 'role', code: `U${worker.id}`, role: 'administrator' }),
    ]);
    const settings = res.body.access.features.find((feature: { feature: string }) => feature.feature === 'settings');
    expect(settings).toMatchObject({ level: null, denied: [{ kind: 'adminOnly', feature: 'settings' }] });
    expect(res.body.names[`U${worker.id}`]).toMatchObject({ kind: 'user' });

    expect(
      (await s.request.get('/api/access/check').query({ user: 'abc' }).set('authorization', admin)).body.error,
    ).toBe('INVALID_USER');
    expect(
      (await s.request.get('/api/access/check').query({ user: '999999' }).set('authorization', admin)).status,
    ).toBe(404);

    // An elevated role on top of everyone's default role is what the admin asked for: no conflict.
    const found = await s.request.get('/api/access/conflicts').set('authorization', admin);
    expect(found.status).toBe(200);
    expect(found.body).toMatchObject({ total: 0, people: 0, groups: [] });

    // Personally Manager, but the whole department Administrator: the personal restriction does nothing.
    const current = await readPolicy(s, admin);
    await s.request
      .put('/api/access/policy')
      .set('authorization', admin)
      .set('if-match', current.etag)
      .send(
        content(current.policy, {
          assignments: [
            { code: 'AU', role: 'manager' },
            { code: `U${worker.id}`, role: 'manager' },
            { code: `DR${worker.department}`, role: 'administrator' },
          ],
        }),
      )
      .expect(200);
    const real = await s.request.get('/api/access/conflicts').set('authorization', admin);
    const stock = real.body.groups.find((group: { feature: string }) => group.feature === 'stock');
    expect(stock).toMatchObject({
      overridden: { code: `U${worker.id}`, role: 'manager', level: 'read' },
      winner: { code: `DR${worker.department}`, role: 'administrator', level: 'edit' },
      count: 1,
      sample: [{ id: worker.id }],
    });
    expect(real.body.people).toBe(1);
    expect(real.body.names[`DR${worker.department}`]).toMatchObject({ kind: 'departmentTree' });
  });

  it('audits every save with actor, time and before/after, newest first, filterable and paged', async () => {
    const s = await syncedStack();
    const worker = employee(s);
    let current = await readPolicy(s, await as(s, 1, true));
    const save = async (userId: number, change: Partial<PolicyBody['policy']>) => {
      const res = await s.request
        .put('/api/access/policy')
        .set('authorization', await as(s, userId, true))
        .set('if-match', current.etag)
        .send(content(current.policy, change));
      expect(res.status).toBe(200);
      current = policyBody.parse(res.body);
    };
    await save(1, { allowList: [`U${worker.id}`] });
    await save(2, { allowList: [`U${worker.id}`, 'AU'] });
    const manager = current.policy.roles.find((role) => role.key === 'manager');
    if (manager === undefined) throw new Error('no manager role');
    await save(1, {
      roles: current.policy.roles.map((role) =>
        role.key === 'manager' ? { ...role, grants: { ...role.grants, reports: { level: 'edit' } } } : role,
      ),
    });
    // A save that changes nothing is not an entry.
    await save(1, {});

    const auth = await as(s, 1, true);
    const all = await s.request.get('/api/audit').set('authorization', auth);
    expect(all.status).toBe(200);
    expect(all.body.entries.map((entry: { version: number }) => entry.version)).toEqual([3, 2, 1]);
    expect(all.body.entries[0]).toMatchObject({
      actor: { id: '1' },
      changes: [
        { kind: 'grant', role: 'manager', feature: 'reports', before: { level: 'read' }, after: { level: 'edit' } },
      ],
    });
    expect(all.body.entries[2].changes).toEqual([{ kind: 'allowList', action: 'added', code: `U${worker.id}` }]);
    expect(all.body.names[`U${worker.id}`]).toMatchObject({ kind: 'user' });

    const byActor = await s.request.get('/api/audit').query({ actor: '2' }).set('authorization', auth);
    expect(byActor.body.entries.map((entry: { version: number }) => entry.version)).toEqual([2]);
    const byCode = await s.request
      .get('/api/audit')
      .query({ code: `U${worker.id}` })
      .set('authorization', auth);
    expect(byCode.body.entries.map((entry: { version: number }) => entry.version)).toEqual([1]);

    const page1 = await s.request.get('/api/audit').query({ limit: '2' }).set('authorization', auth);
    expect(page1.body.entries.map((entry: { version: number }) => entry.version)).toEqual([3, 2]);
    const page2 = await s.request
      .get('/api/audit')
      .query({ limit: '2', cursor: page1.body.nextCursor })
      .set('authorization', auth);
    expect(page2.body.entries.map((entry: { version: number }) => entry.version)).toEqual([1]);
    expect(page2.body.nextCursor).toBeNull();
    // The filters offer only the people who made changes, and the codes the log cites, by name (issue 13).
    const filters = await s.request.get('/api/audit/filters').set('authorization', auth);
    expect(filters.status).toBe(200);
    expect(filters.body.actors.map((actor: { id: string }) => actor.id).sort()).toEqual(['1', '2']);
    expect(filters.body.codes).toEqual(
      expect.arrayContaining([
        {
          code: `U${worker.id}`,
          name: expect.objectContaining({ kind: 'user', title: expect.not.stringMatching(/^U\d/) }),
        },
        { code: 'AU', name: expect.objectContaining({ kind: 'allUsers' }) },
      ]),
    );
    expect(filters.body.codes).toHaveLength(2);
    expect((await s.request.get('/api/audit/filters').set('authorization', await as(s, worker.id, false))).status).toBe(
      403,
    );
    expect((await s.request.get('/api/audit').query({ limit: '0' }).set('authorization', auth)).body.error).toBe(
      'INVALID_LIMIT',
    );
    expect(
      (await s.request.get('/api/audit').query({ code: 'DROP TABLE' }).set('authorization', auth)).body.error,
    ).toBe('INVALID_CODE');
  });

  it('stock: a role limited to one warehouse sees only it, and only its part of each item', async () => {
    const s = await syncedStack();
    const admin = await as(s, 1, true);
    const worker = employee(s);
    const { policy, etag } = await readPolicy(s, admin);
    const keeper = {
      key: 'keeper',
      title: 'Storekeeper',
      builtIn: false,
      grants: { stock: { level: 'edit', resources: ['2'] } },
    };
    await s.request
      .put('/api/access/policy')
      .set('authorization', admin)
      .set('if-match', etag)
      .send(
        content(policy, {
          roles: [...policy.roles.map((role) => (role.key === 'manager' ? { ...role, grants: {} } : role)), keeper],
          assignments: [{ code: `U${worker.id}`, role: 'keeper' }],
        }),
      )
      .expect(200);

    const res = await s.request.get('/api/stock').set('authorization', await as(s, worker.id, false));
    expect(res.status).toBe(200);
    expect(res.body.warehouses).toEqual([{ id: '2', name: 'North branch', canEdit: true }]);
    for (const item of res.body.items) expect(Object.keys(item.quantities)).toEqual(['2']);
    expect(res.body.items.map((item: { sku: string }) => item.sku)).not.toContain('CB-001');

    const other = employee(s, [worker.id]);
    const refused = await s.request.get('/api/stock').set('authorization', await as(s, other.id, false));
    expect(refused.status).toBe(403);
    expect(refused.body.error).toBe('FEATURE_DENIED');
  });

  it('stock: editors change counts only in warehouses their roles let them edit; readers cannot', async () => {
    const s = await syncedStack();
    const admin = await as(s, 1, true);
    const editor = employee(s);
    const reader = employee(s, [editor.id]);
    const { policy, etag } = await readPolicy(s, admin);
    const keeper = {
      key: 'keeper',
      title: 'Storekeeper',
      builtIn: false,
      grants: { stock: { level: 'edit', resources: ['2'] } },
    };
    await s.request
      .put('/api/access/policy')
      .set('authorization', admin)
      .set('if-match', etag)
      .send(
        content(policy, {
          roles: [...policy.roles, keeper],
          assignments: [
            { code: 'AU', role: 'manager' },
            { code: `U${editor.id}`, role: 'keeper' },
          ],
        }),
      )
      .expect(200);
    const editorAuth = await as(s, editor.id, false);
    const readerAuth = await as(s, reader.id, false);

    const changed = await s.request.put('/api/stock/KB-100/2').set('authorization', editorAuth).send({ quantity: 7 });
    expect(changed.status).toBe(200);
    expect(changed.body.items.find((item: { sku: string }) => item.sku === 'KB-100').quantities).toEqual({
      '1': 40,
      '2': 7,
      '3': 2,
    });
    const seen = await s.request.get('/api/stock').set('authorization', readerAuth);
    expect(seen.body.items.find((item: { sku: string }) => item.sku === 'KB-100').quantities['2']).toBe(7);
    expect(seen.body.warehouses.every((warehouse: { canEdit: boolean }) => !warehouse.canEdit)).toBe(true);

    // Read-only in warehouse 1, and a reader edits nothing: the server refuses, whatever the UI shows.
    const elsewhere = await s.request.put('/api/stock/KB-100/1').set('authorization', editorAuth).send({ quantity: 1 });
    expect([elsewhere.status, elsewhere.body.error]).toEqual([403, 'FEATURE_DENIED']);
    const byReader = await s.request.put('/api/stock/KB-100/2').set('authorization', readerAuth).send({ quantity: 1 });
    expect([byReader.status, byReader.body.error]).toEqual([403, 'FEATURE_DENIED']);
    const negative = await s.request.put('/api/stock/KB-100/2').set('authorization', editorAuth).send({ quantity: -1 });
    expect([negative.status, negative.body.error]).toEqual([400, 'BAD_BODY']);
    const unknown = await s.request.put('/api/stock/XX-1/2').set('authorization', editorAuth).send({ quantity: 1 });
    expect([unknown.status, unknown.body.error]).toEqual([404, 'NOT_FOUND']);
    expect((await s.request.get('/api/stock').set('authorization', readerAuth)).body.items[0].quantities['2']).toBe(7);
  });
});
