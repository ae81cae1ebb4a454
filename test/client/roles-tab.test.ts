// @vitest-environment happy-dom
import { flushPromises } from '@vue/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import type { PolicyInput } from '../../client/api/client';
import { fakeB24, partlyGranted, stubApi } from './support/fakes';
import { mountAt } from './support/pages';
import { chooseMenuItem, chooseOption, menuItemDisabled, optionsOf } from './support/ui';

afterEach(() => {
  document.body.innerHTML = '';
});

type Wrapper = Awaited<ReturnType<typeof mountAt>>['wrapper'];

async function rolesPage(b24 = fakeB24().b24, scopes = partlyGranted) {
  const api = stubApi(scopes);
  const { wrapper } = await mountAt('/access/roles', { api, b24 });
  return { wrapper, api };
}

const cell = (wrapper: Wrapper, role: string, feature: string) =>
  wrapper.find(`[data-testid="role-cell-${role}-${feature}"]`);
const roleNames = (wrapper: Wrapper) => wrapper.findAll('[data-testid="role-name"]').map((name) => name.text());

async function savedBody(wrapper: Wrapper, api: ReturnType<typeof stubApi>): Promise<PolicyInput> {
  await wrapper.find('[data-testid="policy-save"]').trigger('click');
  await flushPromises();
  const body = api.savePolicy.mock.lastCall?.[1];
  if (!body) throw new Error('nothing saved');
  return body;
}

describe('Roles tab', () => {
  it('shows roles as columns and features as rows, with each role’s level', async () => {
    const { wrapper } = await rolesPage();

    expect(roleNames(wrapper)).toEqual(['Administrator', 'Manager']);
    expect(
      wrapper
        .findAll('[data-testid="roles-matrix"] tbody tr[data-feature]')
        .map((row) => row.attributes('data-feature')),
    ).toEqual(['directory', 'reports', 'notes', 'settings', 'stock']);
    expect(cell(wrapper, 'administrator', 'reports').text()).toBe('Edit');
    expect(cell(wrapper, 'manager', 'reports').text()).toBe('Read');
    expect(cell(wrapper, 'manager', 'notes').text()).toBe('No access');
    expect(wrapper.find('[data-cell="manager-stock"] [data-testid="role-scope-manager-stock"]').text()).toBe(
      'Warehouse: selected only',
    );
    expect(wrapper.find('[data-testid="role-resource-manager-stock-1"]').attributes('aria-checked')).toBe('true');
    expect(wrapper.find('[data-testid="role-resource-manager-stock-2"]').attributes('aria-checked')).toBe('false');
  });

  it('shows admin-only features without a level to grant, and says why', async () => {
    const { wrapper } = await rolesPage();
    const settings = cell(wrapper, 'manager', 'settings');
    expect(settings.attributes('data-admin-only')).toBe('true');
    expect(settings.text()).toBe('Administrators and delegates');
    expect(settings.find('button').exists()).toBe(false);
    expect(wrapper.find('[data-feature="settings"] [data-testid="admin-only-hint"]').text()).toContain(
      'roles do not grant it',
    );
  });

  it('offers only the levels a feature can grant', async () => {
    const { wrapper } = await rolesPage(fakeB24().b24, { ...partlyGranted, unavailableFeatures: [] });
    expect(await optionsOf(cell(wrapper, 'manager', 'stock'))).toEqual(['No access', 'Read', 'Edit']);
    expect(await optionsOf(cell(wrapper, 'manager', 'directory'))).toEqual(['No access', 'Read']);
    // Notes offers only "edit", which needs "read": it would grant nothing, so it is not offered.
    expect(await optionsOf(cell(wrapper, 'manager', 'notes'))).toEqual(['No access']);
  });

  it('changes a level and saves it', async () => {
    const { wrapper, api } = await rolesPage();
    await chooseOption(cell(wrapper, 'manager', 'reports'), 'Edit');
    await chooseOption(cell(wrapper, 'manager', 'stock'), 'Edit');
    expect(wrapper.find('[data-testid="policy-dirty"]').exists()).toBe(true);

    const body = await savedBody(wrapper, api);
    const manager = body.roles.find((role) => role.key === 'manager');
    expect(manager?.grants.reports).toEqual({ level: 'edit' });
    expect(manager?.grants.directory).toEqual({ level: 'read' });
    expect(manager?.grants.stock).toEqual({ level: 'edit', resources: ['1'] });
  });

  it('limits a resource-scoped grant to chosen warehouses, or gives all of them', async () => {
    const { wrapper, api } = await rolesPage();
    await wrapper.find('[data-testid="role-resource-manager-stock-3"]').trigger('click');
    await wrapper.find('[data-testid="role-resource-manager-stock-1"]').trigger('click');
    await flushPromises();
    let body = await savedBody(wrapper, api);
    expect(body.roles.find((role) => role.key === 'manager')?.grants.stock).toEqual({
      level: 'read',
      resources: ['3'],
    });

    await chooseOption(wrapper.find('[data-testid="role-scope-administrator-stock"]'), 'Warehouse: selected only');
    expect(wrapper.find('[data-cell="administrator-stock"] [data-testid="role-resources-none"]').exists()).toBe(true);
    await wrapper.find('[data-testid="role-resource-administrator-stock-2"]').trigger('click');
    await flushPromises();
    await chooseOption(wrapper.find('[data-testid="role-scope-manager-stock"]'), 'Warehouse: all');
    body = await savedBody(wrapper, api);
    expect(body.roles.find((role) => role.key === 'administrator')?.grants.stock).toEqual({
      level: 'edit',
      resources: ['2'],
    });
    expect(body.roles.find((role) => role.key === 'manager')?.grants.stock).toEqual({ level: 'read' });
  });

  it('adds a role and names it in place', async () => {
    const { wrapper, api } = await rolesPage();
    await wrapper.find('[data-testid="roles-add"]').trigger('click');
    await flushPromises();

    const input = wrapper.find('input[data-testid^="role-title-role-"]');
    const key = input.attributes('data-testid')?.replace('role-title-', '') ?? '';
    expect(key).toMatch(/^role-[0-9a-z]{6}$/);
    await input.setValue('Storekeeper');
    await wrapper.find(`[data-testid="role-title-done-${key}"]`).trigger('click');
    await flushPromises();
    expect(roleNames(wrapper)).toEqual(['Administrator', 'Manager', 'Storekeeper']);

    await chooseOption(cell(wrapper, key, 'stock'), 'Edit');
    const body = await savedBody(wrapper, api);
    expect(body.roles.at(-1)).toEqual({
      key,
      title: 'Storekeeper',
      builtIn: false,
      grants: { stock: { level: 'edit' } },
    });
  });

  it('copies, renames and deletes roles from the role menu; built-in roles cannot be deleted', async () => {
    const { wrapper, api } = await rolesPage();
    expect(await menuItemDisabled(wrapper.find('[data-testid="role-menu-manager"]'), 'role-delete-manager')).toBe(true);

    await chooseMenuItem(wrapper.find('[data-testid="role-menu-manager"]'), 'role-copy-manager');
    expect(roleNames(wrapper)).toEqual(['Administrator', 'Manager', 'Copy of Manager']);
    const copyKey = wrapper.findAll('[data-role]').at(2)?.attributes('data-role') ?? '';

    await chooseMenuItem(wrapper.find(`[data-testid="role-menu-${copyKey}"]`), `role-rename-${copyKey}`);
    await wrapper.find(`input[data-testid="role-title-${copyKey}"]`).setValue('Senior manager');
    // Enter submits the name.
    await wrapper.find(`[data-role="${copyKey}"] form`).trigger('submit');
    await flushPromises();
    expect(roleNames(wrapper)).toEqual(['Administrator', 'Manager', 'Senior manager']);

    let body = await savedBody(wrapper, api);
    expect(body.roles.find((role) => role.key === copyKey)?.grants).toEqual(
      body.roles.find((role) => role.key === 'manager')?.grants,
    );

    await chooseMenuItem(wrapper.find(`[data-testid="role-menu-${copyKey}"]`), `role-delete-${copyKey}`);
    // Bitrix24 asks before a role goes.
    expect(roleNames(wrapper)).toEqual(['Administrator', 'Manager', 'Senior manager']);
    document.querySelector<HTMLElement>('[data-testid="role-delete-yes"]')?.click();
    await flushPromises();
    expect(roleNames(wrapper)).toEqual(['Administrator', 'Manager']);
    body = await savedBody(wrapper, api);
    expect(body.roles.map((role) => role.key)).toEqual(['administrator', 'manager']);
  });

  it('selects and unselects all permissions of a role', async () => {
    const { wrapper, api } = await rolesPage();
    await chooseMenuItem(wrapper.find('[data-testid="role-menu-manager"]'), 'role-select-all-manager');
    expect(cell(wrapper, 'manager', 'reports').text()).toBe('Edit');
    expect(cell(wrapper, 'manager', 'stock').text()).toBe('Edit');
    let body = await savedBody(wrapper, api);
    expect(body.roles.find((role) => role.key === 'manager')?.grants).toEqual({
      directory: { level: 'read' },
      reports: { level: 'edit' },
      stock: { level: 'edit' },
    });

    await chooseMenuItem(wrapper.find('[data-testid="role-menu-administrator"]'), 'role-unselect-all-administrator');
    body = await savedBody(wrapper, api);
    expect(body.roles.find((role) => role.key === 'administrator')?.grants).toEqual({ settings: { level: 'edit' } });
  });

  it('assigns a role through the access dialog and removes an assignment', async () => {
    const { b24 } = fakeB24();
    b24.selectAccess.mockResolvedValue([{ id: 'DR12', name: 'Sales' }]);
    const { wrapper, api } = await rolesPage(b24);

    expect(wrapper.find('[data-testid="assignment-manager-item-D3"] [data-testid="code-title"]').text()).toBe(
      'Support',
    );
    await wrapper.find('[data-testid="role-assign-administrator"]').trigger('click');
    await flushPromises();
    expect(b24.selectAccess).toHaveBeenCalledWith([]);
    expect(wrapper.find('[data-testid="assignment-administrator-item-DR12"] [data-testid="code-title"]').text()).toBe(
      'Sales',
    );

    await wrapper.find('[data-testid="assignment-manager-remove-D3"]').trigger('click');
    const body = await savedBody(wrapper, api);
    expect(body.assignments).toEqual([{ code: 'DR12', role: 'administrator' }]);
  });
});
