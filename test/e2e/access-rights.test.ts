import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../stack/start-stack.js';
import { appFrame, screenshot } from './support/browser.js';
import { actAs, openApp, type SwitchableUser } from './support/portal-page.js';
import { cleanRunChecks, portalSession } from './support/portal-session.js';

/**
 * Issue 13, points 9–12, in Chromium: the roles matrix as Bitrix24's access-rights pages show it, real conflicts
 * only, "check a user" per warehouse, and the Stock sample editable where a role allows it. One portal, in order.
 */
describe('access rights pages in an emulated Bitrix24 portal', () => {
  const session = portalSession({ company: { users: 300, departments: 20 } });
  let stack: Stack;
  let page: Page;
  let admin: SwitchableUser;
  let keeper: SwitchableUser;
  let department: number;

  beforeAll(async () => {
    ({ stack, page } = session);
    // Tall enough for the whole matrix and the check result in one screenshot.
    await page.setViewportSize({ width: 1360, height: 1500 });
    const company = stack.emulator.portal.directory;
    const employees = session.users.filter((user) => !user.isAdmin && user.active && user.type === 'employee');
    const found = session.users.find((user) => user.isAdmin && user.active);
    // Someone who also owns or moderates a workgroup, so "check a user" has workgroup codes to show once.
    const grouped =
      employees.find((user) => [...company.groupsOf(user.id).values()].some((role) => role !== 'K')) ??
      employees.find((user) => company.groupsOf(user.id).size > 0) ??
      employees[0];
    if (found === undefined || grouped === undefined) throw new Error('the emulator offers no admin or employee');
    admin = found;
    keeper = grouped;
    department = company.user(keeper.id)?.departments[0] ?? 0;
  });

  const memberId = () => stack.emulator.portal.memberId;

  it('installs as the admin', async () => {
    await actAs(page, admin);
    await page.click('[data-test=nav-market]');
    await page.click('[data-test=install]');
    const app = appFrame(page);
    await app.locator('[data-testid=sync-done]').waitFor({ timeout: 30_000 });
    await app.locator('[data-testid=finish-install]').click();
    await app.locator('[data-testid=current-user]').waitFor();
  });

  it('the matrix: members at the top of each role column, only features that work, long names cut', async () => {
    const app = appFrame(page);
    await app.locator('[data-testid=nav-access]').click();
    await app.locator('[data-testid=tab-access-roles]').click();
    await app.locator('[data-testid=roles-matrix]').waitFor();
    const features = await app
      .locator('[data-testid=roles-matrix] tbody tr[data-feature]')
      .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-feature')));
    expect(features).toEqual(['directory', 'stock', 'group_access']);
    await expect(app.locator('[data-testid=roles-matrix] tbody tr').first().getAttribute('data-testid')).resolves.toBe(
      'roles-members',
    );

    await app.locator('[data-testid=roles-add]').click();
    const title = app.locator('input[data-testid^="role-title-role-"]');
    await title.fill('Storekeepers of the northern and eastern regional warehouses');
    await title.press('Enter');
    await app.locator('[data-testid=role-menu-manager]').click();
    await app.locator('[data-testid=role-copy-manager]').click();
    await expect(app.locator('[data-testid=role-name]').allInnerTexts()).resolves.toEqual([
      'Administrator',
      'Manager',
      'Copy of Manager',
      'Storekeepers of the northern and eastern regional warehouses',
    ]);
    await app.locator('[role=menu]').waitFor({ state: 'detached' });
    await screenshot(page, 'matrix-roles');
  });

  it('a taken role name is refused in place, and deleting a role asks first', async () => {
    const app = appFrame(page);
    const copy = app.locator('[data-role]').nth(2);
    const key = (await copy.getAttribute('data-role')) ?? '';
    await app.locator(`[data-testid=role-menu-${key}]`).click();
    await app.locator(`[data-testid=role-rename-${key}]`).click();
    await app.locator(`input[data-testid=role-title-${key}]`).fill('manager');
    await app.locator('[data-testid=role-title-taken]').waitFor();
    await screenshot(page, 'matrix-duplicate-name');
    await app.locator(`input[data-testid=role-title-${key}]`).press('Escape');

    await app.locator(`[data-testid=role-menu-${key}]`).click();
    await app.locator(`[data-testid=role-delete-${key}]`).click();
    await app.locator('[data-testid=role-delete-confirm]').waitFor();
    await page.waitForTimeout(400); // the modal's fade-in
    await screenshot(page, 'matrix-delete-confirm');
    await app.locator('[data-testid=role-delete-yes]').click();
    await expect(app.locator('[data-testid=role-name]').count()).resolves.toBe(3);
    await app.locator('[data-testid=policy-save]').click();
    await app.locator('[data-testid=policy-saved]').waitFor();
  });

  it('no conflicts: no warning banner', async () => {
    const app = appFrame(page);
    await app.locator('[data-testid=tab-access-conflicts]').click();
    await app.locator('[data-testid=conflicts-empty]').waitFor();
    await expect(app.locator('[data-testid=conflicts-warning]').count()).resolves.toBe(0);
    await screenshot(page, 'matrix-conflicts-none');
  });

  it('a real conflict: personally Manager while the whole department is Administrator', async () => {
    // The policy is set through the repository (as an admin's save would): the Bitrix24 dialog steps are
    // covered in access-flows.test.ts.
    const policies = stack.app.services.policies;
    const current = await policies.get(memberId(), 'en');
    const storekeeper = current.policy.roles.find((role) => !role.builtIn);
    if (storekeeper === undefined) throw new Error('the new role was not saved');
    const { version: _version, ...content } = current.policy;
    await policies.save(memberId(), {
      ifMatch: current.etag,
      actor: { id: String(admin.id), name: admin.name },
      lang: 'en',
      content: {
        ...content,
        roles: current.policy.roles.map((role) =>
          role.key === storekeeper.key
            ? { ...role, grants: { directory: { level: 'read' }, stock: { level: 'edit', resources: ['1'] } } }
            : role,
        ),
        assignments: [
          { code: 'AU', role: 'manager' },
          { code: `U${keeper.id}`, role: 'manager' },
          { code: `U${keeper.id}`, role: storekeeper.key },
          { code: `DR${department}`, role: 'administrator' },
        ],
      },
    });
    const app = appFrame(page);
    await app.locator('[data-testid=tab-access-roles]').click();
    await app.locator('[data-testid=tab-access-conflicts]').click();
    const row = app.locator('[data-testid=conflict][data-feature=stock]').first();
    await row.waitFor();
    await expect(row.locator('[data-testid=conflict-overridden]').innerText()).resolves.toContain(keeper.name);
    await app.locator('[data-testid=conflicts-warning]').waitFor();
    await screenshot(page, 'matrix-conflicts');
  });

  it('check a user: levels per warehouse, each workgroup once, Bitrix24’s own access named', async () => {
    const app = appFrame(page);
    await app.locator('[data-testid=tab-access-check]').click();
    const lastName = stack.emulator.portal.directory.user(keeper.id)?.lastName ?? '';
    await app
      .locator('[data-testid=check-user-search] input')
      .or(app.locator('input[data-testid=check-user-search]'))
      .first()
      .fill(lastName);
    await app.locator(`[data-testid=user-result][data-user-id="${keeper.id}"]`).click();
    await app.locator('[data-testid=check-per-resource]').waitFor();
    const codes = await app
      .locator('[data-testid=check-codes] li')
      .evaluateAll((items) => items.map((item) => item.getAttribute('data-code') ?? ''));
    expect(codes.filter((code) => code.startsWith('SG')).length).toBe(
      stack.emulator.portal.directory.groupsOf(keeper.id).size,
    );
    await expect(app.locator('[data-testid=check-bitrix-access]').count()).resolves.toBe(1);
    // Never opened the app: Keycard does not know, and says so.
    await expect(app.locator('[data-testid=check-admin-status]').getAttribute('data-status')).resolves.toBe('unknown');
    await screenshot(page, 'matrix-check-user');
  });

  it('stock: the storekeeper changes a count in their warehouse; the others are read-only', async () => {
    // Manager (read everywhere) and the storekeepers' role (edit in the main warehouse), nothing more.
    const policies = stack.app.services.policies;
    const current = await policies.get(memberId(), 'en');
    const { version: _version, ...content } = current.policy;
    await policies.save(memberId(), {
      ifMatch: current.etag,
      actor: { id: String(admin.id), name: admin.name },
      lang: 'en',
      content: {
        ...content,
        assignments: content.assignments.filter((assignment) => assignment.role !== 'administrator'),
      },
    });
    await actAs(page, keeper);
    await openApp(page);
    const app = appFrame(page);
    await app.locator('[data-testid=nav-stock]').click();
    const field = app.locator('input[data-testid=stock-count-KB-100-1]');
    await field.fill('39');
    await field.press('Enter');
    await field.blur();
    await expect
      .poll(async () => (await stack.app.services.stockCounts.get(memberId()))['KB-100']?.['1'], { timeout: 10_000 })
      .toBe(39);
    await expect(app.locator('input[data-testid=stock-count-KB-100-2]').count()).resolves.toBe(0);
    await screenshot(page, 'matrix-stock-edit');
  });

  it('check a user now knows the storekeeper is not an administrator', async () => {
    await actAs(page, admin);
    await openApp(page);
    const app = appFrame(page);
    await app.locator('[data-testid=nav-access]').click();
    await app.locator('[data-testid=tab-access-check]').click();
    const lastName = stack.emulator.portal.directory.user(keeper.id)?.lastName ?? '';
    await app
      .locator('[data-testid=check-user-search] input')
      .or(app.locator('input[data-testid=check-user-search]'))
      .first()
      .fill(lastName);
    await app.locator(`[data-testid=user-result][data-user-id="${keeper.id}"]`).click();
    await expect(app.locator('[data-testid=check-admin-status]').getAttribute('data-status')).resolves.toBe('notAdmin');
  });

  cleanRunChecks(session);
});
