import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Stack } from '../stack/start-stack.js';
import { notificationsOf } from '../emulator/rest/im.js';
import { appFrame, screenshot } from './support/browser.js';
import { actAs, openApp, type SwitchableUser } from './support/portal-page.js';
import { cleanRunChecks, portalSession } from './support/portal-session.js';

/**
 * Access requests in Chromium (issue 14): an employee Keycard refuses asks for access from the no-access page,
 * the admin sees the count and the Requests tab, approves to a role, and the employee's next open gets in. The
 * steps share one portal and run in order.
 */
describe('access requests in an emulated Bitrix24 portal', () => {
  const session = portalSession({ company: { users: 200, departments: 12 } });
  let stack: Stack;
  let page: Page;
  let admin: SwitchableUser;
  let inside: SwitchableUser;
  let asker: SwitchableUser;

  beforeAll(() => {
    ({ stack, page } = session);
    const employees = session.users.filter((user) => !user.isAdmin && user.active && user.type === 'employee');
    const found = session.users.find((user) => user.isAdmin && user.active);
    const [first, second] = employees.slice(-2);
    if (found === undefined || first === undefined || second === undefined)
      throw new Error('the emulator offers no admin or two employees');
    admin = found;
    inside = first;
    asker = second;
  });

  it('installs as the admin, who restricts the app to one employee', async () => {
    await actAs(page, admin);
    await page.click('[data-test=nav-market]');
    await page.click('[data-test=install]');
    const app = appFrame(page);
    await app.locator('[data-testid=sync-done]').waitFor({ timeout: 30_000 });
    await app.locator('[data-testid=finish-install]').click();
    await app.locator('[data-testid=current-user]').waitFor();
    // The restriction itself is the access-flows e2e's subject: here it is set through the same save.
    const { memberId } = stack.emulator.portal;
    const { policies } = stack.app.services;
    const current = await policies.get(memberId, 'en');
    const { version: _version, ...content } = current.policy;
    await policies.save(memberId, {
      ifMatch: current.etag,
      content: { ...content, allowList: [`U${inside.id}`] },
      actor: { id: String(admin.id), name: admin.name },
      lang: 'en',
    });
  });

  it('the refused employee sees Request access and asks, with a message', async () => {
    await actAs(page, asker);
    await openApp(page);
    const app = appFrame(page);
    await app.getByText('You have no access to this app').waitFor();
    await app.locator('[data-request-form] button').waitFor();
    await screenshot(page, 'request-button');
    await app.locator('#request-message').fill('I run the Friday stock count — <b>please</b>.');
    await app.locator('[data-request-form] button').click();
    await app.getByText('Request sent').waitFor();
    await expect(app.locator('[data-request-status=open]').innerText()).resolves.toMatch(/is pending/);
    await screenshot(page, 'request-sent');
  });

  it('the admin is notified, sees the count and the Requests tab, and approves to a role', async () => {
    await stack.app.services.background.idle();
    const [note] = notificationsOf(stack.emulator.portal, admin.id);
    expect(note?.message).toContain('asks for access to Keycard');
    expect(note?.message).toContain('params%5Bview%5D=requests');

    await actAs(page, admin);
    // The portal's bell lists the notification, its BB-code link drawn as a link to the request.
    await page.click('[data-test=notifications-bell]');
    const link = page.locator('[data-test=notification-link]').first();
    await link.waitFor();
    const href = decodeURIComponent((await link.getAttribute('href')) ?? '');
    expect(href).toContain('params[view]=requests&params[id]=');
    await screenshot(page, 'request-notification');
    await page.click('[data-test=notifications-bell]');
    await openApp(page);
    const app = appFrame(page);
    const notice = app.locator('[data-testid=requests-notice]');
    await notice.waitFor();
    await expect(notice.innerText()).resolves.toContain('1 person asked for access');
    // The notification's link (REST_APP_URI) opens Keycard on the Requests tab, with that request marked.
    await page.click('[data-test=notifications-bell]');
    await page.locator('[data-test=notification-link]').first().click();
    const request = app.locator('[data-testid=request][data-status=open][aria-current=true]');
    await request.waitFor();
    await expect(request.locator('[data-testid=request-message]').innerText()).resolves.toContain('<b>please</b>');
    await screenshot(page, 'requests-tab');

    await request.locator('[data-testid=request-approve-as]').click();
    await app.getByRole('option', { name: 'Role: Manager' }).click();
    await request.locator('[data-testid=request-approve]').click();
    await app.locator('[data-testid=request-result]').waitFor();
    await app.locator('[data-testid=requests-decided] [data-testid=request][data-status=approved]').waitFor();
    await screenshot(page, 'request-approved');
    const { policy } = await stack.app.services.policies.get(stack.emulator.portal.memberId, 'en');
    expect(policy.assignments).toContainEqual({ code: `U${asker.id}`, role: 'manager' });
    expect(policy.allowList).toContain(`U${asker.id}`);
  });

  it('the employee opens Keycard again and gets in', async () => {
    await actAs(page, asker);
    await openApp(page);
    const app = appFrame(page);
    await expect(app.locator('[data-testid=current-user]').innerText()).resolves.toContain(asker.name);
    await screenshot(page, 'requester-next-open');
  });

  cleanRunChecks(session);
});
