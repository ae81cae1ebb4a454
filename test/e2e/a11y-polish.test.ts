import type { FrameLocator, Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../stack/start-stack.js';
import { runAxe, describeViolations, type AxeReport } from './support/axe.js';
import { mkdirSync } from 'node:fs';
import { appFrame, screenshot } from './support/browser.js';
import { actAs, openApp, type SwitchableUser } from './support/portal-page.js';
import { cleanRunChecks, portalSession, type PortalSession } from './support/portal-session.js';

/**
 * Issue 13, points 13–15, in Chromium: the pickers (Bitrix24's dialog first, Keycard's picker as the fallback and
 * fast at 2,000 departments), the audit filters by name, the smaller fixes (search promise, avatars under the
 * CSP, counts that agree, one "no access" design, the fired head marked), and accessibility: axe-core on every
 * page an admin and an employee reach, in English and Russian, with no serious or critical violation.
 */

const reports: AxeReport[] = [];

/** Runs axe on the app frame and keeps the report; the step fails on a serious or critical violation. */
async function checkAxe(page: Page, label: string): Promise<void> {
  const report = await runAxe(appFrame(page), label);
  reports.push(report);
  expect(describeViolations(report.blocking), label).toEqual([]);
}

/** Elements whose own text is rendered below 11 px. */
async function tinyText(app: FrameLocator): Promise<string[]> {
  return app.locator('body').evaluate((body) => {
    const small: string[] = [];
    for (const element of Array.from(body.querySelectorAll<HTMLElement>('*'))) {
      const own = Array.from(element.childNodes).some(
        (node) => node.nodeType === 3 && (node.textContent ?? '').trim() !== '',
      );
      if (!own || element.closest('.sr-only')) continue;
      const style = getComputedStyle(element);
      if (style.display === 'none' || style.visibility === 'hidden') continue;
      const size = Number.parseFloat(style.fontSize);
      if (size < 11) small.push(`${size}px ${element.tagName} "${(element.textContent ?? '').trim().slice(0, 30)}"`);
    }
    return small;
  });
}

/**
 * Clicks inside a b24ui modal: the modal is fixed to the middle of the app's frame, which the portal page may show
 * only in part, so a pointer click can land outside the viewport. Reka's tabs activate on mousedown.
 */
async function tap(locator: ReturnType<FrameLocator['locator']>): Promise<void> {
  await locator.dispatchEvent('mousedown');
  await locator.dispatchEvent('click');
}

/** A screenshot of the app's open dialog alone: it sits mid-frame, which the portal page may not show. */
async function screenshotDialog(page: Page, name: string): Promise<void> {
  mkdirSync('test-results/e2e', { recursive: true });
  await appFrame(page)
    .locator('[role=dialog]')
    .screenshot({ path: `test-results/e2e/${name}.png` });
}

function pick(session: PortalSession, predicate: (user: SwitchableUser) => boolean): SwitchableUser {
  const found = session.users.find(predicate);
  if (found === undefined) throw new Error('the emulator offers no such user');
  return found;
}

async function install(page: Page, admin: SwitchableUser): Promise<void> {
  await actAs(page, admin);
  await page.click('[data-test=nav-market]');
  await page.click('[data-test=install]');
  const app = appFrame(page);
  await app.locator('[data-testid=sync-done]').waitFor({ timeout: 60_000 });
  await app.locator('[data-testid=finish-install]').click();
  await app.locator('[data-testid=current-user]').waitFor();
}

/** Visits every page and tab the current user's navigation offers, running axe and the text-size check on each. */
async function auditEveryPage(page: Page, who: string, lang: string): Promise<string[]> {
  const app = appFrame(page);
  const visited: string[] = [];
  // The sections of the shell's navigation (not the Back button beside it).
  const names = await app
    .locator('nav [data-testid^=nav-]')
    .evaluateAll((links) => links.map((link) => link.getAttribute('data-testid') ?? ''));
  for (const nav of names) {
    await app.locator(`[data-testid=${nav}]`).first().click();
    await page.waitForTimeout(400);
    const tabs = await app
      .locator('[data-testid^=tab-access-]')
      .evaluateAll((links) => links.map((link) => link.getAttribute('data-testid') ?? ''));
    for (const tab of tabs.length > 0 ? tabs : ['']) {
      if (tab !== '') await app.locator(`[data-testid=${tab}]`).click();
      await page.waitForLoadState('networkidle');
      await page.waitForTimeout(400);
      const label = `${who}/${lang}/${(tab || nav).replace(/^(nav|tab)-/, '')}`;
      await checkAxe(page, label);
      expect(await tinyText(app), label).toEqual([]);
      visited.push(label);
    }
  }
  await screenshot(page, `polish-${who}-${lang}-last-page`);
  return visited;
}

describe('Pickers, smaller points and accessibility (issue 13, points 13–15), English', () => {
  // 2,000 departments: the size at which Keycard's department picker must still answer in 200 ms.
  const session = portalSession({ company: { users: 2500, departments: 2000 }, dialogCancel: 'silent' });
  let stack: Stack;
  let page: Page;
  let admin: SwitchableUser;
  let employee: SwitchableUser;
  const cspErrors: string[] = [];
  let firedHead: { department: number; name: string } | null = null;

  beforeAll(() => {
    ({ stack, page } = session);
    admin = pick(session, (user) => user.isAdmin && user.active);
    employee = pick(session, (user) => !user.isAdmin && user.active && user.type === 'employee');
    page.on('console', (message) => {
      if (message.type() === 'error' && /Content Security Policy/i.test(message.text())) cspErrors.push(message.text());
    });
    // A department whose head has been fired (before the first sync, so the mirror knows it).
    const directory = stack.emulator.portal.directory;
    const department = directory.departments.find(
      (candidate) => candidate.id !== 1 && candidate.head !== null && candidate.head !== admin.id,
    );
    const head =
      department?.head === undefined || department.head === null ? undefined : directory.user(department.head);
    if (department === undefined || head === undefined) throw new Error('no department with a head');
    if (head.id === employee.id) throw new Error('the chosen head is the test employee');
    stack.emulator.portal.setUserActive(head.id, false);
    firedHead = { department: department.id, name: directory.fullName(head) };
  });

  it('installs as the admin; the installer counts what the directory shows', async () => {
    await actAs(page, admin);
    await page.click('[data-test=nav-market]');
    await page.click('[data-test=install]');
    const app = appFrame(page);
    const done = app.locator('[data-testid=sync-done]');
    await done.waitFor({ timeout: 60_000 });
    const installerText = await done.innerText();
    await screenshot(page, 'polish-installer-counts');
    await app.locator('[data-testid=finish-install]').click();
    await app.locator('[data-testid=current-user]').waitFor();

    await app.locator('[data-testid=nav-directory]').click();
    const total = app.locator('[data-testid=user-total]');
    await total.filter({ hasText: /\d/ }).waitFor();
    const directoryText = await total.innerText();
    const employees = Number(/([\d,  ]+)/.exec(directoryText)?.[1]?.replace(/\D/g, ''));
    const departments = stack.emulator.portal.directory.departments.length;
    console.log(`counts — installer: "${installerText.replace(/\s+/g, ' ')}"; directory: "${directoryText}"`);
    // The installer and the Directory's sync line name the same number of users as the directory's list.
    const summary = (await app.locator('[data-testid=sync-summary]').innerText()).replace(/[  ,]/g, '');
    expect(summary).toContain(`${employees}users`);
    expect(installerText.replace(/[  ,]/g, '')).toContain(`${employees}`);
    expect(installerText.replace(/[  ,]/g, '')).toContain(`${departments}`);
  });

  it('the Directory search promises only what is mirrored (no e-mail under user_brief)', async () => {
    const app = appFrame(page);
    const placeholder = await app.locator('[data-testid=user-search] input, input[data-testid=user-search]').first();
    await expect(placeholder.getAttribute('placeholder')).resolves.not.toMatch(/mail/i);
    await expect(app.locator('[data-testid=user-email]').count()).resolves.toBe(0);
  });

  it('shows the portal’s avatars without a CSP error, and marks a fired head', async () => {
    const app = appFrame(page);
    await app.locator('[data-testid=user-row] img, [data-testid=users-panel] img').first().waitFor({ timeout: 10_000 });
    await page.waitForTimeout(500);
    expect(cspErrors).toEqual([]);
    if (firedHead === null) throw new Error('no fired head');
    const search = app.locator('[data-testid=department-tree]');
    // Open the path to the department: expand every ancestor.
    const row = app.locator(`[data-department="${firedHead.department}"]`);
    for (let attempt = 0; attempt < 10 && (await row.count()) === 0; attempt += 1) {
      const closed = search.locator('[aria-expanded=false]');
      const n = await closed.count();
      for (let index = 0; index < n; index += 1) await closed.nth(0).click();
    }
    const head = row.locator('[data-testid=department-head]');
    await expect(head.innerText()).resolves.toContain(firedHead.name);
    await expect(head.locator('[data-testid=department-head-fired]').count()).resolves.toBe(1);
    await row.scrollIntoViewIfNeeded();
    await screenshot(page, 'polish-directory-fired-head');
  });

  it('Keycard’s department picker shows 2,000 departments within 200 ms', async () => {
    const app = appFrame(page);
    await app.locator('[data-testid=nav-access]').click();
    await app.locator('[data-testid=access-add-mirror]').click();
    await app.locator('[data-testid=mirror-picker]').waitFor();
    // The first open includes fetching and decoding the 2,000 departments; the measured one is the tab opening
    // with the list loaded (the issue's freeze was rendering, not the network).
    const firstStarted = Date.now();
    await tap(app.getByRole('tab', { name: 'Departments' }));
    await app.locator('[data-testid^=picker-department-tree-]').first().waitFor({ timeout: 30_000 });
    const firstMs = Date.now() - firstStarted;
    await tap(app.getByRole('tab', { name: 'Employees' }));
    await app.locator('[data-testid^=picker-department-tree-]').first().waitFor({ state: 'hidden' });
    const ms = await app.locator('body').evaluate(async (body) => {
      const tabButton = Array.from(body.querySelectorAll<HTMLElement>('[role=tab]')).find((el) =>
        /Departments/.test(el.textContent ?? ''),
      );
      if (tabButton === undefined) throw new Error('no Departments tab');
      const started = performance.now();
      tabButton.dispatchEvent(new MouseEvent('mousedown', { bubbles: true }));
      tabButton.click();
      await new Promise<void>((resolve) => {
        const poll = (): void => {
          if (body.querySelector('[data-testid^=picker-department-tree-]')?.checkVisibility()) resolve();
          else requestAnimationFrame(poll);
        };
        poll();
      });
      // Until the next frame is painted.
      await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
      return performance.now() - started;
    });
    const filterMs = await app.locator('body').evaluate(async (body) => {
      const input =
        body.querySelector<HTMLInputElement>('input[data-testid=picker-department-search]') ??
        body.querySelector<HTMLInputElement>('[data-testid=picker-department-search] input');
      if (input === null) throw new Error('no department filter');
      const started = performance.now();
      input.value = 'a';
      input.dispatchEvent(new Event('input', { bubbles: true }));
      await new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
      return performance.now() - started;
    });
    const count = stack.emulator.portal.directory.departments.length;
    console.log(
      `department picker at ${count} departments: first open with fetch ${firstMs} ms, tab open ${ms.toFixed(0)} ms, ` +
        `filter keystroke ${filterMs.toFixed(0)} ms`,
    );
    await screenshotDialog(page, 'polish-department-picker-2000');
    expect(count).toBe(2000);
    expect(ms).toBeLessThanOrEqual(200);
    expect(filterMs).toBeLessThanOrEqual(200);
    await checkAxe(page, 'admin/en/mirror-picker');
  });

  it('closing Keycard’s picker returns focus to the button that opened it', async () => {
    const app = appFrame(page);
    await page.keyboard.press('Escape');
    await app.locator('[data-testid=mirror-picker]').waitFor({ state: 'detached' });
    await expect(
      app.locator('body').evaluate(() => document.activeElement?.getAttribute('data-testid') ?? null),
    ).resolves.toBe('access-add-mirror');
  });

  it('a cancelled Bitrix24 dialog (no answer) leaves the pickers usable; a later answer is used', async () => {
    const app = appFrame(page);
    await app.locator('[data-testid=access-add]').click();
    await page.locator('[data-test=select-access-dialog]').waitFor();
    await page.click('[data-test=access-cancel]');
    // Bitrix24 never answers a cancel: the app must not wait for it.
    await expect(app.locator('[data-testid=access-add]').isEnabled()).resolves.toBe(true);
    await app.locator('[data-testid=access-add-mirror]').click();
    await app.locator('[data-testid=mirror-picker]').waitFor();
    await page.keyboard.press('Escape');
    await app.locator('[data-testid=mirror-picker]').waitFor({ state: 'detached' });
    // The Bitrix24 dialog again: a workgroup row itself selects nothing; its role boxes do.
    await app.locator('[data-testid=access-add]').click();
    await page.locator('[data-test=select-access-dialog]').waitFor();
    await page.click('[data-test=access-tab-groups]');
    const group = stack.emulator.portal.directory.groups[0];
    if (group === undefined) throw new Error('no workgroup');
    // Clicking the row opens the group's role boxes and selects nothing (Bitrix24 never returns the row itself).
    await page.locator(`[data-test=access-group-${group.id}]`).click();
    await expect(page.locator('[data-test^=access-item-]').count()).resolves.toBe(0);
    await expect(
      page.locator(`[data-test=access-expand-group-${group.id}]`).getAttribute('aria-expanded'),
    ).resolves.toBe('true');
    await page.click(`[data-test=access-add-SG${group.id}_K]`);
    await expect(page.locator('[data-test^=access-item-]').count()).resolves.toBe(1);
    await screenshot(page, 'polish-access-dialog-workgroup');
    await page.click('[data-test=access-confirm]');
    await app.locator(`[data-testid=allow-list-item-SG${group.id}_K]`).waitFor();
    // And everyone, through Keycard's picker, so the employee steps below still get in.
    await app.locator('[data-testid=access-add-mirror]').click();
    await tap(app.getByRole('tab', { name: 'Other' }));
    await tap(app.locator('[data-testid=picker-all-users]'));
    await tap(app.locator('[data-testid=picker-confirm]'));
    await app.locator('[data-testid=allow-list-item-AU]').waitFor();
    await app.locator('[data-testid=policy-save]').click();
    await app.locator('[data-testid=policy-saved]').waitFor();
  });

  it('the audit filters offer names: the people who made changes and the codes the log names', async () => {
    const app = appFrame(page);
    await app.locator('[data-testid=tab-access-audit]').click();
    await app.locator('[data-testid=audit-entry]').first().waitFor();
    await app.locator('[data-testid=audit-actor-select]').click();
    const actors = await app.locator('[data-testid=audit-actor-option]').allInnerTexts();
    // The admin's save, and Keycard's own: after the first sync it gave the company structure Manager (the
    // default of a fresh install), an audited change in its name. Sorted by name, as the filter offers them.
    expect(actors.map((text) => text.trim())).toEqual([admin.name, 'Keycard'].sort(new Intl.Collator('en').compare));
    await page.keyboard.press('Escape');
    await app.locator('[data-testid=audit-code-select]').click();
    const codes = await app.locator('[data-testid=audit-code-option]').allInnerTexts();
    const group = stack.emulator.portal.directory.groups[0];
    expect(codes.join('\n')).toContain(group?.name ?? '?');
    expect(codes.join('\n')).not.toMatch(/\bSG\d+_K\b/);
    await screenshot(page, 'polish-audit-filters');
    await app.locator('[data-testid=audit-code-option]').first().click();
    await app.locator('[data-testid=audit-code-filter]').waitFor();
    await app.locator('[data-testid=audit-entry]').first().waitFor();
  });

  it('every page the admin reaches passes axe (WCAG A/AA) with no text under 11 px', async () => {
    await openApp(page);
    await appFrame(page).locator('[data-testid=current-user]').waitFor();
    const visited = await auditEveryPage(page, 'admin', 'en');
    expect(visited.length).toBeGreaterThanOrEqual(7);
  });

  it('every page an employee reaches passes axe too', async () => {
    await actAs(page, employee);
    await openApp(page);
    await appFrame(page).locator('[data-testid=current-user]').waitFor();
    await auditEveryPage(page, 'employee', 'en');
  });

  it('the "no access" pages share one design and pass axe', async () => {
    // The server's refusal page: a fired user (Bitrix24 lets them reach the handler in the emulator).
    const fired = pick(session, (user) => !user.active);
    await actAs(page, fired);
    await openApp(page);
    const app = appFrame(page);
    await app.locator('[data-page=refusal]').waitFor();
    await checkAxe(page, 'fired/en/refusal');
    await screenshot(page, 'polish-refusal-server');
    await actAs(page, admin);
  });

  cleanRunChecks(session);
});

describe('Accessibility in Russian (issue 13, point 15)', () => {
  const session = portalSession({ company: { users: 300 }, lang: 'ru' });
  let page: Page;

  beforeAll(() => {
    ({ page } = session);
  });

  it('installs as the admin in Russian', async () => {
    await install(
      page,
      pick(session, (user) => user.isAdmin && user.active),
    );
    await expect(appFrame(page).locator('html').getAttribute('lang')).resolves.toBe('ru');
  });

  it('every page the admin reaches passes axe, Keycard’s picker included', async () => {
    const visited = await auditEveryPage(page, 'admin', 'ru');
    expect(visited.length).toBeGreaterThanOrEqual(7);
    const app = appFrame(page);
    await app.locator('[data-testid=tab-access-allow-list]').click();
    await app.locator('[data-testid=access-add-mirror]').click();
    await app.locator('[data-testid=mirror-picker]').waitFor();
    await tap(app.getByRole('tab', { name: 'Отделы' }));
    await app.locator('[data-testid^=picker-department-tree-]').first().waitFor();
    await checkAxe(page, 'admin/ru/mirror-picker');
    await screenshotDialog(page, 'polish-ru-mirror-picker');
    await page.keyboard.press('Escape');
  });

  it('every page an employee reaches passes axe', async () => {
    await actAs(
      page,
      pick(session, (user) => !user.isAdmin && user.active && user.type === 'employee'),
    );
    await openApp(page);
    await appFrame(page).locator('[data-testid=current-user]').waitFor();
    await auditEveryPage(page, 'employee', 'ru');
  });

  it('the refusal page in Russian passes axe', async () => {
    await actAs(
      page,
      pick(session, (user) => !user.active),
    );
    await openApp(page);
    await appFrame(page).locator('[data-page=refusal]').waitFor();
    await checkAxe(page, 'fired/ru/refusal');
    await screenshot(page, 'polish-ru-refusal');
  });

  it('prints the axe figures of both languages', () => {
    for (const report of reports)
      console.log(
        `axe ${report.label}: ${report.violations.length} violations, ${report.blocking.length} serious/critical ${report.violations.map((v) => `${v.id}(${v.impact ?? '?'})`).join(' ')}`,
      );
    expect(reports.flatMap((report) => report.blocking)).toEqual([]);
  });

  cleanRunChecks(session);
});
