import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../stack/start-stack.js';
import { appFrame, screenshot } from './support/browser.js';
import { actAs, openApp, type SwitchableUser } from './support/portal-page.js';
import { cleanRunChecks, portalSession } from './support/portal-session.js';

/**
 * Issue 13 points 5–8 in Chromium: a fresh install gives the company structure (not extranet users) the Manager
 * role, employees never see fired users, portal admins hold Administrator ("always"), Save shows who loses what
 * and refuses a self-lockout, and a reinstall that kept the settings says so and offers the defaults.
 */
describe('safe access defaults in an emulated Bitrix24 portal', () => {
  const session = portalSession({ company: { users: 120, departments: 12 } });
  let stack: Stack;
  let page: Page;
  let admin: SwitchableUser;
  let employee: SwitchableUser;
  let extranet: SwitchableUser;
  let fired: SwitchableUser;

  beforeAll(() => {
    ({ stack, page } = session);
    const { users } = session;
    const pick = (test: (user: SwitchableUser) => boolean, what: string) => {
      const found = users.find(test);
      if (found === undefined) throw new Error(`the emulator offers no ${what}`);
      return found;
    };
    admin = pick((user) => user.isAdmin && user.active, 'admin');
    employee = pick((user) => !user.isAdmin && user.active && user.type === 'employee', 'employee');
    extranet = pick((user) => user.active && user.type === 'extranet', 'extranet user');
    fired = pick((user) => !user.active, 'fired user');
  });

  const memberId = () => stack.emulator.portal.memberId;

  it('installs as the admin: the company structure gets Manager once the first sync is done', async () => {
    await actAs(page, admin);
    await page.click('[data-test=nav-market]');
    await page.click('[data-test=install]');
    const app = appFrame(page);
    await app.locator('[data-testid=sync-done]').waitFor({ timeout: 30_000 });
    await expect(app.locator('[data-testid=kept-settings]').count()).resolves.toBe(0);
    await app.locator('[data-testid=finish-install]').click();
    await app.locator('[data-testid=current-user]').waitFor();
    const { policy } = (await stack.app.services.access.policy(memberId(), 'en')).stored;
    expect(policy.assignments.map((assignment) => assignment.code)).not.toContain('AU');
    expect(policy.assignments).toContainEqual({ code: expect.stringMatching(/^DR\d+$/), role: 'manager' });
  });

  it('the admin holds Administrator: "Portal administrators: always" in the matrix', async () => {
    const app = appFrame(page);
    await app.locator('[data-testid=nav-access]').click();
    await app.locator('[data-testid=tab-access-roles]').click();
    await app.locator('[data-testid=admins-always]').scrollIntoViewIfNeeded();
    await screenshot(page, 'safe-1-admins-always');
    await app.locator('[data-testid=nav-stock]').waitFor();
  });

  it('an extranet user opening the app sees no directory', async () => {
    await actAs(page, extranet);
    await openApp(page);
    const app = appFrame(page);
    await app.locator('[data-testid=current-user]').filter({ hasText: extranet.name }).waitFor();
    // No role reaches extranet users: they open the app but land on the "no pages" notice (the scopes are for
    // those who manage the app), with no section to navigate to, the Directory least of all.
    await app.locator('[data-page=no-access]').waitFor();
    await expect(app.locator('[data-testid=nav-directory]').count()).resolves.toBe(0);
    await expect(app.locator('[data-testid^=nav-]:not([data-testid=nav-back])').count()).resolves.toBe(0);
    await screenshot(page, 'safe-2-extranet');
  });

  it('an employee does not see fired users, nor a filter offering them', async () => {
    await actAs(page, employee);
    await openApp(page);
    const app = appFrame(page);
    await app.locator('[data-testid=nav-directory]').click();
    await app.locator('[data-testid=user-search]').fill(fired.name.split(' ')[0] ?? fired.name);
    await app.locator('[data-testid=user-total]').waitFor();
    // Asking the API for them anyway is refused the same way (integration: safe-defaults.test.ts).
    await expect(app.locator('[data-testid=active-filter]').count()).resolves.toBe(0);
    await page.waitForTimeout(800);
    await expect(app.locator('[data-testid=badge-fired]').count()).resolves.toBe(0);
    await screenshot(page, 'safe-3-employee-no-fired');
  });

  it('Save says who loses what before the admin removes the company’s Manager role', async () => {
    await actAs(page, admin);
    await openApp(page);
    const app = appFrame(page);
    await app.locator('[data-testid=nav-access]').click();
    await app.locator('[data-testid=tab-access-roles]').click();
    await app.locator('[data-testid=roles-matrix]').waitFor();
    const remove = app.locator('[data-testid^=assignment-manager-remove-]').first();
    await remove.click();
    await app.locator('[data-testid=policy-save]').click();
    await app.locator('[data-testid=save-impact]').waitFor();
    const text = await app.locator('[data-testid=save-impact]').innerText();
    expect(text).toMatch(/Removes .*Stock by warehouse \(Read\) from \d+ people/);
    await page.waitForTimeout(500); // the modal's fade-in
    await screenshot(page, 'safe-4-impact');
    await app.locator('[data-testid=impact-cancel]').click();
    await app.locator('[data-testid=policy-discard]').click();
  });

  it('a delegate cannot save an allow-list that locks them out', async () => {
    const { stored } = await stack.app.services.access.context(memberId(), 'en', { id: admin.id, isAdmin: true });
    const { version: _version, ...content } = stored.policy;
    await stack.app.services.policies.save(memberId(), {
      ifMatch: stored.etag,
      content: { ...content, delegates: [`U${employee.id}`] },
      actor: { id: String(admin.id), name: admin.name },
      lang: 'en',
    });
    await actAs(page, employee);
    await openApp(page);
    const app = appFrame(page);
    await app.locator('[data-testid=nav-access]').click();
    await app.locator('[data-testid=access-add]').click();
    await page.locator('[data-test=select-access-dialog]').waitFor();
    await page.click('[data-test=access-tab-users]');
    await page.click(`[data-test=access-add-U${admin.id}]`);
    await page.click('[data-test=access-confirm]');
    await app.locator('[data-testid=policy-save]').click();
    await app.locator('[data-testid=impact-lockout]').waitFor();
    await expect(app.locator('[data-testid=impact-confirm]').isDisabled()).resolves.toBe(true);
    await page.waitForTimeout(500);
    await screenshot(page, 'safe-5-lockout');
    await app.locator('[data-testid=impact-cancel]').click();
    await app.locator('[data-testid=policy-discard]').click();
  });

  it('a reinstall that kept the settings says so, and resets to the defaults', async () => {
    // A restrictive allow-list saved before the uninstall, as issue 13 describes.
    const { stored } = await stack.app.services.access.context(memberId(), 'en', { id: admin.id, isAdmin: true });
    const { version: _version, ...content } = stored.policy;
    await stack.app.services.policies.save(memberId(), {
      ifMatch: stored.etag,
      content: { ...content, allowList: [`U${admin.id}`] },
      actor: { id: String(admin.id), name: admin.name },
      lang: 'en',
    });
    await actAs(page, admin);
    await page.click('[data-test=nav-market]');
    await page.click('[data-test=uninstall]');
    await page.locator('[data-test=uninstall-dialog]').waitFor();
    await page.click('[data-test=uninstall-confirm]');
    await page.locator('[data-test=install]').waitFor({ timeout: 30_000 });
    await expect
      .poll(async () => (await stack.app.services.installations.get(memberId()))?.state, { timeout: 30_000 })
      .toBe('deleted');
    await page.click('[data-test=install]');
    const app = appFrame(page);
    await app.locator('[data-testid=kept-settings]').waitFor({ timeout: 30_000 });
    await expect(app.locator('[data-testid=kept-settings]').innerText()).resolves.toContain('1 entry');
    await screenshot(page, 'safe-6-kept-settings');
    await app.locator('[data-testid=kept-reset]').click();
    await app.locator('[data-testid=kept-reset-done]').waitFor();
    await screenshot(page, 'safe-7-reset-done');
    const { policy } = (await stack.app.services.access.policy(memberId(), 'en')).stored;
    expect(policy.allowList).toEqual([]);
  });

  cleanRunChecks(session);
});
