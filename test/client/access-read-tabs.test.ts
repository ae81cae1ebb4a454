// @vitest-environment happy-dom
import B24SelectMenu from '@bitrix24/b24ui-nuxt/components/SelectMenu.vue';
import { flushPromises } from '@vue/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { AccessCheck, AuditPage } from '../../client/api/accessSchemas';
import { SEARCH_DEBOUNCE_MS } from '../../client/components/directory/listLayout';
import { makeUser } from './support/directory';
import { partlyGranted, stubApi } from './support/fakes';
import { mountAt } from './support/pages';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
});
afterEach(() => {
  vi.useRealTimers();
  document.body.innerHTML = '';
});

const anna: AccessCheck = {
  user: {
    id: '5',
    fullName: 'Anna Smith',
    position: 'Sales manager',
    active: true,
    departments: [{ id: '12', name: 'Sales' }],
  },
  adminStatus: 'unknown',
  codes: ['U5', 'D12', 'DR12', 'AU'],
  access: {
    open: { allowed: true, level: null, reasons: [{ kind: 'allowList', code: 'DR12' }] },
    features: [
      {
        feature: 'reports',
        level: 'read',
        levels: [
          {
            level: 'read',
            resources: 'all',
            reasons: [
              {
                kind: 'role',
                code: 'DR12',
                role: 'manager',
                roleTitle: 'Manager',
                feature: 'reports',
                level: 'read',
                resources: null,
              },
            ],
          },
        ],
        denied: [],
      },
      {
        feature: 'stock',
        level: 'read',
        levels: [
          {
            level: 'read',
            resources: ['1'],
            reasons: [
              {
                kind: 'role',
                code: 'DR12',
                role: 'manager',
                roleTitle: 'Manager',
                feature: 'stock',
                level: 'read',
                resources: ['1'],
              },
            ],
          },
        ],
        denied: [],
      },
      { feature: 'settings', level: null, levels: [], denied: [{ kind: 'adminUnknown' }] },
      { feature: 'access.manage', level: null, levels: [], denied: [{ kind: 'adminOnly', feature: 'access.manage' }] },
    ],
  },
  names: {
    DR12: { title: 'Sales', kind: 'departmentTree' },
    D12: { title: 'Sales', kind: 'department' },
    U5: { title: 'Anna Smith', kind: 'user' },
  },
};

describe('Check a user tab', () => {
  it('finds a person in the mirror and explains what they may do, in sentences', async () => {
    const api = stubApi(partlyGranted);
    api.users.mockResolvedValue({
      generation: 3,
      total: 1,
      nextCursor: null,
      users: [makeUser(5, { fullName: 'Anna Smith' })],
    });
    api.checkUser.mockResolvedValue(anna);
    const { wrapper } = await mountAt('/access/check', { api });

    await wrapper.find('input[data-testid="check-user-search"]').setValue('anna');
    await vi.advanceTimersByTimeAsync(SEARCH_DEBOUNCE_MS);
    await flushPromises();
    await wrapper.find('[data-testid="user-result"][data-user-id="5"]').trigger('click');
    await flushPromises();

    expect(api.checkUser).toHaveBeenCalledWith('5', expect.anything());
    expect(wrapper.find('[data-testid="check-user-name"]').text()).toBe('Anna Smith');
    const open = wrapper.find('[data-testid="check-open"]');
    expect(open.attributes('data-allowed')).toBe('true');
    expect(open.text()).toContain('May open Keycard');
    expect(open.text()).toContain('On the access list as Sales (with sub-departments)');
    expect(wrapper.find('[data-testid="check-admin-status"]').text()).toContain('Administrator status unknown');

    const feature = (key: string) => wrapper.find(`[data-testid="check-feature"][data-feature="${key}"]`);
    expect(feature('reports').find('[data-testid="check-level"]').text()).toBe('Read');
    expect(feature('reports').text()).toContain('Role Manager assigned to Sales (with sub-departments) grants Read');
    expect(feature('stock').find('[data-testid="check-level-reasons"]').text()).toContain(
      'Read · Warehouse: only Main warehouse',
    );
    expect(feature('settings').find('[data-testid="check-level"]').text()).toBe('No access');
    expect(feature('settings').find('[data-testid="check-denied"]').text()).toContain('Administrator status unknown');
    expect(feature('access.manage').text()).toContain('Only administrators and delegates may use Manage access');
    expect(wrapper.find('[data-testid="check-codes"] [data-code="DR12"]').text()).toBe('Sales (with sub-departments)');
    expect(wrapper.find('[data-testid="check-codes"] [data-code="AU"]').text()).toBe('All authorized users');
  });

  it('says when a person cannot open the app, and why', async () => {
    const api = stubApi(partlyGranted);
    api.users.mockResolvedValue({ generation: 3, total: 1, nextCursor: null, users: [makeUser(8)] });
    api.checkUser.mockResolvedValue({
      ...anna,
      adminStatus: 'notAdmin',
      access: { open: { allowed: false, level: null, reasons: [{ kind: 'notInAllowList' }] }, features: [] },
    });
    const { wrapper } = await mountAt('/access/check', { api });
    await wrapper.find('input[data-testid="check-user-search"]').setValue('name8');
    await vi.advanceTimersByTimeAsync(SEARCH_DEBOUNCE_MS);
    await flushPromises();
    await wrapper.find('[data-testid="user-result"]').trigger('click');
    await flushPromises();

    const open = wrapper.find('[data-testid="check-open"]');
    expect(open.attributes('data-allowed')).toBe('false');
    expect(open.text()).toContain('Cannot open Keycard');
    expect(open.text()).toContain('Not in the access list');
    expect(wrapper.find('[data-testid="check-admin-status"]').text()).toBe('Not a portal administrator.');
  });
});

describe('Conflicts tab', () => {
  it('lists each pair of rules with how many people it affects, under Bitrix24’s warning', async () => {
    const api = stubApi(partlyGranted);
    const rule = (code: string, role: string, level: string) => ({
      kind: 'role' as const,
      code,
      role,
      roleTitle: role === 'manager' ? 'Manager' : 'Administrator',
      feature: 'reports',
      level,
      resources: null,
    });
    api.conflicts.mockResolvedValue({
      total: 3,
      people: 1250,
      truncated: true,
      groups: [
        {
          feature: 'reports',
          overridden: rule('U5', 'manager', 'read'),
          winner: rule('DR12', 'administrator', 'edit'),
          count: 1250,
          sample: [{ id: '5', fullName: 'Anna Smith' }],
        },
      ],
      names: { U5: { title: 'Anna Smith', kind: 'user' } },
    });
    const { wrapper } = await mountAt('/access/conflicts', { api });

    expect(wrapper.find('[data-testid="conflicts-warning"]').text()).toContain('does nothing for them');
    const row = wrapper.find('[data-testid="conflict"][data-feature="reports"]');
    expect(row.text()).toContain('Reports');
    expect(row.find('[data-testid="conflict-overridden"]').text()).toBe(
      'Role Manager assigned to Anna Smith grants Read',
    );
    expect(row.find('[data-testid="conflict-winner"]').text()).toBe(
      'Role Administrator assigned to Sales (with sub-departments) grants Edit',
    );
    expect(row.find('[data-testid="conflict-count"]').text()).toContain('1,250');
    expect(row.find('[data-testid="conflict-count"]').text()).toContain('For example: Anna Smith');
    expect(wrapper.find('[data-testid="conflicts-total"]').text()).toBe('3 pairs of rules · 1,250 people affected');
    expect(wrapper.find('[data-testid="conflicts-truncated"]').text()).toBe('Showing the first 1 of 3.');
  });

  it('shows an empty state and no warning when there are none', async () => {
    const { wrapper } = await mountAt('/access/conflicts', { api: stubApi(partlyGranted) });
    expect(wrapper.find('[data-testid="conflicts-empty"]').text()).toContain('No conflicts');
    expect(wrapper.find('[data-testid="conflicts-warning"]').exists()).toBe(false);
    expect(wrapper.text()).not.toContain('Permission conflicts');
  });
});

function auditPage(ids: number[], nextCursor: string | null): AuditPage {
  return {
    entries: ids.map((id) => ({
      id: String(id),
      version: id,
      at: Date.UTC(2026, 0, id, 10),
      actor: { id: '1', name: 'Admin Name' },
      changes: [
        { kind: 'allowList', action: 'added', code: `D${id}` },
        {
          kind: 'grant',
          role: 'manager',
          title: 'Manager',
          feature: 'reports',
          before: { level: 'read' },
          after: { level: 'edit' },
        },
      ],
    })),
    nextCursor,
    names: Object.fromEntries(ids.map((id) => [`D${id}`, { title: `Dept ${id}`, kind: 'department' }])),
  };
}

describe('Audit log tab', () => {
  it('shows saves newest first as sentences, and loads more by cursor', async () => {
    const api = stubApi(partlyGranted);
    api.audit.mockResolvedValueOnce(auditPage([7, 6], '6')).mockResolvedValueOnce(auditPage([5], null));
    const { wrapper } = await mountAt('/access/audit', { api });

    expect(api.audit).toHaveBeenCalledWith({ actor: null, code: null, cursor: null }, expect.anything());
    const entries = wrapper.findAll('[data-testid="audit-entry"]');
    expect(entries.map((entry) => entry.attributes('data-id'))).toEqual(['7', '6']);
    expect(entries[0]?.findAll('[data-testid="audit-change"]').map((change) => change.text())).toEqual([
      'Added Dept 7 (without sub-departments) to the access list',
      'Role Manager: Reports Read → Edit',
    ]);
    expect(entries[0]?.text()).toContain('Admin Name');
    expect(entries[0]?.text()).toContain('Version 7');

    await wrapper.find('[data-testid="audit-more"]').trigger('click');
    await flushPromises();
    expect(api.audit).toHaveBeenLastCalledWith({ actor: null, code: null, cursor: '6' }, expect.anything());
    expect(wrapper.findAll('[data-testid="audit-entry"]').map((entry) => entry.attributes('data-id'))).toEqual([
      '7',
      '6',
      '5',
    ]);
    expect(wrapper.find('[data-testid="audit-entry"][data-id="5"]').text()).toContain('Dept 5');
    expect(wrapper.find('[data-testid="audit-more"]').exists()).toBe(false);
  });

  it('filters by actor and by code, from the entries or the filter fields', async () => {
    const api = stubApi(partlyGranted);
    api.audit.mockResolvedValue(auditPage([7], null));
    api.auditFilters.mockResolvedValue({
      actors: [{ id: '1', name: 'Admin Name' }],
      codes: [{ code: 'DR12', name: { title: 'Sales', kind: 'departmentTree' } }],
    });
    const { wrapper } = await mountAt('/access/audit', { api });

    await wrapper.find('[data-testid="audit-actor"]').trigger('click');
    await flushPromises();
    expect(api.audit).toHaveBeenLastCalledWith({ actor: '1', code: null, cursor: null }, expect.anything());
    expect(wrapper.find('[data-testid="audit-actor-filter"]').text()).toContain('Admin Name');

    await wrapper.find('[data-testid="audit-filter-code"][data-code="D7"]').trigger('click');
    await flushPromises();
    expect(api.audit).toHaveBeenLastCalledWith({ actor: '1', code: 'D7', cursor: null }, expect.anything());

    await wrapper.find('[data-testid="audit-code-clear"]').trigger('click');
    await wrapper.find('[data-testid="audit-actor-clear"]').trigger('click');
    await flushPromises();
    expect(api.audit).toHaveBeenLastCalledWith({ actor: null, code: null, cursor: null }, expect.anything());

    // The filter fields offer names, not codes: only the people who saved, only the codes the log names.
    expect(api.auditFilters).toHaveBeenCalledTimes(1);
    const menus = wrapper.findAllComponents(B24SelectMenu);
    expect(menus).toHaveLength(2);
    expect(menus[0]?.props()).toMatchObject({ items: [{ label: 'Admin Name', value: '1' }] });
    expect(menus[1]?.props()).toMatchObject({
      items: [{ label: 'Sales', value: 'DR12', description: 'Department with sub-departments' }],
    });
    menus[1]?.vm.$emit('update:modelValue', 'DR12');
    await flushPromises();
    expect(api.audit).toHaveBeenLastCalledWith({ actor: null, code: 'DR12', cursor: null }, expect.anything());
    expect(wrapper.find('[data-testid="audit-code-filter"]').text()).toContain('Sales');
    expect(wrapper.find('[data-testid="audit-code-filter"]').text()).not.toContain('DR12');
  });

  it('says when nothing was recorded', async () => {
    const { wrapper } = await mountAt('/access/audit', { api: stubApi(partlyGranted) });
    expect(wrapper.find('[data-testid="audit-empty"]').text()).toBe('No changes recorded yet.');
  });
});
