import type { Locator, Page } from 'playwright-core';

/** A box in the portal page's viewport coordinates (CSS px). */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The app's iframe as laid out on the portal page. */
export async function frameBox(page: Page): Promise<Box> {
  const box = await page.locator('[data-test=app-frame]').boundingBox();
  if (box === null) throw new Error('the app frame is not laid out');
  return box;
}

/** A locator's box in portal page coordinates (playwright maps boxes inside frames to the top page). */
export async function boxOf(locator: Locator): Promise<Box> {
  const box = await locator.boundingBox();
  if (box === null) throw new Error('the element is not laid out');
  return box;
}

/**
 * What the user sees of the portal's work area: the emulator's scrolling main panel, clipped to the
 * browser window (real Bitrix24 scrolls the window itself; the app frame is inside either).
 */
export async function visibleWorkArea(page: Page): Promise<Box> {
  return page.evaluate(() => {
    const main = document.querySelector('#main');
    if (!(main instanceof HTMLElement)) throw new Error('no #main');
    const rect = main.getBoundingClientRect();
    const top = Math.max(0, rect.top);
    const bottom = Math.min(window.innerHeight, rect.bottom);
    return { x: rect.left, y: top, width: rect.width, height: bottom - top };
  });
}

/** Scrolls the portal's work area (what the portal's own scrollbar does) and waits for layout. */
export async function scrollPortal(page: Page, top: number): Promise<void> {
  await page.evaluate((value) => {
    const main = document.querySelector('#main');
    if (main instanceof HTMLElement) main.scrollTop = value;
  }, top);
  // Intersection reports arrive with the next rendering update.
  await page.waitForTimeout(300);
}

/** `inner` lies within `outer` (1 px tolerance for rounding). */
export function within(inner: Box, outer: Box): boolean {
  return (
    inner.y >= outer.y - 1 &&
    inner.y + inner.height <= outer.y + outer.height + 1 &&
    inner.x >= outer.x - 1 &&
    inner.x + inner.width <= outer.x + outer.width + 1
  );
}
