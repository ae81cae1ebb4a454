import { describe, expect, it } from 'vitest';
import { auditPageSchema, accessCheckSchema, ruleSchema } from '../../client/api/accessSchemas';
import { ApiError, createApiClient } from '../../client/api/client';
import * as d from '../../client/api/decode';
import { departmentsResponseSchema, meSchema } from '../../client/api/schemas';

// The hand-written checks of the server's answers (client/api/decode.ts) replace zod in the browser: a
// malformed answer must still be refused, and say where, without echoing what it carried.

const me = {
  user: { id: '1', name: 'Admin', isAdmin: null },
  portal: { domain: 'acme.bitrix24.com', memberId: 'm1' },
  lang: 'ru',
  access: { open: true, manage: false, features: { stock: { level: 'read', levels: { read: ['w1'] } } } },
};

function problems(result: d.SafeParseResult<unknown>): string[] {
  return result.success ? [] : result.error.issues.map((issue) => issue.path);
}

describe('decoders', () => {
  it('accepts a well-formed answer and drops fields the UI does not know', () => {
    const parsed = meSchema.parse({ ...me, extra: 1, user: { ...me.user, avatar: 'x' } });
    expect(parsed).toEqual(me);
    expect(parsed).not.toHaveProperty('extra');
    expect(parsed.user).not.toHaveProperty('avatar');
  });

  it('names every misfit field with its path, and none of the values', () => {
    const secret = 'should-not-appear';
    const result = meSchema.safeParse({
      ...me,
      user: { id: 7, name: secret, isAdmin: 'yes' },
      lang: 'de',
      access: { ...me.access, features: { stock: { level: 3, levels: { read: secret } } } },
    });
    expect(problems(result)).toEqual([
      'user.id',
      'user.isAdmin',
      'lang',
      'access.features.stock.level',
      'access.features.stock.levels.read',
    ]);
    expect(result.success || result.error.message).toContain('user.isAdmin: expected a boolean');
    expect(result.success || result.error.message).not.toContain(secret);
  });

  it('refuses a body that is not an object, an array where one is wanted, and integers that are not', () => {
    expect(problems(meSchema.safeParse(null))).toEqual(['']);
    expect(problems(meSchema.safeParse([me]))).toEqual(['']);
    const tree = { generation: 1, refreshedAt: null, tree: [{ id: 1.5, name: 'HQ', sort: 1, head: null }] };
    expect(problems(departmentsResponseSchema.safeParse(tree))).toEqual([
      'tree[0].id',
      'tree[0].members',
      'tree[0].membersWithSubdepartments',
      'tree[0].children',
    ]);
  });

  it('checks recursive shapes at every depth', () => {
    const node = (id: number, children: unknown[]) => ({
      id,
      name: `D${id}`,
      sort: id,
      head: null,
      members: 1,
      membersWithSubdepartments: 1,
      children,
    });
    const good = { generation: 1, refreshedAt: 5, tree: [node(1, [node(2, [node(3, [])])])] };
    expect(departmentsResponseSchema.parse(good)).toEqual(good);
    const bad = { ...good, tree: [node(1, [node(2, [{ ...node(3, []), members: -1 }])])] };
    expect(problems(departmentsResponseSchema.safeParse(bad))).toEqual(['tree[0].children[0].children[0].members']);
  });

  it('reads ids given as numbers as strings, and unknown rule kinds as `other`', () => {
    const check = accessCheckSchema.parse({
      user: { id: 5, fullName: 'Ann', active: true, departments: [{ id: 3, name: 'Sales' }] },
      adminStatus: 'unknown',
      codes: ['U5'],
      access: { open: { allowed: true, level: null, reasons: [{ kind: 'future', x: 1 }] }, features: [] },
      names: {},
    });
    expect(check.user.id).toBe('5');
    expect(check.user.departments[0]?.id).toBe('3');
    expect(check.user).not.toHaveProperty('position');
    expect(check.access.open.reasons).toEqual([{ kind: 'other', name: 'future' }]);
  });

  it('shows a rule it cannot read as `other` instead of failing the answer, and fails an audit entry it cannot', () => {
    // A union takes the first option that fits: a known kind with a misfit field falls back to `other`.
    const result = ruleSchema.safeParse({ kind: 'allowList', code: 12 });
    expect(result.success && result.data).toEqual({ kind: 'other', name: 'allowList' });
    const audit = auditPageSchema.safeParse({ entries: [{ id: 1 }], nextCursor: null, names: {} });
    expect(problems(audit)).toEqual(['entries[0].version', 'entries[0].at', 'entries[0].actor', 'entries[0].changes']);
  });
});

describe('a malformed answer from the server', () => {
  it('is an invalid_response ApiError naming the misfit fields', async () => {
    const fetch: typeof globalThis.fetch = async () =>
      new Response(JSON.stringify({ ...me, access: { open: 'yes' } }), { status: 200 });
    const error = await createApiClient({ session: 's', fetch })
      .me()
      .catch((err: unknown) => err);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: 'invalid_response', status: 200 });
    expect(error instanceof ApiError && error.message).toBe(
      'GET /api/me returned an unexpected body: access.open: expected a boolean; access.manage: expected a boolean; ' +
        'access.features: expected an object',
    );
    expect(error instanceof ApiError && error.cause).toBeInstanceOf(d.DecodeError);
  });

  it('is an invalid_response when the body is not JSON at all', async () => {
    const fetch: typeof globalThis.fetch = async () => new Response('<html>proxy</html>', { status: 200 });
    await expect(createApiClient({ session: 's', fetch }).scopes()).rejects.toMatchObject({
      code: 'invalid_response',
      message: 'GET /api/scopes returned an unexpected body: (root): expected an object',
    });
  });
});
