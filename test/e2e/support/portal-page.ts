import type { Page } from 'playwright-core';
import { z } from 'zod';

const stateSchema = z.object({
  switchable: z.array(
    z.object({ id: z.number(), name: z.string(), isAdmin: z.boolean(), active: z.boolean(), type: z.string() }),
  ),
});
export type SwitchableUser = z.infer<typeof stateSchema>['switchable'][number];

/** The emulator's switchable users (admin, employees, a fired and an extranet user). */
export async function switchableUsers(page: Page, portalUrl: string): Promise<SwitchableUser[]> {
  const res = await page.request.get(`${portalUrl}_emulator/state`);
  return stateSchema.parse(await res.json()).switchable;
}

/** Picks a user in the portal's top-bar switcher and waits for the page to show them. */
export async function actAs(page: Page, user: SwitchableUser): Promise<void> {
  await page.selectOption('[data-test=user-switcher]', String(user.id));
  await page.locator('[data-test=current-user]').filter({ hasText: user.name }).waitFor();
}

/** Opens the app from the left menu. */
export async function openApp(page: Page): Promise<void> {
  await page.click('[data-test=menu-app]');
  await page.locator('[data-test=app-frame]').waitFor();
}
