import { describe, expect, it } from 'vitest';
import type { AuditChange, Rule } from '../../client/api/accessSchemas';
import { changeSentence } from '../../client/access/changeText';
import { ruleSentence } from '../../client/access/ruleText';
import { createAccessText } from '../../client/access/text';
import { testI18n } from './support/i18n';
import { manifest } from './support/access';

const names = {
  DR12: { title: 'Sales', kind: 'departmentTree' },
  D3: { title: 'Support', kind: 'department' },
  U7: { title: 'Ivan Petrov', kind: 'user' },
  SG4: { title: 'Project X', kind: 'group' },
  U99: { title: 'U99', kind: 'unknown' },
};

function sentences(lang: 'en' | 'ru' = 'en') {
  const i18n = testI18n(lang);
  const text = createAccessText(i18n, { names, manifest });
  return {
    text,
    rule: (rule: Rule) => ruleSentence(i18n, text, rule),
    change: (change: AuditChange) => changeSentence(i18n, text, change),
  };
}

describe('access texts', () => {
  it('names codes with their kind, and codes the server has not named from their syntax', () => {
    const { text } = sentences();
    expect(text.subject('DR12')).toBe('Sales (with sub-departments)');
    expect(text.subject('D3')).toBe('Support (without sub-departments)');
    expect(text.subject('SG4')).toBe('workgroup Project X');
    expect(text.subject('AU')).toBe('all authorized users');
    expect(text.codeName('D40')).toEqual({ title: 'D40', kind: 'department' });
    expect(text.kindLabel('departmentTree')).toBe('Department with sub-departments');
    expect(text.feature('access.manage')).toBe('Manage access');
    expect(text.level(null)).toBe('No access');
    expect(text.resources('stock', ['1', '3'])).toBe('Warehouse: only Main warehouse, South');
    expect(text.resources('stock', 'all')).toBe('Warehouse: all');
    expect(text.resources('reports', 'all')).toBeNull();
  });

  it('renders every rule as a sentence', () => {
    const { rule } = sentences();
    expect(
      rule({
        kind: 'role',
        code: 'DR12',
        role: 'manager',
        roleTitle: 'Manager',
        feature: 'reports',
        level: 'read',
        resources: null,
      }),
    ).toBe('Role Manager assigned to Sales (with sub-departments) grants Read');
    expect(
      rule({
        kind: 'role',
        code: 'U7',
        role: 'keeper',
        roleTitle: 'Keeper',
        feature: 'stock',
        level: 'edit',
        resources: ['2'],
      }),
    ).toBe('Role Keeper assigned to Ivan Petrov grants Edit (Warehouse: only North)');
    expect(rule({ kind: 'admin' })).toBe('Portal administrator');
    expect(rule({ kind: 'notInAllowList' })).toBe('Not in the access list');
    expect(rule({ kind: 'allowList', code: 'D3' })).toBe('On the access list as Support (without sub-departments)');
    expect(rule({ kind: 'allowListEmpty' })).toContain('everyone whom Bitrix24 lets in');
    expect(rule({ kind: 'adminOnly', feature: 'settings' })).toBe(
      'Only administrators and delegates may use App settings',
    );
    expect(rule({ kind: 'delegate', code: 'U7' })).toBe('Access management delegated to Ivan Petrov');
    expect(rule({ kind: 'noGrant', feature: 'reports', level: 'edit' })).toBe('No role grants Edit on Reports');
    expect(rule({ kind: 'fired' })).toBe('Fired employees cannot open Keycard');
    expect(rule({ kind: 'adminUnknown' })).toContain('Administrator status unknown');
    expect(rule({ kind: 'unknown', feature: 'x', level: 'y' })).toBe('x has no level y');
    expect(rule({ kind: 'other', name: 'quota' })).toBe('Rule “quota”');
  });

  it('renders audit changes with before → after', () => {
    const { change } = sentences();
    expect(change({ kind: 'allowList', action: 'added', code: 'DR12' })).toBe(
      'Added Sales (with sub-departments) to the access list',
    );
    expect(change({ kind: 'delegates', action: 'removed', code: 'U7' })).toBe(
      'Withdrew access management from Ivan Petrov',
    );
    expect(change({ kind: 'role', action: 'renamed', role: 'r', before: 'Old', after: 'New' })).toBe(
      'Renamed role Old → New',
    );
    expect(change({ kind: 'role', action: 'removed', role: 'r', title: 'Buyer' })).toBe('Deleted role Buyer');
    expect(
      change({
        kind: 'grant',
        role: 'r',
        title: 'Keeper',
        feature: 'stock',
        before: { level: 'read' },
        after: { level: 'edit', resources: ['1'] },
      }),
    ).toBe('Role Keeper: Stock by warehouse Read (Warehouse: all) → Edit (Warehouse: only Main warehouse)');
    expect(
      change({ kind: 'grant', role: 'r', title: 'Keeper', feature: 'reports', before: null, after: { level: 'read' } }),
    ).toBe('Role Keeper: Reports No access → Read');
    expect(change({ kind: 'assignment', action: 'added', code: 'AU', role: 'r', title: 'Keeper' })).toBe(
      'Assigned role Keeper to all authorized users',
    );
  });

  it('speaks Russian too', () => {
    const { rule, change } = sentences('ru');
    expect(
      rule({
        kind: 'role',
        code: 'DR12',
        role: 'manager',
        roleTitle: 'Менеджер',
        feature: 'reports',
        level: 'read',
        resources: null,
      }),
    ).toBe('Роль Менеджер (назначена: Sales (с подотделами)) даёт уровень «Read»');
    expect(change({ kind: 'allowList', action: 'removed', code: 'U7' })).toBe('Убран из списка доступа: Ivan Petrov');
  });
});
