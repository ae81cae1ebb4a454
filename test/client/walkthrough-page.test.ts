// @vitest-environment happy-dom
import { flushPromises, mount } from '@vue/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import type { MeAccess } from '../../client/api/accessSchemas';
import { accessKey, createAccessState } from '../../client/composables/useAccess';
import { createKeycardRouter } from '../../client/router';
import { adminMe } from './support/access';
import ReportsPage from './walkthrough/ReportsPage.vue';

/*
 * README "Build your app on Keycard", step 3: the walkthrough app's page asks useAccess() what to show — the regions
 * the user may read, and Export only with `reports: export`.
 */

afterEach(() => {
  document.body.innerHTML = '';
});

async function pageFor(reports: MeAccess['features'][string]) {
  const access = createAccessState({
    fetchMe: async () => ({ ...adminMe, access: { open: true, manage: false, features: { reports } } }),
  });
  await access.load();
  // B24Button reads the route (it can be a link): the app's router, as the shell provides it.
  const wrapper = mount(ReportsPage, {
    global: { plugins: [createKeycardRouter()], provide: { [accessKey]: access } },
  });
  await flushPromises();
  return wrapper;
}

describe('the walkthrough app’s Reports page', () => {
  it('shows the regions the user may read, and Export only to those who may export', async () => {
    const reader = await pageFor({ level: 'read', levels: { read: ['north'] } });
    expect(reader.findAll('[data-region]').map((region) => region.text())).toEqual(['north']);
    expect(reader.find('[data-testid="reports-export"]').exists()).toBe(false);

    const exporter = await pageFor({ level: 'export', levels: { read: 'all', export: 'all' } });
    expect(exporter.findAll('[data-region]').map((region) => region.text())).toEqual(['north', 'south']);
    expect(exporter.find('[data-testid="reports-export"]').text()).toBe('Export');
  });
});
