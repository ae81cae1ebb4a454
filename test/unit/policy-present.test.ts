import { describe, expect, it } from 'vitest';
import { defaultPolicy, keepBuiltInTitles, presentPolicy } from '../../server/access/policy.js';
import { validatePolicy } from '../../server/access/validate.js';
import { loadManifest } from '../../server/manifest.js';
import { manifest as everyKind } from './access-fixtures.js';

// Issue 13, the roles matrix: built-in role names in the reader's language, unique role names, and only the grants
// the matrix shows.

const shipped = loadManifest('manifest/keycard.json');

describe('the policy as people read it', () => {
  it('titles built-in roles in the reader’s language until an admin renames them', () => {
    const saved = defaultPolicy(shipped, 'en');
    const renamed = {
      ...saved,
      roles: saved.roles.map((role) => (role.key === 'manager' ? { ...role, title: 'Sales' } : role)),
    };
    expect(presentPolicy(renamed, shipped, 'ru').roles.map((role) => role.title)).toEqual(['Администратор', 'Sales']);
    expect(presentPolicy(defaultPolicy(shipped, 'ru'), shipped, 'en').roles.map((role) => role.title)).toEqual([
      'Administrator',
      'Manager',
    ]);
  });

  it('a save in another language is no rename: the stored title stays', () => {
    const stored = defaultPolicy(shipped, 'en');
    const submitted = presentPolicy(stored, shipped, 'ru');
    expect(keepBuiltInTitles(submitted, stored, shipped).roles.map((role) => role.title)).toEqual([
      'Administrator',
      'Manager',
    ]);
  });

  it('leaves out grants of features an app update removed (they grant nothing and the matrix has no row for them)', () => {
    const before = defaultPolicy(everyKind, 'en');
    expect(Object.keys(before.roles[0]?.grants ?? {})).toContain('reports');
    expect(presentPolicy(before, shipped, 'en').roles.map((role) => Object.keys(role.grants).sort())).toEqual([
      ['directory', 'stock'],
      ['directory', 'stock'],
    ]);
  });
});

describe('role names', () => {
  it('must be unique (ignoring case and spaces at the ends)', () => {
    const policy = defaultPolicy(shipped, 'en');
    const copy = { key: 'copy', title: ' manager ', builtIn: false, grants: {} };
    expect(validatePolicy({ ...policy, roles: [...policy.roles, copy] }, shipped)).toEqual([
      { path: 'roles.2.title', message: 'role name manager is used twice' },
    ]);
  });
});
