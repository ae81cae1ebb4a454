import { describe, expect, it } from 'vitest';
import { codeKind, departmentCode, isSupportedCode, toCodeKind, userCode } from '../../client/access/codes';
import {
  addCodes,
  addRole,
  assignRole,
  copyRole,
  deleteRole,
  draftOf,
  newRoleKey,
  removeCode,
  renameRole,
  sameDraft,
  selectAll,
  setGrant,
  unassignRole,
  unselectAll,
} from '../../client/access/draft';
import { offeredLevels, topOfferedLevel } from '../../common/levels';
import { problemSection } from '../../client/access/problems';
import { rebaseDraft } from '../../client/access/rebase';
import { basePolicy, manifest } from './support/access';

const feature = (key: string) => {
  const found = manifest.features.find((item) => item.key === key);
  if (!found) throw new Error(`no feature ${key}`);
  return found;
};
const role = (draft: ReturnType<typeof draftOf>, key: string) => draft.roles.find((item) => item.key === key);

describe('codes', () => {
  it('builds U, D, DR codes and reads kinds from their syntax', () => {
    expect(userCode(7)).toBe('U7');
    expect(departmentCode(12, true)).toBe('DR12');
    expect(departmentCode(12, false)).toBe('D12');
    expect(['U7', 'D3', 'DR3', 'SG5_K', 'AU', 'CR'].map(codeKind)).toEqual([
      'user',
      'department',
      'departmentTree',
      'group',
      'allUsers',
      'unknown',
    ]);
    expect(toCodeKind('departmentTree')).toBe('departmentTree');
    expect(toCodeKind('somethingNew')).toBe('unknown');
  });

  it('accepts the codes the server understands and refuses the dialog’s others', () => {
    expect(['AU', 'U1', 'IU1', 'D2', 'DR3', 'SG4', 'SG4_A'].every(isSupportedCode)).toBe(true);
    expect(['CR', 'IU0', 'G2', 'U0', 'DR', 'u1', ''].some(isSupportedCode)).toBe(false);
  });
});

describe('levels', () => {
  it('offers a feature’s levels whose requirements it also offers', () => {
    expect(offeredLevels(manifest, feature('stock')).map((level) => level.key)).toEqual(['read', 'edit']);
    expect(offeredLevels(manifest, feature('directory')).map((level) => level.key)).toEqual(['read']);
    // "edit" needs "read", which notes lacks: edit alone would be no access, so it is not offered.
    expect(offeredLevels(manifest, feature('notes'))).toEqual([]);
    expect(topOfferedLevel(manifest, feature('reports'))).toBe('edit');
    expect(topOfferedLevel(manifest, feature('notes'))).toBeNull();
  });
});

describe('draft operations', () => {
  it('copies the policy deeply and compares drafts regardless of grant and resource order', () => {
    const draft = setGrant(draftOf(basePolicy), 'manager', 'stock', { level: 'read', resources: ['1', '3'] });
    expect(draft).not.toHaveProperty('version');
    const manager = role(draft, 'manager');
    if (!manager) throw new Error('no manager');
    // The same grants, listed in another order, with the resources in another order.
    const { stock, ...others } = manager.grants;
    const reordered = {
      ...draft,
      roles: draft.roles.map((item) =>
        item.key === 'manager'
          ? { ...item, grants: { stock: { level: 'read', resources: ['3', '1'] }, ...others } }
          : item,
      ),
    };
    expect(Object.keys(role(reordered, 'manager')?.grants ?? {})).not.toEqual(Object.keys(manager.grants));
    expect(stock).toEqual({ level: 'read', resources: ['1', '3'] });
    expect(sameDraft(draft, reordered)).toBe(true);
    expect(sameDraft(draft, setGrant(draft, 'manager', 'stock', { level: 'read' }))).toBe(false);
    expect(basePolicy.roles[1]?.grants.stock).toEqual({ level: 'read', resources: ['1'] });
  });

  it('adds codes once and removes them', () => {
    const draft = addCodes(draftOf(basePolicy), 'allowList', ['D5', 'U7', 'D5']);
    expect(draft.allowList).toEqual(['DR12', 'U7', 'D5']);
    expect(removeCode(draft, 'allowList', 'U7').allowList).toEqual(['DR12', 'D5']);
    expect(addCodes(draft, 'delegates', ['U10']).delegates).toEqual(['U9', 'U10']);
  });

  it('sets and clears a grant with its resources', () => {
    const draft = setGrant(draftOf(basePolicy), 'manager', 'stock', { level: 'edit', resources: ['1', '3'] });
    expect(role(draft, 'manager')?.grants.stock).toEqual({ level: 'edit', resources: ['1', '3'] });
    expect(role(setGrant(draft, 'manager', 'stock', null), 'manager')?.grants).not.toHaveProperty('stock');
  });

  it('adds, copies (after the source, with its permissions but not its assignments), renames and deletes roles', () => {
    let draft = addRole(draftOf(basePolicy), 'role-new', 'Storekeeper');
    expect(role(draft, 'role-new')).toEqual({ key: 'role-new', title: 'Storekeeper', builtIn: false, grants: {} });

    draft = copyRole(draft, 'manager', 'role-copy', 'Copy of Manager', manifest);
    expect(draft.roles.map((item) => item.key)).toEqual(['administrator', 'manager', 'role-copy', 'role-new']);
    expect(role(draft, 'role-copy')?.grants).toEqual(role(draft, 'manager')?.grants);
    expect(role(draft, 'role-copy')?.builtIn).toBe(false);
    expect(draft.assignments.filter((item) => item.role === 'role-copy')).toEqual([]);

    draft = renameRole(draft, 'role-copy', 'Senior manager');
    expect(role(draft, 'role-copy')?.title).toBe('Senior manager');

    draft = assignRole(draft, 'role-copy', ['U7', 'D3']);
    draft = deleteRole(draft, 'role-copy');
    expect(role(draft, 'role-copy')).toBeUndefined();
    expect(draft.assignments).toEqual([{ code: 'D3', role: 'manager' }]);
  });

  it('never deletes a built-in role', () => {
    const draft = draftOf(basePolicy);
    expect(deleteRole(draft, 'manager')).toBe(draft);
  });

  it('selects all (top offered level, all resources) and unselects all, leaving admin-only grants alone', () => {
    const all = selectAll(draftOf(basePolicy), 'manager', manifest);
    expect(role(all, 'manager')?.grants).toEqual({
      directory: { level: 'read' },
      reports: { level: 'edit' },
      stock: { level: 'edit' },
    });

    const none = unselectAll(draftOf(basePolicy), 'administrator', manifest);
    expect(role(none, 'administrator')?.grants).toEqual({ settings: { level: 'edit' } });
  });

  it('assigns a role to codes once and unassigns it', () => {
    const draft = assignRole(draftOf(basePolicy), 'manager', ['D3', 'U7']);
    expect(draft.assignments).toEqual([
      { code: 'D3', role: 'manager' },
      { code: 'U7', role: 'manager' },
    ]);
    expect(unassignRole(draft, 'manager', 'D3').assignments).toEqual([{ code: 'U7', role: 'manager' }]);
  });

  it('makes role keys no role uses', () => {
    const values = [0.5, 0.5, 0.25];
    const draft = addRole(
      draftOf(basePolicy),
      newRoleKey(draftOf(basePolicy), () => 0.5),
      'A',
    );
    const key = newRoleKey(draft, () => values.shift() ?? 0.1);
    expect(key).toMatch(/^role-[0-9a-z]{6}$/);
    expect(draft.roles.some((item) => item.key === key)).toBe(false);
  });
});

describe('problemSection', () => {
  it('names the part of the settings a problem path points at', () => {
    const draft = draftOf(basePolicy);
    expect(problemSection('allowList.0', draft)).toEqual({ key: 'settings.problems.allowList' });
    expect(problemSection('roles.1.grants.stock.level', draft)).toEqual({
      key: 'settings.problems.role',
      params: { title: 'Manager' },
    });
    expect(problemSection('roles', draft)).toEqual({ key: 'settings.problems.roles' });
    expect(problemSection('assignments.0.role', draft)).toEqual({ key: 'settings.problems.assignments' });
    expect(problemSection('delegates.0', null)).toEqual({ key: 'settings.problems.delegates' });
    expect(problemSection('version', null)).toEqual({ key: 'settings.problems.policy' });
  });
});

describe('rebaseDraft', () => {
  const base = draftOf(basePolicy);

  it('replays added and removed codes and assignments on top of theirs', () => {
    let mine = addCodes(base, 'allowList', ['D5']);
    mine = removeCode(mine, 'allowList', 'U7');
    mine = assignRole(mine, 'manager', ['U20']);
    mine = unassignRole(mine, 'manager', 'D3');
    const theirs = { ...addCodes(base, 'allowList', ['AU']), delegates: ['U9', 'U11'] };

    const result = rebaseDraft(base, mine, theirs);
    expect(result.allowList).toEqual(['DR12', 'AU', 'D5']);
    expect(result.delegates).toEqual(['U9', 'U11']);
    expect(result.assignments).toEqual([{ code: 'U20', role: 'manager' }]);
  });

  it('replays my grant changes and renames, keeping theirs on what I did not touch', () => {
    let mine = setGrant(base, 'manager', 'stock', { level: 'edit', resources: ['2'] });
    mine = renameRole(mine, 'manager', 'Sales manager');
    const theirs = setGrant(setGrant(base, 'manager', 'reports', { level: 'edit' }), 'manager', 'stock', {
      level: 'read',
    });

    const manager = role(rebaseDraft(base, mine, theirs), 'manager');
    expect(manager?.title).toBe('Sales manager');
    expect(manager?.grants.reports).toEqual({ level: 'edit' });
    expect(manager?.grants.stock).toEqual({ level: 'edit', resources: ['2'] });
  });

  it('keeps roles I added and drops roles I deleted, with their assignments', () => {
    let mine = addRole(base, 'role-a', 'Auditor');
    mine = assignRole(mine, 'role-a', ['U7']);
    const withExtra = assignRole(addRole(base, 'role-b', 'Buyer'), 'role-b', ['D3']);
    const baseWithB = withExtra;
    const mineWithoutB = deleteRole(assignRole(addRole(withExtra, 'role-a', 'Auditor'), 'role-a', ['U7']), 'role-b');

    const result = rebaseDraft(baseWithB, mineWithoutB, setGrant(withExtra, 'role-b', 'reports', { level: 'read' }));
    expect(result.roles.map((item) => item.key)).toEqual(['administrator', 'manager', 'role-a']);
    expect(result.assignments).toEqual([
      { code: 'D3', role: 'manager' },
      { code: 'U7', role: 'role-a' },
    ]);
    expect(rebaseDraft(base, mine, base).roles.map((item) => item.key)).toContain('role-a');
  });

  it('brings back a role they deleted if I changed it, and drops my assignments to a role they deleted that I did not change', () => {
    const baseWithB = addRole(base, 'role-b', 'Buyer');
    const mine = setGrant(assignRole(baseWithB, 'role-b', ['U7']), 'role-b', 'reports', { level: 'read' });
    expect(rebaseDraft(baseWithB, mine, base).roles.map((item) => item.key)).toContain('role-b');

    const onlyAssigned = assignRole(baseWithB, 'role-b', ['U7']);
    const result = rebaseDraft(baseWithB, onlyAssigned, base);
    expect(result.roles.map((item) => item.key)).not.toContain('role-b');
    expect(result.assignments).toEqual([{ code: 'D3', role: 'manager' }]);
  });
});
