// @vitest-environment happy-dom
import { flushPromises } from '@vue/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import type { AccessRequestItem } from '../../client/api/requestSchemas';
import { partlyGranted, stubApi } from './support/fakes';
import { mountAt } from './support/pages';

afterEach(() => {
  document.body.innerHTML = '';
});

const hostile = '<img src=x onerror=alert(1)> please';
const open: AccessRequestItem = {
  id: 'r1',
  userId: '9',
  name: 'Olga <b>Ivanova</b>',
  message: hostile,
  status: 'open',
  createdAt: Date.UTC(2026, 11, 7, 9),
};

describe('the Requests tab', () => {
  it('lists an open request as text, highlights the linked one, and approves with the editor’s ETag', async () => {
    const api = stubApi(partlyGranted);
    api.accessRequests.mockResolvedValue({ requests: [open], open: 1 });
    api.approveRequest.mockResolvedValue({ outcome: 'changed' });
    const { wrapper } = await mountAt('/access/requests?id=r1', { api });

    const item = wrapper.find('[data-testid="request"][data-id="r1"]');
    expect(item.find('[data-testid="request-message"]').text()).toBe(hostile);
    expect(item.find('img').exists()).toBe(false);
    expect(item.find('[data-testid="request-name"]').text()).toBe('Olga <b>Ivanova</b>');
    expect(item.classes().join(' ')).toContain('bg-');

    await item.find('[data-testid="request-approve"]').trigger('click');
    await flushPromises();
    expect(api.approveRequest).toHaveBeenCalledWith('r1', '"v4"', { as: 'allowList' });
    expect(wrapper.find('[data-testid="request-result"]').text()).toContain(
      'Someone changed the access settings in the meantime',
    );
  });

  it('a request for a feature (from its tab) is approved with a role: the allow-list cannot give a feature', async () => {
    const api = stubApi(partlyGranted);
    api.accessRequests.mockResolvedValue({ requests: [{ ...open, feature: 'stock' }], open: 1 });
    api.approveRequest.mockResolvedValue({ outcome: 'changed' });
    const { wrapper } = await mountAt('/access/requests', { api });
    await wrapper.find('[data-testid="request-approve"]').trigger('click');
    await flushPromises();
    expect(api.approveRequest).toHaveBeenCalledWith('r1', '"v4"', { as: 'role', role: expect.any(String) });
  });

  it('declines only with a reason', async () => {
    const api = stubApi(partlyGranted);
    api.accessRequests.mockResolvedValue({ requests: [open], open: 1 });
    api.declineRequest.mockResolvedValue({ ...open, status: 'declined', reason: 'Not now' });
    const { wrapper } = await mountAt('/access/requests', { api });

    await wrapper.find('[data-testid="request-decline"]').trigger('click');
    await wrapper.find('[data-testid="request-decline-confirm"]').trigger('click');
    expect(wrapper.text()).toContain('Give a reason.');
    expect(api.declineRequest).not.toHaveBeenCalled();
    await wrapper.find('textarea').setValue('Not now');
    await wrapper.find('[data-testid="request-decline-confirm"]').trigger('click');
    await flushPromises();
    expect(api.declineRequest).toHaveBeenCalledWith('r1', 'Not now');
    expect(wrapper.find('[data-testid="request-result"]').text()).toContain('declined');
  });
});
