import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../stack/start-stack.js';
import { appFrame, screenshot } from './support/browser.js';
import { actAs, openApp, type SwitchableUser } from './support/portal-page.js';
import { cleanRunChecks, portalSession } from './support/portal-session.js';

/**
 * Keycard's own access settings, in Chromium: the admin restricts the app to one department through
 * Bitrix24's native access dialog, an employee outside it gets the access-denied page, one inside gets
 * in, and the audit log shows the change. The steps share one portal and run in order.
 */
describe('Keycard access settings in an emulated Bitrix24 portal', () => {
  const session = portalSession({ company: { users: 400, departments: 30 } });
  let stack: Stack;
  let page: Page;
  let admin: SwitchableUser;
  let inside: SwitchableUser;
  let outside: SwitchableUser;
  let department: { id: number; name: string };

  beforeAll(() => {
    ({ stack, page } = session);
    const { users } = session;
    const company = stack.emulator.portal.directory;
    const employees = users.filter((user) => !user.isAdmin && user.active && user.type === 'employee');
    const found = users.find((user) => user.isAdmin && user.active);
    const [first, second] = employees.slice(-2);
    if (found === undefined || first === undefined || second === undefined)
      throw new Error('the emulator offers no admin or two employees');
    admin = found;
    inside = first;
    outside = second;
    const departmentId = company.user(inside.id)?.departments[0];
    const named = company.departments.find((candidate) => candidate.id === departmentId);
    if (named === undefined) throw new Error('the employee has no department');
    department = { id: named.id, name: named.name };
    expect(company.user(outside.id)?.departments).not.toContain(department.id);
  });

  it('installs as the admin', async () => {
    await actAs(page, admin);
    await page.click('[data-test=nav-market]');
    await page.click('[data-test=install]');
    const app = appFrame(page);
    await app.locator('[data-testid=sync-done]').waitFor({ timeout: 30_000 });
    await app.locator('[data-testid=finish-install]').click();
    await app.locator('[data-testid=current-user]').waitFor();
  });

  it('the admin restricts the app to one department with Bitrix24’s access dialog and saves', async () => {
    const app = appFrame(page);
    await app.locator('[data-testid=nav-access]').click();
    await app.locator('[data-testid=allow-list-empty]').waitFor();
    await screenshot(page, '10-access-everyone');
    await app.locator('[data-testid=access-add]').click();
    // The dialog is the portal's, outside the app's frame.
    await page.locator('[data-test=select-access-dialog]').waitFor();
    await page.click('[data-test=access-tab-departments]');
    await page.click(`[data-test=access-add-D${department.id}]`);
    await page.click('[data-test=access-confirm]');
    const item = app.locator(`[data-testid=allow-list-item-D${department.id}]`);
    await item.waitFor();
    await expect(item.innerText()).resolves.toContain(department.name);
    await app.locator('[data-testid=policy-dirty]').waitFor();
    await app.locator('[data-testid=policy-save]').click();
    // Everyone outside the department loses the app: Save says so first (issue 13), and the admin confirms.
    await app.locator('[data-testid=impact-confirm]').click();
    await app.locator('[data-testid=policy-saved]').waitFor();
    await screenshot(page, '11-access-one-department');
    const { policy } = await stack.app.services.policies.get(stack.emulator.portal.memberId, 'en');
    expect(policy.allowList).toEqual([`D${department.id}`]);
  });

  it('the roles matrix shows the built-in roles', async () => {
    const app = appFrame(page);
    await app.locator('[data-testid=tab-access-roles]').click();
    await app.locator('[data-testid=roles-matrix]').waitFor();
    await expect(app.locator('[data-testid=role-cell-manager-stock]').count()).resolves.toBe(1);
    await screenshot(page, '12-roles');
  });

  it('an employee outside the department sees the access-denied page naming the admin', async () => {
    await actAs(page, outside);
    await openApp(page);
    const app = appFrame(page);
    await app.getByText('You have no access to this app').waitFor();
    await expect(app.getByText('APP_ACCESS_DENIED').count()).resolves.toBe(1);
    await expect(app.locator('body').innerText()).resolves.toContain(admin.name);
    await screenshot(page, '13-denied-by-keycard');
  });

  it('an employee inside the department gets in', async () => {
    await actAs(page, inside);
    await openApp(page);
    const app = appFrame(page);
    await expect(app.locator('[data-testid=current-user]').innerText()).resolves.toContain(inside.name);
    // Not an access manager: no Access settings in the navigation.
    await expect(app.locator('[data-testid=nav-access]').count()).resolves.toBe(0);
    await screenshot(page, '14-allowed-employee');
  });

  it('the admin checks the denied employee and finds the change in the audit log', async () => {
    await actAs(page, admin);
    await openApp(page);
    const app = appFrame(page);
    await app.locator('[data-testid=nav-access]').click();
    await app.locator('[data-testid=tab-access-check]').click();
    const lastName = stack.emulator.portal.directory.user(outside.id)?.lastName ?? '';
    await app
      .locator('[data-testid=check-user-search] input')
      .or(app.locator('input[data-testid=check-user-search]'))
      .first()
      .fill(lastName);
    await app.locator(`[data-testid=user-result][data-user-id="${outside.id}"]`).click();
    await expect(app.locator('[data-testid=check-open]').getAttribute('data-allowed')).resolves.toBe('false');
    await screenshot(page, '15-check-user');

    await app.locator('[data-testid=tab-access-audit]').click();
    const entry = app.locator('[data-testid=audit-entry]').first();
    await entry.waitFor();
    await expect(entry.innerText()).resolves.toContain(department.name);
    await expect(entry.locator('[data-testid=audit-actor]').innerText()).resolves.toContain(admin.name);
    await screenshot(page, '16-audit-log');
  });

  cleanRunChecks(session);
});
