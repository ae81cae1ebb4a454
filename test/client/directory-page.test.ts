// @vitest-environment happy-dom
import { flushPromises } from '@vue/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../client/api/client';
import type { SyncStatus } from '../../client/api/schemas';
import { SEARCH_DEBOUNCE_MS, USER_ROW_HEIGHT } from '../../client/components/directory/listLayout';
import type { CurrentUser } from '../../client/composables/useCurrentUser';
import type { Lang } from '../../client/i18n';
import DirectoryPage from '../../client/pages/DirectoryPage.vue';
import { companyTree, fakeUsers, makeUser, runningSync, syncedDepartments } from './support/directory';
import { fakeB24, idleSync, partlyGranted, stubApi } from './support/fakes';
import { mountKeycard, testUser } from './support/mount';

const NOW = (idleSync.refreshedAt ?? 0) + 5 * 60_000;

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'Date'] });
  vi.setSystemTime(NOW);
});
afterEach(() => {
  vi.useRealTimers();
  document.body.innerHTML = '';
});

function directoryApi(total = 50_000) {
  const api = stubApi(partlyGranted);
  api.departments.mockResolvedValue(syncedDepartments);
  api.users = fakeUsers(total);
  return api;
}

async function mountPage(api = directoryApi(), options: { user?: CurrentUser; lang?: Lang } = {}) {
  const wrapper = mountKeycard(DirectoryPage, {
    api,
    b24: fakeB24().b24,
    user: options.user ?? testUser,
    lang: options.lang ?? 'en',
  });
  await flushPromises();
  return wrapper;
}

type Wrapper = Awaited<ReturnType<typeof mountPage>>;

const treeNames = (wrapper: Wrapper) => wrapper.findAll('[data-testid="department-name"]').map((name) => name.text());
const lastUsersQuery = (api: ReturnType<typeof directoryApi>) => api.users.mock.lastCall?.[0];

describe('DirectoryPage', () => {
  it('shows the tree with heads and counts, and the first page of users with the total', async () => {
    const api = directoryApi();
    const wrapper = await mountPage(api);

    expect(wrapper.find('h1').text()).toBe('Directory');
    expect(treeNames(wrapper)).toEqual(['Acme', 'Sales', 'Support']);
    const sales = wrapper.find('[data-department="2"]');
    // Olga was fired: still the head in Bitrix24, and marked (issue 13, point 14).
    expect(sales.find('[data-testid="department-head"]').text()).toContain('Head: Olga Petrova');
    expect(sales.find('[data-testid="department-head-fired"]').text()).toBe('fired');
    expect(wrapper.find('[data-department="1"] [data-testid="department-head-fired"]').exists()).toBe(false);
    expect(wrapper.find('input[data-testid="user-search"]').attributes('placeholder')).toBe('Name or position');
    expect(sales.find('[data-testid="department-count"]').text()).toContain('37');
    expect(wrapper.find('[data-department="all"]').attributes('aria-current')).toBe('true');

    expect(api.users).toHaveBeenCalledTimes(1);
    expect(lastUsersQuery(api)).toEqual({
      q: '',
      department: null,
      subdepartments: true,
      active: 'active',
      cursor: null,
      limit: 200,
    });
    expect(wrapper.find('[data-testid="user-total"]').text()).toBe('50,000 users');
    const names = wrapper.findAll('[data-testid="user-name"]').map((name) => name.text());
    expect(names[0]).toBe('Name1 Last1');
    expect(names).toContain('Name10 Last10');
  });

  it('renders only the rows in view, however many users there are', async () => {
    const wrapper = await mountPage(directoryApi(50_000));
    const rows = wrapper.findAll('[role="listitem"]');
    expect(rows.length).toBeGreaterThan(5);
    expect(rows.length).toBeLessThanOrEqual(30);
    const spacer = wrapper.find('[data-testid="user-list"]').element as HTMLElement;
    expect(spacer.style.height).toBe(`${50_000 * USER_ROW_HEIGHT}px`);
  });

  it('shows badges for fired and extranet users, and the e-mail when there is one', async () => {
    const wrapper = await mountPage();
    const row = (index: number) => wrapper.find(`[data-index="${index}"]`);
    expect(row(9).find('[data-testid="badge-fired"]').text()).toBe('Fired');
    expect(row(0).find('[data-testid="badge-fired"]').exists()).toBe(false);
    expect(row(0).find('[data-testid="user-email"]').text()).toBe('user1@acme.example');
    expect(row(2).find('[data-testid="user-email"]').exists()).toBe(false);
    expect(row(0).find('[data-testid="user-details"]').text()).toBe('Sales manager · Sales');

    vi.setSystemTime(NOW);
    const api = directoryApi();
    api.users = fakeUsers(30, { make: (id) => makeUser(id, { type: 'extranet' }) });
    const extranet = await mountPage(api);
    expect(extranet.find('[data-index="0"] [data-testid="badge-extranet"]').text()).toBe('Extranet');
  });

  it('requests the next page by cursor when the list is scrolled near the end of what is loaded', async () => {
    const api = directoryApi();
    const wrapper = await mountPage(api);
    const scroller = wrapper.find('[data-testid="user-scroller"]');

    scroller.element.scrollTop = 40 * USER_ROW_HEIGHT;
    await scroller.trigger('scroll');
    await flushPromises();
    expect(api.users).toHaveBeenCalledTimes(1);

    scroller.element.scrollTop = 150 * USER_ROW_HEIGHT;
    await scroller.trigger('scroll');
    await flushPromises();

    expect(api.users).toHaveBeenCalledTimes(2);
    expect(lastUsersQuery(api)).toMatchObject({ cursor: 'offset-200', limit: 200 });
    expect(wrapper.find('[data-index="155"] [data-testid="user-name"]').text()).toBe('Name156 Last156');
    expect(wrapper.find('[data-index="0"]').exists()).toBe(false);
  });

  it('filters by the selected department, with or without its sub-departments', async () => {
    const api = directoryApi();
    const wrapper = await mountPage(api);

    await wrapper.find('[data-department="2"] [data-testid="tree-select"]').trigger('click');
    await flushPromises();
    expect(lastUsersQuery(api)).toMatchObject({ department: 2, subdepartments: true, cursor: null });
    expect(wrapper.find('[data-department="2"] [data-testid="tree-select"]').attributes('aria-current')).toBe('true');

    await wrapper.find('button[data-testid="include-subdepartments"]').trigger('click');
    await flushPromises();
    expect(lastUsersQuery(api)).toMatchObject({ department: 2, subdepartments: false });
    expect(wrapper.find('[data-department="2"] [data-testid="department-count"]').text()).toContain('30');

    await wrapper.find('[data-department="all"]').trigger('click');
    await flushPromises();
    expect(lastUsersQuery(api)).toMatchObject({ department: null });
  });

  it('expands and collapses departments', async () => {
    const wrapper = await mountPage();
    expect(treeNames(wrapper)).not.toContain('Sales North');

    const toggle = wrapper.find('[data-department="2"] [data-testid="tree-toggle"]');
    expect(toggle.attributes('aria-expanded')).toBe('false');
    expect(toggle.attributes('aria-label')).toBe('Expand Sales');
    await toggle.trigger('click');
    expect(treeNames(wrapper)).toEqual(['Acme', 'Sales', 'Sales North', 'Support']);

    await wrapper.find('[data-department="1"] [data-testid="tree-toggle"]').trigger('click');
    expect(treeNames(wrapper)).toEqual(['Acme']);
  });

  it('searches after the user stops typing, once', async () => {
    const api = directoryApi();
    const wrapper = await mountPage(api);
    const input = wrapper.find('input[type="search"]');
    expect(input.attributes('maxlength')).toBe('200');

    await input.setValue('a');
    await vi.advanceTimersByTimeAsync(100);
    await input.setValue('an');
    await vi.advanceTimersByTimeAsync(100);
    await input.setValue('ann ');
    await vi.advanceTimersByTimeAsync(SEARCH_DEBOUNCE_MS - 1);
    expect(api.users).toHaveBeenCalledTimes(1);

    await vi.advanceTimersByTimeAsync(1);
    await flushPromises();
    expect(api.users).toHaveBeenCalledTimes(2);
    expect(lastUsersQuery(api)).toMatchObject({ q: 'ann', cursor: null });
  });

  it('switches between active, fired and all users', async () => {
    const api = directoryApi();
    const wrapper = await mountPage(api);
    const radio = (value: string) => wrapper.find(`[data-testid="active-filter"] [value="${value}"]`);

    await radio('fired').trigger('click');
    await flushPromises();
    expect(lastUsersQuery(api)).toMatchObject({ active: 'fired' });
    await radio('all').trigger('click');
    await flushPromises();
    expect(lastUsersQuery(api)).toMatchObject({ active: 'all' });
  });

  it('says when nothing matches', async () => {
    const api = directoryApi();
    api.users = fakeUsers(0);
    const wrapper = await mountPage(api);
    expect(wrapper.find('[data-testid="users-empty"]').text()).toBe('No employees match these filters.');
    expect(wrapper.find('[data-testid="user-total"]').text()).toBe('0 users');
  });

  it('renders hostile names as text', async () => {
    const api = directoryApi();
    const hostile = '<script>alert(1)</script>';
    api.users = fakeUsers(3, {
      make: (id) => makeUser(id, { fullName: `${hostile} <b>x</b>`, position: '<img src=x onerror=alert(1)>' }),
    });
    api.departments.mockResolvedValue({
      ...syncedDepartments,
      tree: [
        { ...companyTree[0]!, name: '<img src=x onerror=alert(2)>', head: { id: 1, name: hostile, active: true } },
      ],
    });
    const wrapper = await mountPage(api);

    expect(wrapper.find('[data-index="0"] [data-testid="user-name"]').text()).toBe(`${hostile} <b>x</b>`);
    expect(wrapper.find('[data-department="1"] [data-testid="department-name"]').text()).toBe(
      '<img src=x onerror=alert(2)>',
    );
    expect(wrapper.find('[data-department="1"] [data-testid="department-head"]').text()).toBe(`Head: ${hostile}`);
    const page = wrapper.find('[data-page="directory"]').element;
    expect(page.querySelectorAll('script, b, img[src="x"]')).toHaveLength(0);
  });

  it('says the directory has not been synced yet instead of showing an empty list', async () => {
    const api = stubApi(partlyGranted);
    api.syncStatus.mockResolvedValue({
      state: 'never',
      generation: null,
      refreshedAt: null,
      workgroups: { available: true },
    });
    const wrapper = await mountPage(api);

    expect(wrapper.find('[data-testid="not-synced"]').text()).toContain('The directory has not been synced yet');
    expect(wrapper.find('[data-testid="sync-summary"]').text()).toBe('Not synced yet');
    expect(wrapper.find('[data-testid="department-tree"]').exists()).toBe(false);
    expect(wrapper.find('[data-testid="api-error"]').exists()).toBe(false);
  });
});

describe('DirectoryPage sync status', () => {
  it('says when the mirror was refreshed, with the counts of the last run', async () => {
    const wrapper = await mountPage();
    expect(wrapper.find('[data-testid="sync-summary"]').text()).toBe(
      'Last refreshed 5 minutes ago (50,000 users, 1,365 departments)',
    );
  });

  it('counts what the list shows (active users) when the server says so (issue 13)', async () => {
    const api = directoryApi();
    api.syncStatus.mockResolvedValue({ ...idleSync, shown: { users: 50_000, activeUsers: 47_512, departments: 1365 } });
    const wrapper = await mountPage(api);
    expect(wrapper.find('[data-testid="sync-summary"]').text()).toBe(
      'Last refreshed 5 minutes ago (47,512 users, 1,365 departments)',
    );
  });

  it('speaks Russian with Russian plural forms', async () => {
    const wrapper = await mountPage(directoryApi(), { lang: 'ru' });
    const summary = wrapper.find('[data-testid="sync-summary"]').text().replace(/\s/g, ' ');
    expect(summary).toBe('Обновлено 5 минут назад (50 000 пользователей, 1 365 отделов)');
  });

  it('offers "Refresh now" to admins only', async () => {
    expect((await mountPage(directoryApi(), { user: testUser })).find('[data-testid="sync-refresh"]').exists()).toBe(
      true,
    );
    for (const isAdmin of [false, null]) {
      const wrapper = await mountPage(directoryApi(), { user: { ...testUser, isAdmin } });
      expect(wrapper.find('[data-testid="sync-refresh"]').exists(), `isAdmin ${String(isAdmin)}`).toBe(false);
      expect(wrapper.find('[data-testid="sync-summary"]').text()).toContain('Last refreshed');
    }
  });

  it('refreshes, polls every second while running, stops when idle and shows the new snapshot', async () => {
    const api = directoryApi();
    const running: SyncStatus = runningSync(
      { phase: 'users', users: 12_000, departments: 1365, requests: 61 },
      { ...idleSync, state: 'running' },
    );
    api.startSync.mockResolvedValue({ started: true, status: running });
    api.syncStatus
      .mockResolvedValueOnce(idleSync)
      .mockResolvedValueOnce({ ...running, progress: { ...running.progress!, users: 30_000 } })
      .mockResolvedValue({ ...idleSync, generation: 6 });
    const wrapper = await mountPage(api);
    expect(api.departments).toHaveBeenCalledTimes(1);

    await wrapper.find('[data-testid="sync-refresh"]').trigger('click');
    await flushPromises();
    expect(api.startSync).toHaveBeenCalledTimes(1);
    expect(wrapper.find('[data-testid="sync-progress"]').attributes('data-phase')).toBe('users');
    expect(wrapper.find('[data-testid="sync-counts"]').text()).toBe(
      '12,000 users · 1,365 departments · 0 workgroups · 61 requests',
    );
    expect(wrapper.find('[data-testid="sync-refresh"]').attributes('disabled')).toBeDefined();

    await vi.advanceTimersByTimeAsync(1000);
    expect(api.syncStatus).toHaveBeenCalledTimes(2);
    expect(wrapper.find('[data-testid="sync-counts"]').text()).toContain('30,000 users');

    await vi.advanceTimersByTimeAsync(1000);
    await flushPromises();
    expect(api.syncStatus).toHaveBeenCalledTimes(3);
    expect(wrapper.find('[data-testid="sync-progress"]').exists()).toBe(false);
    expect(api.departments).toHaveBeenCalledTimes(2);
    expect(lastUsersQuery(api)).toMatchObject({ cursor: null });

    await vi.advanceTimersByTimeAsync(10_000);
    expect(api.syncStatus).toHaveBeenCalledTimes(3);
  });

  it('shows the server’s code when the refresh is refused', async () => {
    const api = directoryApi();
    api.startSync.mockRejectedValue(new ApiError({ code: 'ADMIN_REQUIRED', status: 403, message: 'Admins only' }));
    const wrapper = await mountPage(api);

    await wrapper.find('[data-testid="sync-refresh"]').trigger('click');
    await flushPromises();
    const alert = wrapper.find('[data-testid="api-error"]');
    expect(alert.text()).toContain('You do not have access to this part of Keycard.');
    expect(alert.text()).toContain('ADMIN_REQUIRED');
  });

  it('shows a failed sync with its code, and keeps the last snapshot', async () => {
    const api = directoryApi();
    api.syncStatus.mockResolvedValue({
      ...idleSync,
      state: 'failed',
      lastError: { code: 'QUERY_LIMIT_EXCEEDED', message: 'Bitrix24 refused too many requests.', at: NOW - 1000 },
    });
    const wrapper = await mountPage(api);
    const alert = wrapper.find('[data-testid="sync-failed"]');
    expect(alert.text()).toContain('The last sync failed');
    expect(alert.text()).toContain('Bitrix24 refused too many requests.');
    expect(alert.find('[data-testid="sync-error-code"]').text()).toBe('Error code: QUERY_LIMIT_EXCEEDED');
    expect(wrapper.findAll('[data-testid="user-name"]').length).toBeGreaterThan(0);
  });

  it('explains that workgroups are not mirrored without sonet_group', async () => {
    const api = directoryApi();
    api.syncStatus.mockResolvedValue({ ...idleSync, workgroups: { available: false, missingScope: 'sonet_group' } });
    const wrapper = await mountPage(api);
    expect(wrapper.find('[data-testid="workgroups-unavailable"]').text()).toBe(
      'Workgroups are not mirrored: the app lacks the sonet_group permission. Access rules for workgroups (SG…) are unavailable until an administrator grants it.',
    );

    const granted = await mountPage(directoryApi());
    expect(granted.find('[data-testid="workgroups-unavailable"]').exists()).toBe(false);
  });
});
