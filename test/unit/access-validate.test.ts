import { describe, expect, it } from 'vitest';
import { parsePolicy, validatePolicy } from '../../server/access/validate.js';
import { defaultPolicy } from '../../server/access/policy.js';
import { manifest, policy } from './access-fixtures.js';

describe('validatePolicy', () => {
  it('accepts the default policy', () => {
    expect(validatePolicy(defaultPolicy(manifest), manifest)).toEqual([]);
    expect(parsePolicy(defaultPolicy(manifest), manifest).ok).toBe(true);
  });

  it('reports every unknown code, role, feature, level and resource by name, at once', () => {
    const bad = policy({
      allowList: ['U1', 'G1', 'U404'],
      delegates: ['DR0'],
      extraRoles: [
        {
          key: 'clerk',
          title: 'Clerk',
          builtIn: false,
          grants: {
            billing: { level: 'read' },
            directory: { level: 'edit' },
            reports: { level: 'read', resources: ['north'] },
            stock: { level: 'read', resources: ['north', 'atlantis'] },
            'access.manage': { level: 'edit' },
          },
        },
        { key: 'clerk', title: 'Clerk again', builtIn: true, grants: {} },
      ],
      assignments: [
        { code: 'U1', role: 'ghost' },
        { code: 'U1', role: 'clerk' },
        { code: 'U1', role: 'clerk' },
      ],
    });
    const known = { codes: new Set(['U1', 'D1', 'DR1']), resources: new Map([['warehouse', new Set(['north'])]]) };
    expect(validatePolicy(bad, manifest, known).map((problem) => problem.message)).toEqual([
      'G1 is not an access code Keycard understands',
      'access code U404 names no user, department or workgroup in the directory',
      'DR0 is not an access code Keycard understands',
      'role clerk grants unknown feature billing',
      'role clerk grants directory at level edit, which it does not have',
      'role clerk limits reports to resources, but reports has none',
      'role clerk limits stock to unknown warehouse atlantis',
      'role clerk grants unknown feature access.manage (access.manage is delegated, not granted by roles)',
      'role key clerk is used twice',
      'role clerk is marked built-in but the manifest has no such role',
      'U1 is assigned unknown role ghost',
      'U1 is assigned role clerk twice',
    ]);
  });

  it('reports missing built-in roles and shape errors with paths', () => {
    expect(validatePolicy({ ...policy(), roles: [] }, manifest).map((problem) => problem.message)).toEqual([
      'built-in role administrator is missing',
      'built-in role manager is missing',
    ]);
    expect(validatePolicy({ allowList: 'U1' }, manifest).map((problem) => problem.path)).toEqual([
      'allowList',
      'roles',
      'assignments',
      'delegates',
      'version',
    ]);
  });
  it('reports a code listed twice in the allow-list or the delegates', () => {
    const messages = validatePolicy({ ...policy(), allowList: ['U1', 'U1'], delegates: ['D2', 'D2'] }, manifest).map(
      (problem) => problem.message,
    );
    expect(messages).toEqual(['U1 is listed twice', 'D2 is listed twice']);
  });

  it('stores a plain workgroup code from the access dialog as its members code, and takes IU people', () => {
    const parsed = parsePolicy(
      { ...policy(), allowList: ['SG5', 'IU1'], delegates: ['SG6'], assignments: [{ code: 'SG5', role: 'manager' }] },
      manifest,
      { codes: new Set(['SG5_K', 'SG6_K', 'IU1']) },
    );
    expect(parsed).toMatchObject({
      ok: true,
      policy: { allowList: ['SG5_K', 'IU1'], delegates: ['SG6_K'], assignments: [{ code: 'SG5_K', role: 'manager' }] },
    });
  });
});
