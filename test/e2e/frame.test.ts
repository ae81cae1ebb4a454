import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { appFrame, screenshot } from './support/browser.js';
import { boxOf, frameBox, scrollPortal, visibleWorkArea, within } from './support/frame-geometry.js';
import { actAs, openApp, type SwitchableUser } from './support/portal-page.js';
import { cleanRunChecks, portalSession } from './support/portal-session.js';

/** Frame height once the app stopped resizing it (two equal readings 250 ms apart). */
async function settledFrameHeight(page: Page): Promise<number> {
  let previous = -1;
  for (let attempt = 0; attempt < 40; attempt++) {
    const { height } = await frameBox(page);
    if (height === previous) return height;
    previous = height;
    await page.waitForTimeout(250);
  }
  return previous;
}

/**
 * The portal's page title (the heading above the app) becomes `expected` within 3 s. Soft: a wrong title
 * fails the step but lets it go on measuring (so a run on the old code reports every figure).
 */
async function expectTitle(page: Page, expected: string): Promise<void> {
  let actual = '';
  for (let attempt = 0; attempt < 15; attempt++) {
    actual = await page.locator('[data-test=app-title]').innerText();
    if (actual === expected) break;
    await page.waitForTimeout(200);
  }
  expect.soft(actual).toBe(expected);
}

/**
 * The app's frame inside an emulated portal, in Chromium at a 900 px high window (issue 13, points 1–4):
 * the frame follows its content both ways, dialogs and the Save bar stay in what the user sees, leaving
 * with unsaved changes asks, each page names itself in the portal's title, users land on a page they may
 * use, and the browser's Back/Forward step through the app's pages without leaving it.
 */
describe('the app frame in an emulated Bitrix24 portal', () => {
  const session = portalSession({ company: { users: 3000, departments: 40 } });
  let page: Page;
  let admin: SwitchableUser;
  let employee: SwitchableUser;
  const figures: Record<string, number> = {};

  beforeAll(async () => {
    page = session.page;
    await page.setViewportSize({ width: 1360, height: 900 });
    const found = session.users.find((user) => user.isAdmin && user.active);
    const staff = session.users.find((user) => !user.isAdmin && user.active && user.type === 'employee');
    if (found === undefined || staff === undefined) throw new Error('the emulator offers no admin or employee');
    admin = found;
    employee = staff;
  });

  it('shows "Finish installation" without scrolling in a 900 px high window, and titles the installer', async () => {
    await actAs(page, admin);
    await page.click('[data-test=nav-market]');
    await page.click('[data-test=install]');
    const app = appFrame(page);
    const finish = app.locator('[data-testid=finish-install]');
    await finish.waitFor();
    await app.locator('[data-testid=sync-done]').waitFor({ timeout: 60_000 });
    const box = await boxOf(finish);
    figures['finishBottom'] = box.y + box.height;
    await screenshot(page, 'frame-01-installer-900');
    expect.soft(box.y).toBeGreaterThanOrEqual(0);
    expect.soft(box.y + box.height).toBeLessThanOrEqual(900);
    await expectTitle(page, 'Keycard: Installation');
    await finish.click();
    await app.locator('[data-page=scopes]').waitFor();
  });

  it('lands the admin on the scopes, with no brand bar above the page', async () => {
    const app = appFrame(page);
    const heading = await boxOf(app.locator('[data-page=scopes] h1'));
    const frame = await frameBox(page);
    figures['scopesHeadingY'] = heading.y;
    figures['scopesHeadingInFrame'] = heading.y - frame.y;
    await screenshot(page, 'frame-02-scopes-no-brand-bar');
    // Only the navigation row (≈ 50 px) and the page padding lie between the frame's top and the heading.
    expect(heading.y - frame.y).toBeLessThan(100);
    await expectTitle(page, 'Keycard: Scopes');
  });

  it('shrinks the frame on a short page after a long one, and titles each page', async () => {
    const app = appFrame(page);
    await app.locator('[data-testid=nav-directory]').click();
    await app.locator('[data-page=directory]').waitFor();
    await app.locator('[data-testid=department-tree]').waitFor();
    const long = await settledFrameHeight(page);
    await screenshot(page, 'frame-03-directory');
    await expectTitle(page, 'Keycard: Directory');

    await app.locator('[data-testid=nav-stock]').click();
    await app.locator('[data-page=stock]').waitFor();
    const short = await settledFrameHeight(page);
    await screenshot(page, 'frame-04-stock-after-directory');
    figures['directoryFrame'] = long;
    figures['stockFrame'] = short;
    expect(short).toBeLessThan(long);
    await expectTitle(page, 'Keycard: Stock');
    // As tall as the content, no more: the frame's document does not extend below the app.
    const content = await app.locator('#app').evaluate((element) => element.getBoundingClientRect().height);
    expect(Math.abs(short - content)).toBeLessThanOrEqual(2);
  });

  it('keeps the leave prompt and the Save bar in the visible part of a tall frame', async () => {
    const app = appFrame(page);
    await app.locator('[data-testid=nav-access]').click();
    await app.locator('[data-testid=allow-list-empty]').waitFor();
    // A long allow-list: departments picked in Bitrix24's own access dialog.
    await app.locator('[data-testid=access-add]').click();
    await page.locator('[data-test=select-access-dialog]').waitFor();
    await page.click('[data-test=access-tab-departments]');
    const adds = page.locator('[data-test^=access-add-D]:not([data-test^=access-add-DR])');
    const count = Math.min(24, await adds.count());
    for (let index = 0; index < count; index++) await adds.nth(index).click();
    await page.click('[data-test=access-confirm]');
    await app.locator('[data-testid=policy-dirty]').waitFor();
    const tall = await settledFrameHeight(page);
    figures['accessFrame'] = tall;
    const area = await visibleWorkArea(page);
    expect(tall).toBeGreaterThan(area.height * 1.5);

    // Scrolled half-way: the Save bar sits at the bottom of what the user sees, with the marker.
    await scrollPortal(page, Math.round(tall / 2));
    const bar = await boxOf(app.locator('[data-testid=policy-save-actions]'));
    figures['saveBarBottom'] = bar.y + bar.height;
    expect(within(bar, area)).toBe(true);
    expect(area.y + area.height - (bar.y + bar.height)).toBeLessThan(40);
    await expect(app.locator('[data-testid=policy-save-actions]').innerText()).resolves.toContain('Unsaved changes');
    await screenshot(page, 'frame-05-save-bar-mid-page');

    // The top of the frame just in view: leaving through the app's navigation asks, in view.
    const frame = await frameBox(page);
    await scrollPortal(page, Math.round(frame.y - area.y + (await scrollTopOfPortal(page))));
    await app.locator('[data-testid=nav-directory]').click();
    const prompt = app.locator('[role=dialog]');
    await app.locator('[data-testid=leave-confirm]').waitFor();
    await page.waitForTimeout(300);
    const dialog = await boxOf(prompt);
    figures['dialogY'] = dialog.y;
    expect(within(dialog, await visibleWorkArea(page))).toBe(true);
    await screenshot(page, 'frame-06-leave-prompt-in-view');

    await app.locator('[data-testid=leave-stay]').click();
    await prompt.waitFor({ state: 'detached' });
    await expectTitle(page, 'Keycard: Access settings');
  });

  it('asks before a reload of the portal page drops the unsaved draft (beforeunload)', async () => {
    const app = appFrame(page);
    const before = session.beforeUnload;
    // The prompt is dismissed: the browser stays on the page, so reload() itself never finishes.
    await page.reload({ timeout: 3_000 }).catch(() => undefined);
    expect(session.beforeUnload).toBe(before + 1);
    await expect(app.locator('[data-testid=policy-dirty]').isVisible()).resolves.toBe(true);
  });

  it('steps through the app’s pages with the browser’s Back and Forward, and the in-app Back', async () => {
    const app = appFrame(page);
    await app.locator('[data-testid=policy-discard]').click();
    await app.locator('[data-testid=nav-scopes]').click();
    await app.locator('[data-page=scopes]').waitFor();
    await app.locator('[data-testid=nav-directory]').click();
    await app.locator('[data-page=directory]').waitFor();
    await app.locator('[data-testid=nav-stock]').click();
    await app.locator('[data-page=stock]').waitFor();

    // The browser's Back button: history.back() of the top page walks the joint session history.
    await page.evaluate(() => history.back());
    await app.locator('[data-page=directory]').waitFor();
    await page.evaluate(() => history.back());
    await app.locator('[data-page=scopes]').waitFor();
    await page.evaluate(() => history.forward());
    await app.locator('[data-page=directory]').waitFor();
    await expect(page.locator('body').getAttribute('data-view')).resolves.toBe('app');
    await expectTitle(page, 'Keycard: Directory');

    await app.locator('[data-testid=nav-back]').click();
    await app.locator('[data-page=scopes]').waitFor();
    await screenshot(page, 'frame-07-after-back');
  });

  it('lands an employee on the first feature page they may use, without the scopes', async () => {
    await actAs(page, employee);
    await openApp(page);
    const app = appFrame(page);
    const first = app.locator('nav a').first();
    await first.waitFor();
    await expect(app.locator('[data-testid=nav-scopes]').count()).resolves.toBe(0);
    const testid = await first.getAttribute('data-testid');
    const name = (testid ?? '').replace(/^nav-/, '');
    await app.locator(`[data-page=${name}]`).waitFor();
    expect(name).not.toBe('scopes');
    await screenshot(page, 'frame-08-employee-landing');
  });

  it('reports the measured figures', () => {
    console.log('[frame e2e figures]', JSON.stringify(figures));
    expect(Object.keys(figures).length).toBeGreaterThan(0);
  });

  cleanRunChecks(session);
});

async function scrollTopOfPortal(page: Page): Promise<number> {
  return page.evaluate(() => document.querySelector('#main')?.scrollTop ?? 0);
}
