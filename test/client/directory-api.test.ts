import { describe, expect, it } from 'vitest';
import { ApiError, createApiClient, usersPath } from '../../client/api/client';
import {
  departmentsResponseSchema,
  syncStartSchema,
  syncStatusSchema,
  usersPageSchema,
} from '../../client/api/schemas';

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

function stubFetch(respond: () => Response) {
  const calls: { url: string; method: string | undefined; auth: string | null }[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    calls.push({ url: String(input), method: init?.method, auth: new Headers(init?.headers).get('Authorization') });
    return respond();
  };
  return { fetch, calls };
}

const running = {
  state: 'running',
  generation: 4,
  refreshedAt: 1_746_530_000_000,
  progress: {
    phase: 'users',
    users: 12_000,
    departments: 300,
    workgroups: 0,
    requests: 61,
    startedAt: 1_746_533_000_000,
  },
  lastRun: {
    trigger: 'schedule',
    startedAt: 1_746_529_958_000,
    finishedAt: 1_746_530_000_000,
    durationMs: 42_000,
    users: 50_000,
    departments: 1365,
    workgroups: 12,
    requests: 290,
  },
  lastError: { code: 'QUERY_LIMIT_EXCEEDED', message: 'Too many requests', at: 1_746_520_000_000 },
  workgroups: { available: false, missingScope: 'sonet_group' },
};

const tree = {
  generation: 4,
  refreshedAt: 1_746_530_000_000,
  tree: [
    {
      id: 1,
      name: 'Acme',
      sort: 500,
      head: { id: 1, name: 'Ivan Ivanov', active: true },
      members: 3,
      membersWithSubdepartments: 5,
      children: [
        { id: 2, name: 'Sales', sort: 100, head: null, members: 2, membersWithSubdepartments: 2, children: [] },
      ],
    },
  ],
};

const usersPage = {
  generation: 4,
  total: 50_000,
  nextCursor: 'c2',
  users: [
    {
      id: 7,
      name: 'Anna',
      lastName: 'Petrova',
      fullName: 'Anna Petrova',
      email: null,
      position: '',
      type: 'extranet',
      active: false,
      photo: 'https://cdn.example/a.png',
      departments: [{ id: 2, name: 'Sales' }],
    },
  ],
};

describe('directory schemas', () => {
  it('parse a running sync with every optional part', () => {
    expect(syncStatusSchema.parse(running)).toEqual(running);
  });

  it('parse the status before the first sync, with optional parts left out or null', () => {
    const never = { state: 'never', generation: null, refreshedAt: null, workgroups: { available: true } };
    expect(syncStatusSchema.parse(never)).toEqual(never);
    const nulls = { ...never, progress: null, lastRun: null, lastError: null };
    expect(syncStatusSchema.parse(nulls).progress).toBeNull();
  });

  it('reject an unknown sync state, but accept a phase or trigger the UI has no label for', () => {
    expect(syncStatusSchema.safeParse({ ...running, state: 'paused' }).success).toBe(false);
    expect(
      syncStatusSchema.parse({ ...running, progress: { ...running.progress, phase: 'members' } }).progress?.phase,
    ).toBe('members');
    expect(
      syncStatusSchema.parse({ ...running, lastRun: { ...running.lastRun, trigger: 'event' } }).lastRun?.trigger,
    ).toBe('event');
  });

  it('parse the POST answer', () => {
    expect(syncStartSchema.parse({ started: false, status: running }).started).toBe(false);
  });

  it('parse the department tree at every depth', () => {
    const parsed = departmentsResponseSchema.parse(tree);
    expect(parsed.tree[0]?.children[0]?.name).toBe('Sales');
    const broken = structuredClone(tree);
    Object.assign(broken.tree[0]?.children[0] ?? {}, { members: 'two' });
    expect(departmentsResponseSchema.safeParse(broken).success).toBe(false);
  });

  it('parse a users page and an empty one before the first sync', () => {
    expect(usersPageSchema.parse(usersPage)).toEqual(usersPage);
    expect(usersPageSchema.parse({ generation: null, total: 0, nextCursor: null, users: [] }).users).toEqual([]);
    expect(
      usersPageSchema.parse({ ...usersPage, users: [{ ...usersPage.users[0], type: 'bot' }] }).users[0]?.type,
    ).toBe('bot');
    expect(usersPageSchema.safeParse({ ...usersPage, users: [{ ...usersPage.users[0], active: 'Y' }] }).success).toBe(
      false,
    );
  });
});

describe('usersPath', () => {
  it('leaves empty filters out', () => {
    expect(usersPath({})).toBe('/api/directory/users');
    expect(usersPath({ q: '   ', department: null, cursor: null })).toBe('/api/directory/users');
  });

  it('maps every filter to the documented parameter', () => {
    const url = new URL(
      usersPath({ q: ' anna ', department: 12, subdepartments: false, active: 'fired', cursor: 'abc', limit: 200 }),
      'http://x',
    );
    expect(url.pathname).toBe('/api/directory/users');
    expect(Object.fromEntries(url.searchParams)).toEqual({
      q: 'anna',
      department: '12',
      subdepartments: 'false',
      active: 'false',
      cursor: 'abc',
      limit: '200',
    });
    expect(new URL(usersPath({ active: 'all' }), 'http://x').searchParams.get('active')).toBe('all');
    expect(new URL(usersPath({ active: 'active' }), 'http://x').searchParams.get('active')).toBe('true');
  });

  it('sends subdepartments only with a department, and caps the limit at 500', () => {
    expect(usersPath({ subdepartments: true })).toBe('/api/directory/users');
    expect(usersPath({ limit: 10_000 })).toBe('/api/directory/users?limit=500');
  });

  it('encodes search text', () => {
    const url = new URL(usersPath({ q: 'a&b=<c>' }), 'http://x');
    expect(url.searchParams.get('q')).toBe('a&b=<c>');
  });
});

describe('directory API client', () => {
  it('GETs the sync status and the tree with the session', async () => {
    const { fetch, calls } = stubFetch(() => json(200, running));
    const api = createApiClient({ session: 'tok', fetch });
    await expect(api.syncStatus()).resolves.toEqual(running);
    expect(calls[0]).toEqual({ url: '/api/sync', method: 'GET', auth: 'Bearer tok' });

    const second = stubFetch(() => json(200, tree));
    await createApiClient({ session: 'tok', fetch: second.fetch }).departments();
    expect(second.calls[0]?.url).toBe('/api/directory/departments');
  });

  it('POSTs /api/sync and accepts the 202 answer', async () => {
    const { fetch, calls } = stubFetch(() => json(202, { started: true, status: running }));
    const result = await createApiClient({ session: 'tok', fetch }).startSync();
    expect(calls[0]).toMatchObject({ url: '/api/sync', method: 'POST', auth: 'Bearer tok' });
    expect(result.started).toBe(true);
  });

  it('turns the 403 for non-admins into ApiError ADMIN_REQUIRED', async () => {
    const { fetch } = stubFetch(() =>
      json(403, { error: 'ADMIN_REQUIRED', message: 'Only portal administrators can do this.' }),
    );
    const error = await createApiClient({ session: 'tok', fetch })
      .startSync()
      .catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: 'ADMIN_REQUIRED', status: 403 });
  });

  it('requests a users page with the query', async () => {
    const { fetch, calls } = stubFetch(() => json(200, usersPage));
    const page = await createApiClient({ session: 'tok', fetch }).users({ q: 'anna', cursor: 'c1', limit: 200 });
    expect(calls[0]?.url).toBe('/api/directory/users?q=anna&cursor=c1&limit=200');
    expect(page.nextCursor).toBe('c2');
  });
});
