import { mkdirSync } from 'node:fs';
import { chromium, type Browser, type FrameLocator, type Page } from 'playwright-core';

/** Debian's Chromium, as installed by .ci/run; flags keep it off the (closed) network. */
export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}

const SHOTS = 'test-results/e2e';

/** Saves a full-page screenshot under test-results/e2e (git-ignored). */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
}

/** Saves a screenshot of the app's frame alone (the portal page scrolls inside its own panel). */
export async function screenshotApp(page: Page, name: string): Promise<void> {
  mkdirSync(SHOTS, { recursive: true });
  await page.locator('[data-test=app-frame]').screenshot({ path: `${SHOTS}/${name}.png` });
}

/** The app inside the portal page's iframe. */
export function appFrame(page: Page): FrameLocator {
  return page.frameLocator('[data-test=app-frame]');
}
