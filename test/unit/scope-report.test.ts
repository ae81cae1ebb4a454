import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadManifest } from '../../server/manifest.js';
import { buildScopeReport, scopeGranted } from '../../server/portals/scope-report.js';

const manifest = loadManifest(fileURLToPath(new URL('../../manifest/keycard.json', import.meta.url)));
const ALL = ['user_brief', 'department', 'placement', 'sonet_group', 'im'];

describe('scopeGranted', () => {
  it.each<[string, string[], boolean]>([
    ['department', ['department'], true],
    ['department', ['user', 'placement'], false],
    ['user_brief', ['user_brief'], true],
    ['user_brief', ['user_basic'], true],
    ['user_brief', ['user'], true],
    ['user_basic', ['user'], true],
    ['user_basic', ['user_brief'], false],
    ['user', ['user_basic', 'user_brief'], false],
    ['user_brief', [], false],
    ['user_brief', ['user_brief_extra'], false],
    ['user_brief', ['USER_BRIEF'], false],
  ])('%s is granted by %j → %s', (requested, granted, expected) => {
    expect(scopeGranted(requested, granted)).toBe(expected);
  });
});

describe('buildScopeReport', () => {
  it('lists every requested scope as granted and no unavailable feature when all are granted', () => {
    const report = buildScopeReport(manifest, ALL, 'en', 'portal');
    expect(report.source).toBe('portal');
    expect(report.scopes.map((scope) => [scope.code, scope.granted])).toEqual([
      ['user_brief', true],
      ['department', true],
      ['placement', true],
      ['sonet_group', true],
      ['im', true],
    ]);
    expect(report.unavailableFeatures).toEqual([]);
  });

  it('maps each scope to the features that need it', () => {
    const report = buildScopeReport(manifest, ALL, 'en', 'portal');
    const byCode = new Map(report.scopes.map((scope) => [scope.code, scope]));
    expect(byCode.get('user_brief')?.features).toEqual([{ key: 'directory', title: 'Company directory' }]);
    expect(byCode.get('department')?.features).toEqual([{ key: 'directory', title: 'Company directory' }]);
    // The left-menu item is Bitrix24's to show (to whoever may open the app): no role feature depends on it.
    expect(byCode.get('placement')?.features).toEqual([]);
    expect(byCode.get('placement')?.title).toBe('Menu item and widgets');
    expect(byCode.get('placement')?.description).toMatch(/^Adds the app to the left menu/);
  });

  it('lists the directory as unavailable when department is missing', () => {
    const report = buildScopeReport(manifest, ['user_brief', 'placement', 'sonet_group'], 'en', 'stored');
    expect(report.scopes.find((scope) => scope.code === 'department')?.granted).toBe(false);
    expect(report.unavailableFeatures).toEqual([
      { key: 'directory', title: 'Company directory', missingScopes: ['department'] },
    ]);
  });

  it('counts user as covering user_brief', () => {
    const report = buildScopeReport(manifest, ['user', 'department', 'placement', 'sonet_group'], 'en', 'portal');
    expect(report.scopes.find((scope) => scope.code === 'user_brief')?.granted).toBe(true);
    expect(report.unavailableFeatures).toEqual([]);
  });

  it('names every missing scope of every affected feature', () => {
    const report = buildScopeReport(manifest, [], 'en', 'stored');
    expect(report.scopes.every((scope) => !scope.granted)).toBe(true);
    expect(report.unavailableFeatures).toEqual([
      { key: 'directory', title: 'Company directory', missingScopes: ['user_brief', 'department'] },
      { key: 'group_access', title: 'Access in workgroups', missingScopes: ['sonet_group'] },
    ]);
  });

  it('speaks Russian when lang is ru', () => {
    const report = buildScopeReport(manifest, ['user_brief'], 'ru', 'portal');
    const department = report.scopes.find((scope) => scope.code === 'department');
    expect(department?.title).toBe('Структура компании');
    expect(department?.description).toMatch(/^Читает отделы/);
    expect(department?.features).toEqual([{ key: 'directory', title: 'Справочник сотрудников' }]);
    expect(report.unavailableFeatures).toEqual([
      { key: 'directory', title: 'Справочник сотрудников', missingScopes: ['department'] },
      { key: 'group_access', title: 'Доступ в рабочих группах', missingScopes: ['sonet_group'] },
    ]);
  });

  it.each(['portal', 'stored'] as const)('passes source %s through', (source) => {
    expect(buildScopeReport(manifest, ALL, 'en', source).source).toBe(source);
  });

  it('ignores granted scopes the manifest does not request', () => {
    const report = buildScopeReport(manifest, [...ALL, 'crm', 'task'], 'en', 'portal');
    expect(report.scopes.map((scope) => scope.code)).toEqual([
      'user_brief',
      'department',
      'placement',
      'sonet_group',
      'im',
    ]);
  });
});
