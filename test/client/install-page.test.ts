// @vitest-environment happy-dom
import { flushPromises } from '@vue/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../client/api/client';
import InstallPage from '../../client/pages/InstallPage.vue';
import { B24ActionError } from '../../client/composables/useB24';
import { neverSynced, runningSync } from './support/directory';
import { fakeB24, idleSync, partlyGranted, stubApi } from './support/fakes';
import { mountKeycard } from './support/mount';

afterEach(() => {
  document.body.innerHTML = '';
});

describe('InstallPage', () => {
  it('frames the scopes as requested vs granted and warns about the missing one', async () => {
    const wrapper = mountKeycard(InstallPage, {
      api: stubApi(partlyGranted),
      b24: fakeB24({ isInstallMode: true }).b24,
    });
    await flushPromises();

    expect(wrapper.find('h1').text()).toBe('Welcome to Keycard');
    const headers = wrapper.findAll('thead th').map((th) => th.text());
    expect(headers).toContain('Requested scope');
    expect(headers).toContain('Granted by your portal');
    expect(wrapper.find('[data-testid="unavailable-features"]').text()).toContain(
      'Some requested scopes were not granted',
    );
    expect(wrapper.findAll('[data-status="missing"]')).toHaveLength(1);
  });

  it('finishes the installation through the composable and shows progress, then success', async () => {
    const { b24 } = fakeB24({ isInstallMode: true });
    let answer: () => void = () => {};
    b24.installFinish.mockReturnValue(new Promise<void>((resolve) => (answer = resolve)));
    const wrapper = mountKeycard(InstallPage, { api: stubApi(partlyGranted), b24 });
    await flushPromises();

    const button = wrapper.find('[data-testid="finish-install"]');
    expect(button.attributes('disabled')).toBeUndefined();
    await button.trigger('click');

    expect(b24.installFinish).toHaveBeenCalledTimes(1);
    expect(wrapper.find('[data-testid="finish-install"]').attributes('disabled')).toBeDefined();

    answer();
    await flushPromises();
    expect(wrapper.find('[data-testid="install-finished"]').exists()).toBe(true);
    expect(wrapper.find('[data-testid="finish-install"]').attributes('disabled')).toBeDefined();
  });

  it('shows an error and lets the admin try again when installFinish rejects', async () => {
    const { b24 } = fakeB24({ isInstallMode: true });
    b24.installFinish.mockRejectedValueOnce(new B24ActionError('failed', 'portal refused'));
    const wrapper = mountKeycard(InstallPage, { api: stubApi(partlyGranted), b24 });
    await flushPromises();

    await wrapper.find('[data-testid="finish-install"]').trigger('click');
    await flushPromises();

    expect(wrapper.find('[data-testid="install-failed"]').text()).toContain('Could not finish the installation');
    expect(wrapper.find('[data-testid="finish-install"]').attributes('disabled')).toBeUndefined();

    await wrapper.find('[data-testid="finish-install"]').trigger('click');
    await flushPromises();
    expect(b24.installFinish).toHaveBeenCalledTimes(2);
    expect(wrapper.find('[data-testid="install-failed"]').exists()).toBe(false);
  });

  it('keeps the button disabled and explains why outside Bitrix24', async () => {
    const { b24 } = fakeB24({ status: 'unavailable', isInstallMode: false });
    const wrapper = mountKeycard(InstallPage, { api: stubApi(partlyGranted), b24 });
    await flushPromises();

    expect(wrapper.find('[data-testid="finish-install"]').attributes('disabled')).toBeDefined();
    expect(wrapper.find('[data-testid="frame-unavailable"]').exists()).toBe(true);
    expect(wrapper.text()).toContain('needs the connection to Bitrix24');
    await wrapper.find('[data-testid="finish-install"]').trigger('click');
    expect(b24.installFinish).not.toHaveBeenCalled();
  });
});

describe('InstallPage first directory sync', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  async function mountInstaller(api: ReturnType<typeof stubApi>) {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
    const wrapper = mountKeycard(InstallPage, { api, b24: fakeB24({ isInstallMode: true }).b24 });
    await flushPromises();
    return wrapper;
  }

  it('waits for the sync to start, polling every second, and lets the admin finish meanwhile', async () => {
    const api = stubApi(partlyGranted);
    api.syncStatus.mockResolvedValue(neverSynced);
    const wrapper = await mountInstaller(api);

    const card = wrapper.find('[data-testid="install-sync"]');
    expect(card.text()).toContain('First directory sync');
    expect(card.attributes('data-state')).toBe('never');
    expect(card.find('[data-testid="sync-progress"]').text()).toContain('Waiting for the sync to start…');
    expect(card.find('[data-indeterminate="true"]').exists()).toBe(true);
    expect(wrapper.find('[data-testid="sync-background"]').text()).toBe(
      'You can finish the installation now: the sync continues in the background.',
    );
    expect(wrapper.find('[data-testid="finish-install"]').attributes('disabled')).toBeUndefined();

    await vi.advanceTimersByTimeAsync(1000);
    expect(api.syncStatus).toHaveBeenCalledTimes(2);
    await vi.advanceTimersByTimeAsync(1000);
    expect(api.syncStatus).toHaveBeenCalledTimes(3);
  });

  it('shows the phase and counts while running, then the result, and stops polling', async () => {
    const api = stubApi(partlyGranted);
    api.syncStatus
      .mockResolvedValueOnce(runningSync({ phase: 'departments', users: 0, departments: 40, requests: 2 }))
      .mockResolvedValueOnce(
        runningSync({ phase: 'users', users: 1200, departments: 1365, workgroups: 0, requests: 17 }),
      )
      // The server also names what the directory lists (active users): the installer says that (issue 13).
      .mockResolvedValue({ ...idleSync, shown: { users: 50_000, activeUsers: 47_512, departments: 1365 } });
    const wrapper = await mountInstaller(api);

    const progress = () => wrapper.find('[data-testid="sync-progress"]');
    expect(progress().text()).toContain('Loading departments…');
    expect(progress().find('[data-indeterminate="true"]').exists()).toBe(true);

    await vi.advanceTimersByTimeAsync(1000);
    expect(progress().text()).toContain('Loading employees…');
    expect(wrapper.find('[data-testid="sync-counts"]').text()).toBe(
      '1,200 users · 1,365 departments · 0 workgroups · 17 requests',
    );
    expect(wrapper.find('[data-testid="finish-install"]').attributes('disabled')).toBeUndefined();

    await vi.advanceTimersByTimeAsync(1000);
    expect(wrapper.find('[data-testid="sync-done"]').text()).toBe('Done: 47,512 users, 1,365 departments in 42 s');
    expect(progress().exists()).toBe(false);
    expect(wrapper.find('[data-testid="sync-background"]').exists()).toBe(false);

    await vi.advanceTimersByTimeAsync(10_000);
    expect(api.syncStatus).toHaveBeenCalledTimes(3);
  });

  it('counts workgroups only when the portal granted them', async () => {
    const api = stubApi(partlyGranted);
    api.syncStatus.mockResolvedValue(
      runningSync({}, { workgroups: { available: false, missingScope: 'sonet_group' } }),
    );
    const wrapper = await mountInstaller(api);
    expect(wrapper.find('[data-testid="sync-counts"]').text()).toBe('1,200 users · 40 departments · 17 requests');
  });

  it('shows a failed sync with its code and retries it with POST /api/sync', async () => {
    const api = stubApi(partlyGranted);
    api.syncStatus.mockResolvedValue({
      state: 'failed',
      generation: null,
      refreshedAt: null,
      lastError: { code: 'PORTAL_UNREACHABLE', message: 'Bitrix24 did not answer.', at: 1 },
      workgroups: { available: true },
    });
    api.startSync.mockResolvedValue({ started: true, status: runningSync() });
    const wrapper = await mountInstaller(api);

    const alert = wrapper.find('[data-testid="sync-failed"]');
    expect(alert.text()).toContain('The first sync failed');
    expect(alert.text()).toContain('Bitrix24 did not answer.');
    expect(alert.find('[data-testid="sync-error-code"]').text()).toBe('Error code: PORTAL_UNREACHABLE');
    expect(wrapper.find('[data-testid="finish-install"]').attributes('disabled')).toBeUndefined();

    await alert.find('[data-testid="sync-retry"]').trigger('click');
    await flushPromises();
    expect(api.startSync).toHaveBeenCalledTimes(1);
    expect(wrapper.find('[data-testid="sync-failed"]').exists()).toBe(false);
    expect(wrapper.find('[data-testid="sync-progress"]').text()).toContain('Loading employees…');
  });

  it('shows why a retry was refused', async () => {
    const api = stubApi(partlyGranted);
    api.syncStatus.mockResolvedValue({ ...idleSync, state: 'failed', lastError: { code: 'X', message: 'm', at: 1 } });
    api.startSync.mockRejectedValue(new ApiError({ code: 'ADMIN_REQUIRED', status: 403, message: 'Admins only' }));
    const wrapper = await mountInstaller(api);

    await wrapper.find('[data-testid="sync-retry"]').trigger('click');
    await flushPromises();
    expect(wrapper.find('[data-testid="api-error"]').text()).toContain('ADMIN_REQUIRED');
  });

  it('says when the status cannot be read, and reads it again on retry', async () => {
    const api = stubApi(partlyGranted);
    api.syncStatus.mockRejectedValueOnce(new ApiError({ code: 'network_error', status: 0, message: 'offline' }));
    const wrapper = await mountInstaller(api);

    const card = wrapper.find('[data-testid="install-sync"]');
    expect(card.find('[data-testid="api-error"]').text()).toContain('cannot be reached');
    await card.find('[data-testid="api-error"] button').trigger('click');
    await flushPromises();
    expect(api.syncStatus).toHaveBeenCalledTimes(2);
    expect(wrapper.find('[data-testid="sync-done"]').exists()).toBe(true);
  });
});
