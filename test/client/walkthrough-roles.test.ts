// @vitest-environment happy-dom
import { afterEach, describe, expect, it } from 'vitest';
import { manifestView } from '../../server/access/policy-view.js';
import { defaultPolicy } from '../../server/access/policy.js';
import { loadManifest } from '../../server/manifest.js';
import { regionCatalog, WALKTHROUGH_MANIFEST } from '../support/walkthrough-app';
import { fakeB24, partlyGranted, stubApi } from './support/fakes';
import { policyResponse } from './support/access';
import { mountAt } from './support/pages';
import { optionsOf } from './support/ui';

/*
 * README "Build your app on Keycard": the Roles tab shows the walkthrough app's own feature (Sales reports) with its
 * levels, from the policy answer the server builds for that manifest (server/access/policy-view.ts).
 * test/integration/build-your-app.test.ts checks the same answer over HTTP.
 */

afterEach(() => {
  document.body.innerHTML = '';
});

describe('Roles tab of an app built on Keycard', () => {
  it('has a row for the app’s own feature, titled from its manifest, offering its levels', async () => {
    const manifest = loadManifest(WALKTHROUGH_MANIFEST);
    const api = stubApi({ ...partlyGranted, unavailableFeatures: [] });
    const { allowList, roles, assignments, delegates } = defaultPolicy(manifest);
    api.policy.mockResolvedValue({
      ...policyResponse({ allowList, roles, assignments, delegates, version: 0 }),
      manifest: await manifestView(manifest, regionCatalog, 'member-walkthrough', 'en'),
    });
    const { wrapper } = await mountAt('/access/roles', { api, b24: fakeB24().b24 });

    const rows = wrapper.findAll('[data-testid="roles-matrix"] tbody tr[data-feature]');
    expect(rows.map((row) => row.attributes('data-feature'))).toEqual(['directory', 'reports']);
    expect(wrapper.find('tr[data-feature="reports"] th').text()).toBe('Sales reports');
    expect(wrapper.findAll('[data-testid="role-name"]').map((name) => name.text())).toContain('Sales analyst');
    const analyst = wrapper.find('[data-testid="role-cell-analyst-reports"]');
    expect(analyst.text()).toContain('Export');
    expect(await optionsOf(wrapper.find('[data-testid="role-cell-manager-reports"]'))).toEqual([
      'No access',
      'Read',
      'Export',
    ]);
  });
});
