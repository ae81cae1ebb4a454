// @vitest-environment happy-dom
import { flushPromises } from '@vue/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import type { AccessCheck } from '../../client/api/accessSchemas';
import { createAccessText } from '../../client/access/text';
import CheckResult from '../../client/components/access/CheckResult.vue';
import { testI18n } from './support/i18n';
import { policyResponse, manifest } from './support/access';
import { fakeB24, partlyGranted, stubApi } from './support/fakes';
import { mountKeycard } from './support/mount';
import { mountAt } from './support/pages';
import { chooseMenuItem } from './support/ui';

// Issue 13, points 9–12: the access-rights pages as Bitrix24's own (CRM roles, widget roles, inventory access).

afterEach(() => {
  document.body.innerHTML = '';
});

type Wrapper = Awaited<ReturnType<typeof mountAt>>['wrapper'];
const roleNames = (wrapper: Wrapper) => wrapper.findAll('[data-testid="role-name"]').map((name) => name.text());

async function saved(wrapper: Wrapper, api: ReturnType<typeof stubApi>) {
  await wrapper.find('[data-testid="policy-save"]').trigger('click');
  await flushPromises();
  const body = api.savePolicy.mock.lastCall?.[1];
  if (!body) throw new Error('nothing saved');
  return body;
}

describe('roles matrix (point 9)', () => {
  it('shows who holds each role at the top of its column, and long names cut with the full name on hover', async () => {
    const api = stubApi(partlyGranted);
    const long = 'Regional warehouse supervisors of the northern and eastern branches';
    api.policy.mockResolvedValue(
      policyResponse({
        roles: [...policyResponse().policy.roles, { key: 'long', title: long, builtIn: false, grants: {} }],
        assignments: [
          { code: 'D3', role: 'manager' },
          { code: 'U7', role: 'long' },
        ],
      }),
    );
    const { wrapper } = await mountAt('/access/roles', { api });

    const rows = wrapper.findAll('[data-testid="roles-matrix"] tbody tr');
    expect(rows[0]?.attributes('data-testid')).toBe('roles-members');
    expect(rows[0]?.find('[data-testid="assignment-manager-item-D3"]').exists()).toBe(true);
    const name = wrapper.find('[data-role="long"] [data-testid="role-name"]');
    expect(name.classes()).toContain('truncate');
    expect(name.attributes('title')).toBe(long);
    const member = wrapper.find('[data-testid="assignment-long-item-U7"] [data-testid="code-title"]');
    expect([member.classes('truncate'), member.attributes('title')]).toEqual([true, 'Ivan Petrov']);
  });

  it('keeps role names unique: a taken name is refused in place, new roles and copies get a free one', async () => {
    const api = stubApi(partlyGranted);
    const { wrapper } = await mountAt('/access/roles', { api });
    for (let i = 0; i < 2; i++) {
      await wrapper.find('[data-testid="roles-add"]').trigger('click');
      await flushPromises();
      await wrapper.find('input[data-testid^="role-title-role-"]').trigger('keydown', { key: 'Escape' });
      await flushPromises();
    }
    expect(roleNames(wrapper)).toEqual(['Administrator', 'Manager', 'New role', 'New role 2']);
    await chooseMenuItem(wrapper.find('[data-testid="role-menu-manager"]'), 'role-copy-manager');
    await chooseMenuItem(wrapper.find('[data-testid="role-menu-manager"]'), 'role-copy-manager');
    expect(roleNames(wrapper)).toEqual([
      'Administrator',
      'Manager',
      'Copy of Manager (2)',
      'Copy of Manager',
      'New role',
      'New role 2',
    ]);

    const key = wrapper.findAll('[data-role]').at(4)?.attributes('data-role') ?? '';
    await chooseMenuItem(wrapper.find(`[data-testid="role-menu-${key}"]`), `role-rename-${key}`);
    await wrapper.find(`input[data-testid="role-title-${key}"]`).setValue(' manager ');
    expect(wrapper.find('[data-testid="role-title-taken"]').text()).toBe(
      'Another role already has this name. Choose a different one.',
    );
    await wrapper.find(`[data-role="${key}"] form`).trigger('submit');
    await flushPromises();
    expect(wrapper.find(`input[data-testid="role-title-${key}"]`).exists()).toBe(true);
    await wrapper.find(`input[data-testid="role-title-${key}"]`).setValue('Storekeeper');
    await wrapper.find(`[data-role="${key}"] form`).trigger('submit');
    await flushPromises();
    expect(roleNames(wrapper)).toContain('Storekeeper');
  });

  it('copies only the grants the matrix shows', async () => {
    const api = stubApi(partlyGranted);
    const manager = policyResponse().policy.roles[1];
    if (manager === undefined) throw new Error('fixture changed');
    api.policy.mockResolvedValue(
      policyResponse({
        roles: [
          ...policyResponse().policy.roles.slice(0, 1),
          {
            ...manager,
            grants: {
              ...manager.grants,
              // An admin-only feature (roles do not decide it), a feature the app no longer has, and a
              // warehouse that is gone: none of them is in the matrix, so none is copied.
              settings: { level: 'edit' },
              legacy: { level: 'read' },
              stock: { level: 'read', resources: ['1', '99'] },
            },
          },
        ],
      }),
    );
    const { wrapper } = await mountAt('/access/roles', { api });
    await chooseMenuItem(wrapper.find('[data-testid="role-menu-manager"]'), 'role-copy-manager');
    const body = await saved(wrapper, api);
    expect(body.roles[2]?.grants).toEqual({
      directory: { level: 'read' },
      reports: { level: 'read' },
      stock: { level: 'read', resources: ['1'] },
    });
  });

  it('asks before deleting a role; cancelling keeps it', async () => {
    const api = stubApi(partlyGranted);
    const { wrapper } = await mountAt('/access/roles', { api });
    await chooseMenuItem(wrapper.find('[data-testid="role-menu-manager"]'), 'role-copy-manager');
    const key = wrapper.findAll('[data-role]').at(2)?.attributes('data-role') ?? '';

    await chooseMenuItem(wrapper.find(`[data-testid="role-menu-${key}"]`), `role-delete-${key}`);
    expect(document.body.textContent).toContain('Delete the role “Copy of Manager”?');
    document.querySelector<HTMLElement>('[data-testid="role-delete-no"]')?.click();
    await flushPromises();
    expect(roleNames(wrapper)).toEqual(['Administrator', 'Manager', 'Copy of Manager']);

    await chooseMenuItem(wrapper.find(`[data-testid="role-menu-${key}"]`), `role-delete-${key}`);
    document.querySelector<HTMLElement>('[data-testid="role-delete-yes"]')?.click();
    await flushPromises();
    expect(roleNames(wrapper)).toEqual(['Administrator', 'Manager']);
  });
});

describe('features that do something (point 10)', () => {
  it('shows a feature whose scope the portal did not grant disabled, with the reason', async () => {
    const api = stubApi(partlyGranted);
    const { wrapper } = await mountAt('/access/roles', { api });
    const row = wrapper.find('[data-feature="directory"]');
    expect(row.find('[data-testid="scope-missing-hint"]').text()).toBe(
      'Unavailable: Bitrix24 did not grant the app department. Roles cannot give it until an administrator grants it.',
    );
    expect(row.find('[data-testid="role-cell-manager-directory"]').attributes('disabled')).toBeDefined();
    expect(wrapper.find('[data-testid="role-cell-manager-stock"]').attributes('disabled')).toBeUndefined();
  });

  it('stock: counts are fields where the user may edit, plain numbers elsewhere, and a change is sent', async () => {
    const api = stubApi(partlyGranted);
    const stock = {
      warehouses: [
        { id: '1', name: 'Main warehouse', canEdit: true },
        { id: '2', name: 'North', canEdit: false },
      ],
      items: [{ sku: 'KB-100', name: 'Keyboard', quantities: { '1': 40, '2': 12 } }],
    };
    api.stock.mockResolvedValue(stock);
    api.setStockCount.mockResolvedValue({
      ...stock,
      items: [{ sku: 'KB-100', name: 'Keyboard', quantities: { '1': 41, '2': 12 } }],
    });
    const { wrapper } = await mountAt('/stock', { api });

    const field = wrapper.find('input[data-testid="stock-count-KB-100-1"]');
    expect(field.element).toBeInstanceOf(HTMLInputElement);
    expect(field.attributes('aria-label')).toBe('Keyboard in Main warehouse');
    expect(wrapper.find('[data-testid="stock-count-KB-100-2"]').exists()).toBe(false);
    expect(wrapper.find('td[data-warehouse="2"]').text()).toBe('12');
    await field.setValue('41');
    await field.trigger('change');
    await flushPromises();
    expect(api.setStockCount).toHaveBeenCalledWith('KB-100', '1', 41);
    const after = wrapper.find('input[data-testid="stock-count-KB-100-1"]').element;
    expect(after instanceof HTMLInputElement ? after.value : null).toBe('41');
  });
});

describe('check a user (point 12)', () => {
  const i18n = testI18n('en');
  const names = {
    SG4_A: { title: 'Quarterly planning for the northern and eastern regional offices', kind: 'group', groupRole: 'A' },
    SG4_E: { title: 'Quarterly planning for the northern and eastern regional offices', kind: 'group', groupRole: 'E' },
    SG4_K: { title: 'Quarterly planning for the northern and eastern regional offices', kind: 'group', groupRole: 'K' },
    SG5_K: { title: 'Hiking', kind: 'group', groupRole: 'K' },
  };
  const rule = (level: string, resources: string[] | null) => ({
    kind: 'role' as const,
    code: 'U5',
    role: level === 'edit' ? 'keeper' : 'manager',
    roleTitle: level === 'edit' ? 'Keeper' : 'Manager',
    feature: 'stock',
    level,
    resources,
  });
  const check = (overrides: Partial<AccessCheck> = {}): AccessCheck => ({
    user: { id: '5', fullName: 'Anna Smith', position: '', active: true, departments: [] },
    adminStatus: 'notAdmin',
    codes: ['U5', 'IU5', 'SG4_K', 'SG4_E', 'SG4_A', 'SG5_K', 'AU'],
    access: {
      open: { allowed: true, level: null, reasons: [{ kind: 'allowListEmpty' }] },
      features: [
        {
          feature: 'stock',
          level: 'edit',
          levels: [
            { level: 'read', resources: 'all', reasons: [rule('read', null)] },
            { level: 'edit', resources: ['2'], reasons: [rule('edit', ['2'])] },
          ],
          denied: [],
        },
      ],
    },
    names,
    ...overrides,
  });
  const mountCheck = (result: AccessCheck) =>
    mountKeycard(CheckResult, {
      api: stubApi(partlyGranted),
      b24: fakeB24().b24,
      props: { result, text: createAccessText(i18n, { names: result.names, manifest }) },
    });

  it('shows the level in each warehouse', () => {
    const wrapper = mountCheck(check());
    const rows = wrapper.findAll('[data-testid="check-per-resource"] li');
    expect(rows.map((row) => [row.attributes('data-resource'), row.text()])).toEqual([
      ['1', 'Main warehouseRead'],
      ['2', 'NorthEdit'],
      ['3', 'SouthRead'],
    ]);
  });

  it('lists the person once and each workgroup once, with the strongest role, and lets long names wrap', () => {
    const wrapper = mountCheck(check());
    const chips = wrapper.findAll('[data-testid="check-codes"] li');
    expect(chips.map((chip) => chip.attributes('data-code'))).toEqual(['U5', 'SG4', 'SG5', 'AU']);
    const group = wrapper.find('[data-testid="check-codes"] [data-code="SG4"]');
    expect(group.text()).toBe('workgroup Quarterly planning for the northern and eastern regional offices · owner');
    expect(group.find('span').classes()).toContain('whitespace-normal');
    expect(wrapper.find('[data-code="SG5"]').text()).toBe('workgroup Hiking · member');
  });

  it('warns that Bitrix24’s own app access setting may refuse the person, except for portal admins', () => {
    expect(mountCheck(check()).find('[data-testid="check-bitrix-access"]').text()).toBe(
      'Bitrix24’s own app access setting (Applications → Installed → User access) may still refuse this person. Keycard cannot see that setting.',
    );
    expect(
      mountCheck(check({ adminStatus: 'admin' }))
        .find('[data-testid="check-bitrix-access"]')
        .exists(),
    ).toBe(false);
  });

  it('says "administrator status unknown" only when the server does not know', () => {
    expect(mountCheck(check()).find('[data-testid="check-admin-status"]').text()).toBe('Not a portal administrator.');
    expect(
      mountCheck(check({ adminStatus: 'unknown' }))
        .find('[data-testid="check-admin-status"]')
        .text(),
    ).toContain('Administrator status unknown');
  });
});
