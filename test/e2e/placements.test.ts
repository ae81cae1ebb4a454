import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../stack/start-stack.js';
import { appFrame, screenshot } from './support/browser.js';
import { actAs, type SwitchableUser } from './support/portal-page.js';
import { cleanRunChecks, portalSession } from './support/portal-session.js';

/**
 * Issue 14 in Chromium: the workgroup tab Keycard binds (SONET_GROUP_DETAIL_TAB). The admin opens a workgroup on the
 * emulated portal and its "Keycard access" tab: the group's people and their access. An employee without the
 * group_access feature gets the compact no-access page naming whom to ask, never the app's shell.
 */
describe('the workgroup tab in an emulated Bitrix24 portal', () => {
  const session = portalSession({ company: { users: 120, departments: 10 } });
  let stack: Stack;
  let page: Page;
  let admin: SwitchableUser;
  let employee: SwitchableUser;

  beforeAll(async () => {
    ({ stack, page } = session);
    await page.setViewportSize({ width: 1360, height: 1100 });
    const foundAdmin = session.users.find((user) => user.isAdmin && user.active);
    const foundEmployee = session.users.find((user) => !user.isAdmin && user.active && user.type === 'employee');
    if (foundAdmin === undefined || foundEmployee === undefined) throw new Error('no admin or employee to act as');
    admin = foundAdmin;
    employee = foundEmployee;
  });

  /** Opens workgroup 1 and its Keycard tab as the current user. */
  async function openGroupTab(): Promise<void> {
    await page.click('[data-test=nav-workgroups]');
    await page.click('[data-test=workgroup-link][data-group-id="1"]');
    await page.locator('[data-test=workgroup-page]').waitFor();
    await page.click('[data-test=workgroup-app-tab]');
    await page.locator('[data-test=app-frame]').waitFor();
  }

  it('installs as the admin; the tab is bound', async () => {
    await actAs(page, admin);
    await page.click('[data-test=nav-market]');
    await page.click('[data-test=install]');
    const app = appFrame(page);
    await app.locator('[data-testid=sync-done]').waitFor({ timeout: 30_000 });
    await app.locator('[data-testid=finish-install]').click();
    await app.locator('[data-testid=current-user]').waitFor();
    const bound = stack.emulator.portal.installation.placements.map((binding) => binding.placement);
    expect(bound).toContain('SONET_GROUP_DETAIL_TAB');
  });

  it('the admin sees the group’s people and their access in the tab, without the app’s navigation', async () => {
    await openGroupTab();
    const app = appFrame(page);
    await app.locator('[data-testid=group-access-table]').waitFor({ timeout: 20_000 });
    const group = stack.emulator.portal.directory.groups.find((item) => item.id === 1);
    await expect(app.locator('h1').innerText()).resolves.toContain(group?.name ?? '?');
    expect(await app.locator('[data-testid=group-access-row]').count()).toBeGreaterThan(0);
    expect(await app.locator('[data-testid=nav-access]').count()).toBe(0);
    await app.locator('[data-testid=group-access-row] button').first().click();
    await app.locator('[data-testid=group-access-row] + tr').first().waitFor();
    await screenshot(page, 'placement-allowed');
  });

  it('an employee without group_access gets the compact page naming whom to ask', async () => {
    await actAs(page, employee);
    await openGroupTab();
    const app = appFrame(page);
    const refusal = app.locator('main[data-compact=true]');
    await refusal.waitFor({ timeout: 20_000 });
    const text = await refusal.innerText();
    expect(text).toContain('Access in workgroups');
    expect(text).toContain(admin.name);
    expect(await app.locator('#app').count()).toBe(0);
    await screenshot(page, 'placement-denied');
  });

  cleanRunChecks(session);
});
