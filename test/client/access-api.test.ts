import { describe, expect, it, vi } from 'vitest';
import { ApiError, auditPath, createApiClient } from '../../client/api/client';
import { policyResponse } from './support/access';

interface Sent {
  url: string;
  method: string | undefined;
  headers: Headers;
  body: unknown;
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json', ...headers } });
}

function stubFetch(respond: () => Response) {
  const sent: Sent[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    const text = typeof init?.body === 'string' ? init.body : null;
    sent.push({
      url: String(input),
      method: init?.method,
      headers: new Headers(init?.headers),
      body: text === null ? undefined : JSON.parse(text),
    });
    return respond();
  };
  return { fetch, sent };
}

const draft = {
  allowList: ['DR12', 'U7', 'D5'],
  roles: policyResponse().policy.roles,
  assignments: [{ code: 'D3', role: 'manager' }],
  delegates: ['U9'],
};

describe('policy', () => {
  it('reads the policy with its etag, manifest and names', async () => {
    const { fetch, sent } = stubFetch(() => json(200, policyResponse(), { ETag: '"v4"' }));
    const answer = await createApiClient({ session: 's', fetch }).policy();
    expect(sent[0]?.url).toBe('/api/access/policy');
    expect(answer.etag).toBe('"v4"');
    expect(answer.policy.allowList).toEqual(['DR12', 'U7']);
    expect(answer.names.DR12).toEqual({ title: 'Sales', kind: 'departmentTree' });
    expect(answer.manifest.features.find((feature) => feature.key === 'stock')?.resource).toBe('warehouse');
  });

  it('saves with PUT, If-Match and the four lists as JSON, and returns the new policy', async () => {
    const saved = policyResponse({ version: 5, etag: '"v5"', allowList: draft.allowList });
    const { fetch, sent } = stubFetch(() => json(200, saved));
    const result = await createApiClient({ session: 's', fetch }).savePolicy('"v4"', { ...draft });

    expect(sent[0]?.method).toBe('PUT');
    expect(sent[0]?.url).toBe('/api/access/policy');
    expect(sent[0]?.headers.get('If-Match')).toBe('"v4"');
    expect(sent[0]?.headers.get('Content-Type')).toBe('application/json');
    expect(sent[0]?.headers.get('Authorization')).toBe('Bearer s');
    expect(sent[0]?.body).toEqual(draft);
    expect(result).toEqual({ outcome: 'saved', response: saved });
  });

  it('answers a 400 INVALID_POLICY with its problems', async () => {
    const problems = [{ path: 'assignments.0.role', message: 'U5 is assigned unknown role boss' }];
    const { fetch } = stubFetch(() => json(400, { error: 'INVALID_POLICY', message: 'Invalid policy', problems }));
    await expect(createApiClient({ session: 's', fetch }).savePolicy('"v4"', draft)).resolves.toEqual({
      outcome: 'invalid',
      problems,
    });
  });

  it('answers a 409 POLICY_CHANGED with what the other admin saved', async () => {
    const current = policyResponse({ version: 6, etag: '"v6"', allowList: ['AU'] });
    const { fetch } = stubFetch(() => json(409, { error: 'POLICY_CHANGED', message: 'Changed', current }));
    await expect(createApiClient({ session: 's', fetch }).savePolicy('"v4"', draft)).resolves.toEqual({
      outcome: 'changed',
      current,
    });
  });

  it('throws other refusals as ApiErrors: 428 and DELEGATES_ADMIN_ONLY', async () => {
    const missing = stubFetch(() => json(428, { error: 'PRECONDITION_REQUIRED', message: 'If-Match required' }));
    await expect(
      createApiClient({ session: 's', fetch: missing.fetch }).savePolicy('"v4"', draft),
    ).rejects.toMatchObject({
      status: 428,
      code: 'PRECONDITION_REQUIRED',
    });
    const delegates = stubFetch(() => json(403, { error: 'DELEGATES_ADMIN_ONLY', message: 'Admins only' }));
    const error = await createApiClient({ session: 's', fetch: delegates.fetch })
      .savePolicy('"v4"', draft)
      .catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 403, code: 'DELEGATES_ADMIN_ONLY' });
  });

  it('treats a 409 without a readable current policy as an invalid response', async () => {
    const { fetch } = stubFetch(() => json(409, { error: 'POLICY_CHANGED', message: 'Changed' }));
    await expect(createApiClient({ session: 's', fetch }).savePolicy('"v4"', draft)).rejects.toMatchObject({
      code: 'invalid_response',
      status: 409,
    });
  });
});

describe('access withdrawn', () => {
  it('reports a 403 APP_ACCESS_DENIED to onAccessDenied, and no other 403', async () => {
    const onAccessDenied = vi.fn();
    const denied = stubFetch(() => json(403, { error: 'APP_ACCESS_DENIED', message: 'No access' }));
    await expect(createApiClient({ session: 's', fetch: denied.fetch, onAccessDenied }).scopes()).rejects.toMatchObject(
      { code: 'APP_ACCESS_DENIED' },
    );
    expect(onAccessDenied).toHaveBeenCalledTimes(1);

    const other = stubFetch(() => json(403, { error: 'FEATURE_DENIED', message: 'No' }));
    await expect(createApiClient({ session: 's', fetch: other.fetch, onAccessDenied }).stock()).rejects.toMatchObject({
      status: 403,
    });
    expect(onAccessDenied).toHaveBeenCalledTimes(1);
  });
});

describe('check, conflicts, audit, stock', () => {
  it('asks for one user and reads unknown rule kinds as "other"', async () => {
    const body = {
      user: {
        id: 5,
        fullName: 'Anna Smith',
        position: 'Manager',
        active: true,
        departments: [{ id: 3, name: 'Sales' }],
      },
      adminStatus: 'notAdmin',
      codes: ['U5', 'D3', 'DR3', 'AU'],
      access: {
        open: { allowed: true, level: null, reasons: [{ kind: 'allowList', code: 'DR3' }] },
        features: [{ feature: 'reports', level: null, levels: [], denied: [{ kind: 'quota' }] }],
      },
      names: {},
    };
    const { fetch, sent } = stubFetch(() => json(200, body));
    const result = await createApiClient({ session: 's', fetch }).checkUser('5');
    expect(sent[0]?.url).toBe('/api/access/check?user=5');
    expect(result.user.id).toBe('5');
    expect(result.access.features[0]?.denied).toEqual([{ kind: 'other', name: 'quota' }]);
  });

  it('builds the audit query from the filter and the cursor', () => {
    expect(auditPath({})).toBe('/api/audit?limit=50');
    expect(auditPath({ actor: '1', code: 'DR12', cursor: '6', limit: 10 })).toBe(
      '/api/audit?limit=10&cursor=6&actor=1&code=DR12',
    );
    expect(auditPath({ actor: null, code: null, cursor: null })).toBe('/api/audit?limit=50');
  });

  it('parses audit changes of every kind', async () => {
    const body = {
      entries: [
        {
          id: '7',
          version: 7,
          at: 1_795_000_000_000,
          actor: { id: '1', name: 'Admin Name' },
          changes: [
            { kind: 'allowList', action: 'added', code: 'DR12' },
            { kind: 'role', action: 'renamed', role: 'r1', before: 'Old', after: 'New' },
            { kind: 'role', action: 'added', role: 'r2', title: 'Storekeeper' },
            {
              kind: 'grant',
              role: 'r2',
              title: 'Storekeeper',
              feature: 'stock',
              before: null,
              after: { level: 'read', resources: ['1'] },
            },
            { kind: 'assignment', action: 'removed', code: 'U7', role: 'manager', title: 'Manager' },
          ],
        },
      ],
      nextCursor: '6',
      names: {},
    };
    const { fetch } = stubFetch(() => json(200, body));
    const page = await createApiClient({ session: 's', fetch }).audit({});
    expect(page.entries[0]?.changes.map((change) => change.kind)).toEqual([
      'allowList',
      'role',
      'role',
      'grant',
      'assignment',
    ]);
    expect(page.entries[0]?.changes[1]).toMatchObject({ action: 'renamed', before: 'Old', after: 'New' });
    expect(page.nextCursor).toBe('6');
  });

  it('reads conflicts and stock', async () => {
    const conflicts = stubFetch(() => json(200, { total: 0, people: 0, truncated: false, groups: [], names: {} }));
    await expect(createApiClient({ session: 's', fetch: conflicts.fetch }).conflicts()).resolves.toMatchObject({
      total: 0,
    });
    expect(conflicts.sent[0]?.url).toBe('/api/access/conflicts');

    const stock = stubFetch(() =>
      json(200, {
        warehouses: [{ id: '1', name: 'Main', canEdit: false }],
        items: [{ sku: 'KB-100', name: 'Keyboard', quantities: { '1': 40 } }],
      }),
    );
    await expect(createApiClient({ session: 's', fetch: stock.fetch }).stock()).resolves.toMatchObject({
      items: [{ quantities: { '1': 40 } }],
    });
    expect(stock.sent[0]?.url).toBe('/api/stock');

    const changed = stubFetch(() =>
      json(200, {
        warehouses: [{ id: '1', name: 'Main', canEdit: true }],
        items: [{ sku: 'KB-100', name: 'Keyboard', quantities: { '1': 41 } }],
      }),
    );
    await expect(
      createApiClient({ session: 's', fetch: changed.fetch }).setStockCount('KB-100', '1', 41),
    ).resolves.toMatchObject({ items: [{ quantities: { '1': 41 } }] });
    expect(changed.sent[0]).toMatchObject({ url: '/api/stock/KB-100/1', method: 'PUT', body: { quantity: 41 } });
  });
});
