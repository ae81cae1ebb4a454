// @vitest-environment happy-dom
import { flushPromises } from '@vue/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { allowedPages, deniedLocation, installAccessGuard } from '../../client/accessGuard';
import type { Me } from '../../client/api/schemas';
import { createAccessState } from '../../client/composables/useAccess';
import { createKeycardRouter, type AppPage } from '../../client/router';
import StockPage from '../../client/pages/StockPage.vue';
import { adminMe, fullAccess, meWith, stockReaderAccess } from './support/access';
import { fakeB24, partlyGranted, stubApi } from './support/fakes';
import { mountKeycard } from './support/mount';

afterEach(() => {
  document.body.innerHTML = '';
});

/** An access state whose /api/me answers can be changed between loads. */
function accessAnswering(first: Me) {
  let answer = first;
  const fetchMe = vi.fn(async () => answer);
  const access = createAccessState({ fetchMe });
  return { access, fetchMe, answer: (next: Me) => (answer = next) };
}

describe('useAccess', () => {
  it('answers can() per feature, level and resource from /api/me', async () => {
    const { access } = accessAnswering(meWith(stockReaderAccess, { isAdmin: false }));
    expect(access.can('stock', 'read')).toBe(false);
    await access.load();

    expect(access.can('stock', 'read')).toBe(true);
    expect(access.can('stock', 'read', '1')).toBe(true);
    expect(access.can('stock', 'read', '2')).toBe(false);
    expect(access.can('stock', 'edit')).toBe(false);
    expect(access.can('reports', 'read')).toBe(false);
    expect(access.can('nonexistent', 'read')).toBe(false);
    expect(access.manage.value).toBe(false);
    expect(access.isAdmin.value).toBe(false);

    const admin = accessAnswering(adminMe).access;
    await admin.load();
    expect(admin.can('stock', 'edit', '2')).toBe(true);
    expect(admin.manage.value).toBe(true);
  });

  it('grants nothing once the app is closed to the user, and says so', async () => {
    const { access } = accessAnswering(meWith({ ...fullAccess, open: false }));
    await access.load();
    expect(access.withdrawn.value).toBe(true);
    expect(access.can('reports', 'read')).toBe(false);
  });

  it('allows a page when any of its requirements holds', async () => {
    const { access } = accessAnswering(meWith({ ...stockReaderAccess, manage: true }));
    await access.load();
    expect(access.allows(undefined)).toBe(true);
    expect(access.allows([{ feature: 'directory', level: 'read' }])).toBe(false);
    expect(access.allows([{ feature: 'directory', level: 'read' }, 'manage'])).toBe(true);
  });

  it('loads once, and is withdrawn on APP_ACCESS_DENIED until /api/me says otherwise', async () => {
    const { access, fetchMe } = accessAnswering(adminMe);
    await Promise.all([access.load(), access.load()]);
    await access.load();
    expect(fetchMe).toHaveBeenCalledTimes(1);

    access.markWithdrawn();
    expect(access.withdrawn.value).toBe(true);
    await access.reload();
    expect(access.withdrawn.value).toBe(false);
  });

  it('reports a failed first load, and keeps the last answer when a reload fails', async () => {
    const fetchMe = vi
      .fn<() => Promise<Me>>()
      .mockRejectedValueOnce(new Error('offline'))
      .mockResolvedValueOnce(adminMe)
      .mockRejectedValueOnce(new Error('offline'));
    const access = createAccessState({ fetchMe });
    await access.load();
    expect(access.status.value).toBe('failed');
    await access.reload();
    expect(access.status.value).toBe('ready');
    await access.reload();
    expect(access.status.value).toBe('ready');
    expect(access.manage.value).toBe(true);
    expect(access.error.value).toBeInstanceOf(Error);
  });
});

describe('access guard', () => {
  it('lists only the pages the user may use', async () => {
    const reader = accessAnswering(meWith(stockReaderAccess)).access;
    await reader.load();
    expect(allowedPages(reader).map((page) => page.name)).toEqual(['stock']);

    const admin = accessAnswering(adminMe).access;
    await admin.load();
    expect(allowedPages(admin).map((page) => page.name)).toEqual(['scopes', 'directory', 'stock', 'access']);
  });

  it('waits for /api/me, then lets allowed pages through and redirects forbidden ones to the first allowed page', async () => {
    const { access } = accessAnswering(meWith(stockReaderAccess));
    const router = createKeycardRouter();
    installAccessGuard(router, access);

    await router.push('/stock');
    expect(router.currentRoute.value.path).toBe('/stock');

    await router.push('/directory');
    expect(router.currentRoute.value.path).toBe('/stock');
    expect(router.currentRoute.value.query).toEqual({ denied: 'directory' });

    await router.push('/access/audit');
    expect(router.currentRoute.value.query).toEqual({ denied: 'access' });
  });

  it('opens the first tab of Access settings for a manager, and Directory for a manager without directory:read', async () => {
    const { access } = accessAnswering(meWith({ ...stockReaderAccess, manage: true }));
    const router = createKeycardRouter();
    installAccessGuard(router, access);
    await router.push('/access');
    expect(router.currentRoute.value.name).toBe('access-allow-list');
    await router.push('/directory');
    expect(router.currentRoute.value.path).toBe('/directory');
  });

  it('moves the user off a page when their access to it goes away', async () => {
    const { access, answer } = accessAnswering(adminMe);
    const router = createKeycardRouter();
    installAccessGuard(router, access);
    await router.push('/access/roles');
    expect(router.currentRoute.value.path).toBe('/access/roles');

    answer(meWith(stockReaderAccess));
    await access.reload();
    await flushPromises();
    expect(router.currentRoute.value.path).toBe('/stock');
    expect(router.currentRoute.value.query).toEqual({ denied: 'access' });
  });

  it('sends a user who may use no page at all to the no-access notice', async () => {
    const { access } = accessAnswering(meWith(stockReaderAccess));
    await access.load();
    const reports: AppPage = {
      path: '/reports',
      name: 'reports',
      labelKey: 'nav.scopes',
      component: StockPage,
      requires: [{ feature: 'reports', level: 'read' }],
    };
    expect(deniedLocation({ meta: { page: 'reports' } }, access, [reports])).toEqual({ name: 'no-access' });
    expect(deniedLocation({ meta: { page: 'access' } }, access)).toEqual({
      path: '/stock',
      query: { denied: 'access' },
    });

    const router = createKeycardRouter();
    installAccessGuard(router, access);
    await router.push('/no-access');
    expect(router.currentRoute.value.name).toBe('no-access');
  });
});

describe('Stock page', () => {
  it('shows items by the warehouses the user may read, and which they may edit', async () => {
    const api = stubApi(partlyGranted);
    api.stock.mockResolvedValue({
      warehouses: [
        { id: '1', name: 'Main warehouse', canEdit: true },
        { id: '3', name: 'South', canEdit: false },
      ],
      items: [
        { sku: 'KB-100', name: 'Keyboard', quantities: { '1': 40, '3': 1200 } },
        { sku: 'MS-200', name: 'Mouse', quantities: { '3': 7 } },
      ],
    });
    const wrapper = mountKeycard(StockPage, { api, b24: fakeB24().b24 });
    await flushPromises();

    expect(wrapper.findAll('thead th[data-warehouse]').map((th) => th.text())).toEqual([
      'Main warehouseYou may edit',
      'SouthRead only',
    ]);
    const keyboard = wrapper.find('[data-sku="KB-100"]');
    // Editable where a role gives edit (a count not stocked there yet starts at 0), plain text elsewhere.
    const value = (sku: string) => {
      const element = wrapper.find(`input[data-testid="stock-count-${sku}-1"]`).element;
      return element instanceof HTMLInputElement ? element.value : null;
    };
    expect(value('KB-100')).toBe('40');
    expect(keyboard.find('td[data-warehouse="3"]').text()).toBe('1,200');
    expect(keyboard.find('td[data-warehouse="3"] input').exists()).toBe(false);
    expect(value('MS-200')).toBe('0');
  });

  it('says when the user may read no warehouse', async () => {
    const wrapper = mountKeycard(StockPage, { api: stubApi(partlyGranted), b24: fakeB24().b24 });
    await flushPromises();
    expect(wrapper.find('[data-testid="stock-empty"]').text()).toContain('Your roles give you no warehouse to read.');
  });
});
