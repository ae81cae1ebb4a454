import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
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

const userSchema = z.strictObject({
  id: z.number(),
  name: z.string(),
  lastName: z.string(),
  fullName: z.string(),
  email: z.string().nullable(),
  position: z.string(),
  type: z.string(),
  active: z.boolean(),
  photo: z.string().nullable(),
  departments: z.array(z.strictObject({ id: z.number(), name: z.string() })),
});
const usersPageSchema = z.strictObject({
  generation: z.number().nullable(),
  total: z.number(),
  nextCursor: z.string().nullable(),
  users: z.array(userSchema),
});

interface Node {
  id: number;
  name: string;
  sort: number;
  head: { id: number; name: string; active: boolean } | null;
  members: number;
  membersWithSubdepartments: number;
  children: Node[];
}
const nodeSchema: z.ZodType<Node> = z.lazy(() =>
  z.strictObject({
    id: z.number(),
    name: z.string(),
    sort: z.number(),
    head: z.strictObject({ id: z.number(), name: z.string(), active: z.boolean() }).nullable(),
    members: z.number(),
    membersWithSubdepartments: z.number(),
    children: z.array(nodeSchema),
  }),
);
const treeSchema = z.strictObject({
  generation: z.number().nullable(),
  refreshedAt: z.number().nullable(),
  tree: z.array(nodeSchema),
});

const statusSchema = z.strictObject({
  state: z.enum(['never', 'running', 'idle', 'failed']),
  generation: z.number().nullable(),
  refreshedAt: z.number().nullable(),
  progress: z
    .strictObject({
      phase: z.string(),
      users: z.number(),
      departments: z.number(),
      workgroups: z.number(),
      requests: z.number(),
      startedAt: z.number(),
    })
    .optional(),
  lastRun: z
    .strictObject({
      trigger: z.string(),
      startedAt: z.number(),
      finishedAt: z.number(),
      durationMs: z.number(),
      users: z.number(),
      departments: z.number(),
      workgroups: z.number(),
      requests: z.number(),
    })
    .optional(),
  lastError: z.strictObject({ code: z.string(), message: z.string(), at: z.number() }).optional(),
  workgroups: z.strictObject({ available: z.boolean(), missingScope: z.string().optional() }),
  shown: z.strictObject({ users: z.number(), activeUsers: z.number(), departments: z.number() }).optional(),
});

describe('before the first sync', () => {
  it('answers empty lists with generation null and state never', async () => {
    const s = await stack({ users: 30 });
    const auth = `Bearer ${await s.session({ isAdmin: false })}`;

    const status = await s.request.get('/api/sync').set('authorization', auth);
    expect(status.status).toBe(200);
    expect(statusSchema.parse(status.body)).toEqual({
      state: 'never',
      generation: null,
      refreshedAt: null,
      workgroups: { available: false, missingScope: 'sonet_group' },
    });
    const tree = await s.request.get('/api/directory/departments').set('authorization', auth);
    expect(treeSchema.parse(tree.body)).toEqual({ generation: null, refreshedAt: null, tree: [] });
    const users = await s.request.get('/api/directory/users').set('authorization', auth);
    expect(usersPageSchema.parse(users.body)).toEqual({ generation: null, total: 0, nextCursor: null, users: [] });
  });

  it('needs a session', async () => {
    const s = await stack({ users: 10 });
    for (const path of ['/api/sync', '/api/directory/departments', '/api/directory/users']) {
      const res = await s.request.get(path);
      expect(res.status).toBe(401);
      expect(res.body.error).toBe('SESSION_MISSING');
    }
    expect((await s.request.post('/api/sync')).status).toBe(401);
  });
});

describe('POST /api/sync', () => {
  it('refuses non-admins and unknown admin status with 403 ADMIN_REQUIRED', async () => {
    const s = await stack({ users: 10 });
    for (const isAdmin of [false, null]) {
      const res = await s.request
        .post('/api/sync')
        .set('authorization', `Bearer ${await s.session({ userId: '5', isAdmin })}`);
      expect(res.status).toBe(403);
      expect(res.body).toEqual({ error: 'ADMIN_REQUIRED', message: expect.any(String) });
    }
    expect((await s.directory.status(s.memberId)).state).toBe('never');
  });

  it('starts a sync for an admin (202), says started:false while it runs, and reports the run afterwards', async () => {
    const s = await stack({ users: 3000 });
    const auth = `Bearer ${await s.session({ isAdmin: true })}`;
    const first = await s.request.post('/api/sync').set('authorization', auth);
    expect(first.status).toBe(202);
    expect(first.body.started).toBe(true);
    expect(statusSchema.parse(first.body.status).state).toBe('running');
    const second = await s.request.post('/api/sync').set('authorization', auth);
    expect(second.status).toBe(202);
    expect(second.body.started).toBe(false);

    await s.background.idle();
    const done = statusSchema.parse((await s.request.get('/api/sync').set('authorization', auth)).body);
    expect(done).toMatchObject({
      state: 'idle',
      generation: 1,
      lastRun: { trigger: 'admin', users: 3000, requests: 3 },
    });
    expect(done.refreshedAt).toBe(done.lastRun?.finishedAt);
    expect(done.progress).toBeUndefined();
    // What the directory lists, so the installer and the Directory page count alike (issue 13): the sync fetched
    // 3,000 records, fired users among them; the directory's default list has the active ones.
    const company = s.portal.directory;
    expect(done.shown).toEqual({
      users: 3000,
      activeUsers: company.users.filter((user) => user.active).length,
      departments: company.departments.length,
    });
    const listed = await s.request.get('/api/directory/users').query({ limit: '1' }).set('authorization', auth);
    expect(listed.body.total).toBe(done.shown?.activeUsers);
    expect(done.shown?.activeUsers).toBeLessThan(3000);
  });

  it('reports a failed sync with its code', async () => {
    const s = await stack({ users: 10 });
    s.portal.scopes = ['placement'];
    await expect(s.directory.runSync(s.memberId, 'admin')).rejects.toMatchObject({ bitrixCode: 'insufficient_scope' });
    const status = statusSchema.parse(
      (await s.request.get('/api/sync').set('authorization', `Bearer ${await s.session()}`)).body,
    );
    expect(status).toMatchObject({ state: 'failed', generation: null, lastError: { code: 'insufficient_scope' } });
  });
});

describe('GET /api/directory/*', () => {
  it('departments: the tree with heads and active member counts', async () => {
    const s = await stack({ users: 400 });
    await s.directory.runSync(s.memberId, 'admin');
    const res = await s.request
      .get('/api/directory/departments')
      .set('authorization', `Bearer ${await s.session({ isAdmin: false })}`);
    expect(res.status).toBe(200);
    const body = treeSchema.parse(res.body);
    expect(body.generation).toBe(1);
    const company = s.portal.directory;
    expect(body.tree).toHaveLength(1);
    const root = body.tree[0];
    const activeEmployees = company.users.filter((user) => user.active && user.departments.length > 0);
    expect(root?.membersWithSubdepartments).toBe(activeEmployees.length);
    const count = (node: Node): number => 1 + node.children.reduce((sum, child) => sum + count(child), 0);
    expect(count(root ?? body.tree[0]!)).toBe(company.departments.length);
    const withHead = company.departments.find((department) => department.head !== null);
    const find = (nodes: Node[], id: number): Node | undefined => {
      for (const node of nodes) {
        if (node.id === id) return node;
        const found = find(node.children, id);
        if (found !== undefined) return found;
      }
      return undefined;
    };
    const head = company.user(withHead?.head ?? 0);
    expect(find(body.tree, withHead?.id ?? 0)?.head).toEqual({
      id: head?.id,
      name: `${head?.name} ${head?.lastName}`.trim(),
      active: head?.active,
    });
  });

  it('users: search, department with and without sub-departments, activity, and cursor paging', async () => {
    const s = await stack({ users: 400 });
    await s.directory.runSync(s.memberId, 'admin');
    const auth = `Bearer ${await s.session({ isAdmin: true })}`;
    const get = async (query: Record<string, string>) => {
      const res = await s.request.get('/api/directory/users').query(query).set('authorization', auth);
      expect(res.status).toBe(200);
      return usersPageSchema.parse(res.body);
    };
    const company = s.portal.directory;

    const all = await get({ active: 'all', limit: '500' });
    expect(all.total).toBe(400);
    expect(all.users).toHaveLength(400);

    const active = await get({});
    expect(active.total).toBe(company.users.filter((user) => user.active).length);
    expect(active.users).toHaveLength(100);
    const fired = await get({ active: 'false', limit: '500' });
    expect(fired.users.every((user) => !user.active)).toBe(true);

    const someone = company.users.find((user) => user.active && user.lastName.length > 3);
    const byName = await get({ q: (someone?.lastName ?? '').toUpperCase() });
    expect(byName.users.map((user) => user.id)).toContain(someone?.id);

    const direct = await get({ department: '2', limit: '500' });
    expect(direct.users.every((user) => user.departments.some((department) => department.id === 2))).toBe(true);
    const deep = await get({ department: '2', subdepartments: 'true', limit: '500' });
    expect(deep.total).toBeGreaterThan(direct.total);
    const under2 = company.users.filter(
      (user) => user.active && user.departments.some((department) => company.selfAndAncestors(department).includes(2)),
    );
    expect(deep.total).toBe(under2.length);

    const seen = new Set<number>();
    let cursor: string | null = null;
    do {
      const page: z.infer<typeof usersPageSchema> = await get({
        active: 'all',
        limit: '150',
        ...(cursor === null ? {} : { cursor }),
      });
      for (const user of page.users) {
        expect(seen.has(user.id)).toBe(false);
        seen.add(user.id);
      }
      cursor = page.nextCursor;
    } while (cursor !== null);
    expect(seen.size).toBe(400);
  });

  it.each([
    [{ limit: '0' }, 'INVALID_LIMIT'],
    [{ limit: '501' }, 'INVALID_LIMIT'],
    [{ limit: 'ten' }, 'INVALID_LIMIT'],
    [{ active: 'maybe' }, 'INVALID_ACTIVE'],
    [{ subdepartments: 'yes' }, 'INVALID_SUBDEPARTMENTS'],
    [{ department: 'sales' }, 'INVALID_DEPARTMENT'],
    [{ department: '0' }, 'INVALID_DEPARTMENT'],
    [{ cursor: 'garbage' }, 'INVALID_CURSOR'],
    [{ q: 'x'.repeat(201) }, 'INVALID_Q'],
    ['q=a&q=b', 'INVALID_Q'],
  ])('users: a bad query %j → 400 %s', async (query, code) => {
    const s = await stack({ users: 10 });
    const res = await s.request
      .get('/api/directory/users')
      .query(query)
      .set('authorization', `Bearer ${await s.session()}`);
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: code, message: expect.any(String) });
  });
});
