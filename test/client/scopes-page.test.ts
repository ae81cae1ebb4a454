// @vitest-environment happy-dom
import { flushPromises } from '@vue/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiError } from '../../client/api/client';
import ScopesPage from '../../client/pages/ScopesPage.vue';
import { fakeB24, partlyGranted, stubApi } from './support/fakes';
import { mountKeycard } from './support/mount';

afterEach(() => {
  document.body.innerHTML = '';
});

function rowOf(wrapper: ReturnType<typeof mountKeycard>, code: string) {
  const row = wrapper.find(`[data-scope="${code}"]`).element.closest('tr');
  if (!row) throw new Error(`no table row for ${code}`);
  return row;
}

describe('ScopesPage', () => {
  it('lists every scope with its title, description and a Granted or Missing badge', async () => {
    const api = stubApi(partlyGranted);
    const wrapper = mountKeycard(ScopesPage, { api, b24: fakeB24().b24 });
    await flushPromises();

    expect(api.scopes).toHaveBeenCalledTimes(1);
    expect(wrapper.findAll('tbody tr')).toHaveLength(3);

    const userRow = rowOf(wrapper, 'user_brief');
    expect(userRow.textContent).toContain('Employees (brief profile)');
    expect(userRow.textContent).toContain('Reads employees’ names');
    expect(userRow.querySelector('[data-status]')?.getAttribute('data-status')).toBe('granted');
    expect(userRow.textContent).toContain('Granted');

    const departmentRow = rowOf(wrapper, 'department');
    expect(departmentRow.querySelector('[data-status]')?.getAttribute('data-status')).toBe('missing');
    expect(departmentRow.textContent).toContain('Missing');
  });

  it('names the features a missing scope turns off, in that scope’s row', async () => {
    const wrapper = mountKeycard(ScopesPage, { api: stubApi(partlyGranted), b24: fakeB24().b24 });
    await flushPromises();

    const disabled = rowOf(wrapper, 'department').querySelector('[data-features="disabled"]');
    expect(disabled?.textContent).toContain('Company directory');
    expect(disabled?.textContent).toContain('Access by department');
    expect(rowOf(wrapper, 'user_brief').querySelector('[data-features="disabled"]')).toBeNull();
    expect(rowOf(wrapper, 'placement').textContent).toContain('No features depend on it');
  });

  it('summarises the unavailable features at the top', async () => {
    const wrapper = mountKeycard(ScopesPage, { api: stubApi(partlyGranted), b24: fakeB24().b24 });
    await flushPromises();

    const summary = wrapper.find('[data-testid="unavailable-features"]');
    expect(summary.exists()).toBe(true);
    expect(summary.text()).toContain('Some features are unavailable');
    expect(summary.find('[data-feature="directory"]').text()).toBe('Company directory — needs department');
    expect(summary.find('[data-feature="access"]').exists()).toBe(true);
    expect(wrapper.find('[data-testid="stored-scopes"]').exists()).toBe(false);
  });

  it('shows no summary but a confirmation when everything is granted', async () => {
    const allGranted = {
      source: 'portal' as const,
      scopes: partlyGranted.scopes.map((scope) => ({ ...scope, granted: true })),
      unavailableFeatures: [],
    };
    const wrapper = mountKeycard(ScopesPage, { api: stubApi(allGranted), b24: fakeB24().b24 });
    await flushPromises();

    expect(wrapper.find('[data-testid="unavailable-features"]').exists()).toBe(false);
    expect(wrapper.findAll('[data-status="missing"]')).toHaveLength(0);
    expect(wrapper.find('[data-testid="all-granted"]').exists()).toBe(true);
  });

  it('says when the granted flags come from the install record', async () => {
    const wrapper = mountKeycard(ScopesPage, {
      api: stubApi({ ...partlyGranted, source: 'stored' }),
      b24: fakeB24().b24,
    });
    await flushPromises();
    expect(wrapper.find('[data-testid="stored-scopes"]').text()).toContain('saved at installation');
  });

  it('speaks Russian when the bootstrap says so', async () => {
    const wrapper = mountKeycard(ScopesPage, { api: stubApi(partlyGranted), b24: fakeB24().b24, lang: 'ru' });
    await flushPromises();
    expect(wrapper.find('h1').text()).toBe('Разрешения');
    expect(rowOf(wrapper, 'department').textContent).toContain('Не выдано');
  });

  it('shows the error with its code and loads again on retry', async () => {
    const api = stubApi(partlyGranted);
    api.scopes.mockRejectedValueOnce(new ApiError({ code: 'STORE_UNAVAILABLE', status: 503, message: 'down' }));
    const wrapper = mountKeycard(ScopesPage, { api, b24: fakeB24().b24 });
    await flushPromises();

    const alert = wrapper.find('[data-testid="api-error"]');
    expect(alert.text()).toContain('could not complete the request');
    expect(alert.text()).toContain('STORE_UNAVAILABLE');
    expect(wrapper.find('tbody').exists()).toBe(false);

    await alert.find('button').trigger('click');
    await flushPromises();

    expect(api.scopes).toHaveBeenCalledTimes(2);
    expect(wrapper.find('[data-testid="api-error"]').exists()).toBe(false);
    expect(wrapper.findAll('tbody tr')).toHaveLength(3);
  });
});
