import { DOMWrapper, flushPromises } from '@vue/test-utils';
import { vi } from 'vitest';

// Driving the kit's overlay components (select, dropdown menu, modal) the way a user does. Their
// content is teleported to <body>, outside the mounted wrapper, so it is looked up in the document.

/** The element matching `selector` anywhere in the page; fails the test when there is none. */
export function inPage(selector: string): DOMWrapper<Element> {
  const element = document.querySelector(selector);
  if (!element) throw new Error(`nothing in the page matches ${selector}`);
  return new DOMWrapper(element);
}

export function allInPage(selector: string): DOMWrapper<Element>[] {
  return [...document.querySelectorAll(selector)].map((element) => new DOMWrapper(element));
}

/** The labels a B24Select offers, in order (opens it, then closes it with Escape). */
export async function optionsOf(trigger: DOMWrapper<Element>): Promise<string[]> {
  await openSelect(trigger);
  const labels = allInPage('[role="option"]').map((option) => option.text());
  await trigger.trigger('keydown', { key: 'Escape' });
  document
    .querySelectorAll('[role="listbox"]')
    .forEach((list) => list.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true })));
  await flushPromises();
  return labels;
}

async function openSelect(trigger: DOMWrapper<Element>): Promise<void> {
  await trigger.trigger('pointerdown', { button: 0, pointerType: 'mouse' });
  await trigger.trigger('click');
  await flushPromises();
}

/** Picks the option labelled `label` of a B24Select. */
export async function chooseOption(trigger: DOMWrapper<Element>, label: string): Promise<void> {
  await openSelect(trigger);
  const option = allInPage('[role="option"]').find((item) => item.text() === label);
  if (!option)
    throw new Error(
      `no option "${label}"; offered: ${allInPage('[role="option"]')
        .map((item) => item.text())
        .join(', ')}`,
    );
  option.element.dispatchEvent(new PointerEvent('pointerup', { bubbles: true, pointerType: 'mouse' }));
  await option.trigger('click');
  await flushPromises();
}

/** Opens a B24DropdownMenu from its trigger and picks the item with `data-testid`. */
export async function chooseMenuItem(trigger: DOMWrapper<Element>, testid: string): Promise<void> {
  await trigger.trigger('keydown', { key: 'Enter' });
  await flushPromises();
  await inPage(`[data-testid="${testid}"]`).trigger('click');
  await flushPromises();
}

/** Whether the dropdown item is shown as disabled (opens the menu to look). */
export async function menuItemDisabled(trigger: DOMWrapper<Element>, testid: string): Promise<boolean> {
  await trigger.trigger('keydown', { key: 'Enter' });
  await flushPromises();
  const item = inPage(`[data-testid="${testid}"]`);
  const disabled = item.attributes('data-disabled') !== undefined || item.attributes('aria-disabled') === 'true';
  item.element.dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
  await flushPromises();
  return disabled;
}

/** Activates a B24Tabs tab by its label (reka tabs switch on mousedown). */
export async function chooseTab(label: string): Promise<void> {
  const tab = allInPage('[role="tab"]').find((item) => item.text() === label);
  if (!tab) throw new Error(`no tab "${label}"`);
  await tab.trigger('mousedown', { button: 0 });
  await flushPromises();
}

/**
 * Waits until `selector` is in the page: pages and components loaded on demand (dynamic imports) arrive after
 * `flushPromises()`, once the module is loaded.
 */
export async function shown(selector: string): Promise<DOMWrapper<Element>> {
  await vi.waitFor(() => inPage(selector));
  await flushPromises();
  return inPage(selector);
}
