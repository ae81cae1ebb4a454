// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { defineComponent, h } from 'vue';
import B24Modal from '@bitrix24/b24ui-nuxt/components/Modal.vue';
import B24Tooltip from '@bitrix24/b24ui-nuxt/components/Tooltip.vue';
import { useToast } from '@bitrix24/b24ui-nuxt/composables/useToast';
import b24UiPlugin from '@bitrix24/b24ui-nuxt/vue-plugin';
import UiProviders from '../../client/layouts/UiProviders.vue';
import { createKeycardRouter } from '../../client/router';

afterEach(() => {
  document.body.innerHTML = '';
});

/** Waits until `found()` holds: the toaster and overlay provider are loaded on demand. */
async function until(found: () => boolean): Promise<void> {
  for (let tries = 0; tries < 100 && !found(); tries += 1) {
    await flushPromises();
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function mountInProviders(child: () => ReturnType<typeof h>) {
  return mount(
    defineComponent({ render: () => h(UiProviders, null, { default: child }) }),
    // b24ui components render links through vue-router's, so a router is installed as in the app.
    { attachTo: document.body, global: { plugins: [createKeycardRouter(), b24UiPlugin] } },
  );
}

// What B24App gave the components inside it, without its toaster on the first screen (issue 13).
describe('UiProviders', () => {
  it('loads the toaster with the first toast, and shows it', async () => {
    mountInProviders(() => h('p', 'page'));
    await flushPromises();
    expect(document.body.querySelector('[data-slot="viewport"]')).toBeNull();

    useToast().add({ id: 'saved', title: 'Saved' });
    await until(() => document.body.textContent?.includes('Saved') === true);
    expect(document.body.textContent).toContain('Saved');
  });

  it('gives tooltips their provider', async () => {
    const wrapper = mountInProviders(() => h(B24Tooltip, { text: 'Hint' }, () => h('button', 'target')));
    await flushPromises();
    expect(wrapper.find('button').text()).toBe('target');
  });

  it('teleports dialogs to the body, as B24App did', async () => {
    const wrapper = mountInProviders(() => h(B24Modal, { open: true, title: 'Leave?' }));
    await until(() => document.body.querySelector('[role="dialog"]') !== null);
    const dialog = document.body.querySelector('[role="dialog"]');
    expect(dialog?.textContent).toContain('Leave?');
    expect(wrapper.element.contains(dialog)).toBe(false);
  });
});
