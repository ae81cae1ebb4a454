// @vitest-environment happy-dom
import { flushPromises } from '@vue/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { AccessCheck, GroupAccess } from '../../client/api/accessSchemas';
import { parseBootstrap } from '../../client/bootstrap';
import { entryLocation } from '../../client/placements/entry';
import PlacementPage from '../../client/placements/PlacementPage.vue';
import { createKeycardRouter } from '../../client/router';
import { manifest } from './support/access';
import { fakeB24, partlyGranted, stubApi } from './support/fakes';
import { mountKeycard } from './support/mount';

const base = {
  mode: 'app',
  lang: 'en',
  session: 'eyJhbGciOiJIUzI1NiJ9.e30.sig',
  user: { id: '1', name: 'Anna', isAdmin: true },
  portal: { domain: 'acme.bitrix24.com' },
};

afterEach(() => {
  document.body.innerHTML = '';
});

describe('bootstrap of a placement (issue 14)', () => {
  it('keeps the placement and the entry', () => {
    const placement = { code: 'SONET_GROUP_DETAIL_TAB', options: { GROUP_ID: '10' }, feature: 'group_access' };
    const entry = { view: 'requests', id: '42' };
    expect(parseBootstrap(JSON.stringify({ ...base, placement, entry }))).toEqual({
      ok: true,
      bootstrap: { ...base, placement, entry },
    });
  });

  it('refuses placement options that are not strings', () => {
    const placement = { code: 'X', options: { GROUP_ID: 10 }, feature: 'f' };
    expect(parseBootstrap(JSON.stringify({ ...base, placement })).ok).toBe(false);
  });
});

describe('entryLocation', () => {
  it('falls back to the landing when the build has no page for the view', () => {
    const router = createKeycardRouter();
    const known = router.resolve('/access/requests').matched.every((record) => !record.path.includes(':unknown'));
    const location = entryLocation(router, { view: 'requests', id: '42' });
    expect(location).toEqual(known ? { path: '/access/requests', query: { id: '42' }, replace: true } : null);
    expect(entryLocation(router, { view: 'nowhere' })).toBeNull();
    expect(entryLocation(router, undefined)).toBeNull();
  });
});

function check(id: number, name: string, open: boolean, level: string | null): AccessCheck {
  return {
    user: { id: String(id), fullName: name, position: null, active: true, departments: [] },
    adminStatus: 'notAdmin',
    codes: [`U${id}`],
    access: {
      open: { allowed: open, level: null, reasons: [] },
      features: [
        {
          feature: 'directory',
          level,
          levels: level === null ? [] : [{ level, resources: 'all', reasons: [] }],
          denied: [],
        },
      ],
    },
    names: {},
  };
}

describe('the workgroup tab page', () => {
  it('lists the group’s people with their role, whether they may open Keycard and their levels', async () => {
    const api = stubApi(partlyGranted);
    const answer: GroupAccess = {
      group: { id: 10, name: 'Marketing', project: false },
      members: [
        { role: 'A', check: check(3, 'Olga Owner', true, 'read') },
        { role: 'K', check: check(4, 'Ivan Member', false, null) },
      ],
      truncated: false,
      manifest,
    };
    api.groupAccess.mockResolvedValue(answer);
    const wrapper = mountKeycard(PlacementPage, {
      api,
      b24: fakeB24().b24,
      props: {
        placement: { code: 'SONET_GROUP_DETAIL_TAB', options: { GROUP_ID: '10', URI: '/workgroups/group/10/' } },
      },
    });
    await vi.waitFor(() => expect(wrapper.findAll('[data-testid="group-access-row"]')).toHaveLength(2));
    expect(api.groupAccess).toHaveBeenCalledWith('10', expect.anything());
    const rows = wrapper.findAll('[data-testid="group-access-row"]');
    expect(rows).toHaveLength(2);
    expect(rows[0]?.text()).toContain('Olga Owner');
    expect(rows[0]?.text()).toContain('Owner');
    expect(rows[0]?.text()).toContain('May open');
    expect(rows[0]?.text()).toContain('Company directory: Read');
    expect(rows[1]?.text()).toContain('No access');
    expect(wrapper.text()).toContain('Keycard access in Marketing');
    wrapper.unmount();
  });

  it('says so when Bitrix24 named no workgroup, without asking the server', async () => {
    const api = stubApi(partlyGranted);
    const wrapper = mountKeycard(PlacementPage, {
      api,
      b24: fakeB24().b24,
      props: { placement: { code: 'SONET_GROUP_DETAIL_TAB', options: {} } },
    });
    await vi.waitFor(() => expect(wrapper.find('[data-testid="group-access-no-group"]').exists()).toBe(true));
    await flushPromises();
    expect(api.groupAccess).not.toHaveBeenCalled();
    wrapper.unmount();
  });
});
