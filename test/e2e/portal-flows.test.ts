import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadManifest } from '../../server/manifest.js';
import type { Stack } from '../stack/start-stack.js';
import { appFrame, screenshot, screenshotApp } from './support/browser.js';
import { actAs, openApp, type SwitchableUser } from './support/portal-page.js';
import { cleanRunChecks, portalSession } from './support/portal-session.js';

/**
 * A newcomer's path through the demo, in Chromium: install as the admin, open the app as different
 * users, let Bitrix24's own access setting block someone, uninstall with "clear data".
 * The steps share one portal and run in order.
 */
describe('Keycard in an emulated Bitrix24 portal', () => {
  // A company big enough for a multi-request sync, and portal latency, so the installer's progress is visible.
  const session = portalSession({ company: { users: 6000, departments: 300 }, restLatencyMs: 300 });
  let stack: Stack;
  let page: Page;

  const user = (predicate: (candidate: SwitchableUser) => boolean): SwitchableUser => {
    const found = session.users.find(predicate);
    if (found === undefined) throw new Error('the emulator offers no such user');
    return found;
  };
  const admin = () => user((candidate) => candidate.isAdmin && candidate.active);
  const employee = () => user((candidate) => !candidate.isAdmin && candidate.active && candidate.type === 'employee');

  beforeAll(() => {
    ({ stack, page } = session);
  });

  it('installs as the admin: the installer shows requested vs granted scopes, finishing launches the app', async () => {
    await actAs(page, admin());
    await page.click('[data-test=nav-market]');
    await page.click('[data-test=install]');
    const app = appFrame(page);
    await app.getByText('Requested and granted scopes').waitFor();
    const requested = loadManifest('manifest/keycard.json').scopes.map((scope) => scope.code);
    // The table fills once the portal answered `scope` (the emulated portal takes 0.3 s a request).
    await app.getByText('Granted', { exact: true }).first().waitFor();
    for (const scope of requested) await expect(app.getByText(scope, { exact: true }).count()).resolves.toBe(1);
    await expect(app.getByText('Granted', { exact: true }).count()).resolves.toBe(requested.length);
    await app.locator('[data-testid=sync-progress]').waitFor();
    await screenshotApp(page, '01-installer-syncing');
    const done = app.locator('[data-testid=sync-done]');
    await done.waitFor({ timeout: 30_000 });
    // The installer counts what the Directory lists: active users, not the 6,000 records fetched.
    const active = stack.emulator.portal.directory.users.filter((candidate) => candidate.active).length;
    await expect(done.innerText()).resolves.toContain(`${active.toLocaleString('en-US')} users`);
    await screenshotApp(page, '01b-installer-synced');

    await app.locator('[data-testid=finish-install]').click();
    await app.locator('[data-testid=all-granted]').waitFor();
    await expect(app.locator('[data-testid=current-user]').innerText()).resolves.toContain(admin().name);
    await screenshot(page, '02-app-after-install');
    const portal = await stack.app.services.installations.get(stack.emulator.portal.memberId);
    expect(portal?.state).toBe('active');
    expect(portal?.bindings.failed).toEqual([]);
  });

  it('shows the directory: department tree, search, a virtualized list, and the admin’s refresh', async () => {
    const app = appFrame(page);
    await app
      .getByRole('link', { name: 'Directory' })
      .or(app.getByRole('button', { name: 'Directory' }))
      .first()
      .click();
    await app.locator('[data-testid=department-tree]').waitFor();
    // The summary counts the people the Directory lists: the active ones of the 6,000 the portal has.
    const active = session.stack.emulator.portal.directory.users.filter((user) => user.active).length;
    const summary = (await app.locator('[data-testid=sync-summary]').innerText()).replace(/[\s,\u00a0]/g, '');
    expect(summary).toContain(`${active}users`);
    await expect(app.locator('[data-testid=sync-refresh]').count()).resolves.toBe(1);
    const rows = app.locator('[data-testid=user-name]');
    await rows.first().waitFor();
    // Virtualized: a screenful of rows in the DOM, not thousands.
    expect(await rows.count()).toBeLessThan(60);
    await screenshot(page, '02b-directory');

    const search = app
      .locator('[data-testid=user-search] input')
      .or(app.locator('input[data-testid=user-search]'))
      .first();
    await search.fill('Nguyễn');
    await expect
      .poll(async () => (await rows.allInnerTexts()).slice(0, 5))
      .toEqual(expect.arrayContaining([expect.stringContaining('Nguyễn')]));
    for (const name of await rows.allInnerTexts()) expect(name).toContain('Nguyễn');
    await screenshot(page, '02c-directory-search');
  });

  it('mirrors a newly registered employee at once (ONUSERADD)', async () => {
    const added = await page.request.post(`${stack.portalUrl}_emulator/users`, {
      data: { name: 'Zoë', lastName: 'Newhire', departmentId: 1 },
    });
    expect(added.status()).toBe(201);
    await stack.emulator.flushEvents();
    await stack.background.idle();
    const snapshot = await stack.app.services.directory.snapshot(stack.emulator.portal.memberId);
    expect([...snapshot.users.values()].some((mirrored) => mirrored.lastName === 'Newhire' && mirrored.active)).toBe(
      true,
    );
  });

  it('opens for an employee, who sees the app under their own name', async () => {
    await actAs(page, employee());
    await openApp(page);
    const app = appFrame(page);
    await expect(app.locator('[data-testid=current-user]').innerText()).resolves.toContain(employee().name);
    await screenshot(page, '03-employee');
  });

  it('shows a clear no-access page to a user Bitrix24’s own app access setting leaves out', async () => {
    await actAs(page, admin());
    const setAccess = await page.request.post(`${stack.portalUrl}_emulator/access`, {
      data: { codes: [`U${admin().id}`] },
    });
    expect(setAccess.ok()).toBe(true);
    await actAs(page, employee());
    await openApp(page);
    const app = appFrame(page);
    await app.getByText('You have no access to this app').waitFor();
    await expect(app.getByText('BITRIX_ACCESS_DENIED').count()).resolves.toBe(1);
    await screenshot(page, '04-denied-by-bitrix24');

    await actAs(page, admin());
    await openApp(page);
    await expect(appFrame(page).locator('[data-testid=current-user]').innerText()).resolves.toContain(admin().name);
    await page.request.post(`${stack.portalUrl}_emulator/access`, { data: { codes: [] } });
  });

  it('tells a fired user their account is not active', async () => {
    await actAs(
      page,
      user((candidate) => !candidate.active),
    );
    await openApp(page);
    await appFrame(page).getByText('Your account is not active').waitFor();
    await screenshot(page, '05-fired');
  });

  it('uninstalls with “clear application data”: the portal’s data is gone from Keycard', async () => {
    await actAs(page, admin());
    await page.click('[data-test=nav-market]');
    await page.click('[data-test=uninstall]');
    await page.check('[data-test=uninstall-clean]');
    await page.click('[data-test=uninstall-confirm]');
    await stack.emulator.flushEvents();
    await expect.poll(() => stack.app.services.installations.get(stack.emulator.portal.memberId)).toBeUndefined();
    await screenshot(page, '06-uninstalled');
  });

  cleanRunChecks(session);
});
