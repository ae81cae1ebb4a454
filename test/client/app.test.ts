// @vitest-environment happy-dom
import { flushPromises } from '@vue/test-utils';
import { afterEach, describe, expect, it } from 'vitest';
import App from '../../client/App.vue';
import { installAccessGuard } from '../../client/accessGuard';
import { createApiClient } from '../../client/api/client';
import type { MeAccess } from '../../client/api/accessSchemas';
import type { Bootstrap } from '../../client/bootstrap';
import { createAccessState } from '../../client/composables/useAccess';
import { createSessionState } from '../../client/composables/useSession';
import { installLanding } from '../../client/frame/landing';
import { createKeycardRouter } from '../../client/router';
import { fullAccess, meWith, policyResponse, stockReaderAccess } from './support/access';
import { makeUser, syncedDepartments } from './support/directory';
import { fakeB24, idleSync, partlyGranted } from './support/fakes';
import { mountKeycard } from './support/mount';
import { shown } from './support/ui';

afterEach(() => {
  document.body.innerHTML = '';
});

const bootstrap: Bootstrap = {
  mode: 'app',
  lang: 'en',
  session: 'session-token',
  user: { id: '7', name: 'Anna Smirnova', isAdmin: true },
  portal: { domain: 'acme.bitrix24.com' },
};

function answer(status: number, body: unknown): typeof fetch {
  return async () => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

/** Wires the app as main.ts does: the API client reports withdrawn access, the router checks access. */
async function mountApp(fetch: typeof globalThis.fetch, overrides: Partial<Bootstrap> = {}) {
  const session = createSessionState();
  const api = createApiClient({
    session: bootstrap.session,
    fetch,
    onUnauthorized: () => session.markExpired(),
    onAccessDenied: () => access.markWithdrawn(),
  });
  const access = createAccessState({ fetchMe: (signal) => api.me({ signal }) });
  const { b24 } = fakeB24();
  const router = createKeycardRouter();
  installAccessGuard(router, access);
  installLanding(router, access);
  await router.push('/');
  const wrapper = mountKeycard(App, {
    api,
    b24,
    session,
    router,
    access,
    props: { bootstrap: { ...bootstrap, ...overrides } },
  });
  await flushPromises();
  return { wrapper, b24, router, access };
}

/** Answers each /api path with its body; /api/me with an admin holding everything unless given. */
function routes(bodies: Record<string, unknown>, access: MeAccess = fullAccess): typeof fetch {
  return async (input) => {
    const path = new URL(String(input), 'http://app').pathname;
    const body = path === '/api/me' && bodies[path] === undefined ? meWith(access) : bodies[path];
    if (body === undefined) return new Response(JSON.stringify({ error: 'NOT_FOUND', message: path }), { status: 404 });
    return new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } });
  };
}

describe('App', () => {
  it('shows the shell with the user and the Scopes page by default', async () => {
    const { wrapper, router } = await mountApp(routes({ '/api/scopes': partlyGranted }));

    expect(router.currentRoute.value.name).toBe('scopes');
    expect(wrapper.find('[data-testid="current-user"]').text()).toContain('Anna Smirnova');
    expect(wrapper.find('nav').text()).toContain('Scopes');
    expect(wrapper.find('[data-page="scopes"]').exists()).toBe(true);
    // Plain links in one <nav>: the current section is marked for assistive technology.
    expect(wrapper.findAll('nav')).toHaveLength(1);
    expect(wrapper.find('a[data-testid="nav-scopes"]').attributes('aria-current')).toBe('page');
    expect(wrapper.find('a[data-testid="nav-directory"]').attributes('aria-current')).toBeUndefined();
  });

  it('lands an employee on the first feature page they may use, and names it in the portal title', async () => {
    const { router, b24 } = await mountApp(routes({ '/api/scopes': partlyGranted }, stockReaderAccess), {
      user: { ...bootstrap.user, isAdmin: false },
    });
    expect(router.currentRoute.value.path).toBe('/stock');
    expect(b24.setTitle).toHaveBeenLastCalledWith('Keycard: Stock');
  });

  it('lists the pages an admin may use, and opens Directory', async () => {
    const { wrapper, router } = await mountApp(
      routes({
        '/api/scopes': partlyGranted,
        '/api/sync': idleSync,
        '/api/directory/departments': syncedDepartments,
        '/api/directory/users': { generation: 3, total: 1, nextCursor: null, users: [makeUser(1)] },
      }),
    );
    expect(wrapper.findAll('nav a').map((link) => link.text())).toEqual([
      'Scopes',
      'Directory',
      'Stock',
      'Access settings',
    ]);
    expect(wrapper.find('a[data-testid="nav-access"]').text()).toBe('Access settings');

    await router.push('/directory');
    await flushPromises();
    expect(wrapper.find('[data-page="directory"]').exists()).toBe(true);
    expect(wrapper.find('[data-testid="user-name"]').text()).toBe('Name1 Last1');
    expect(wrapper.find('[data-testid="sync-refresh"]').exists()).toBe(true);
  });

  it('hides admin actions from a user whose admin status is unknown', async () => {
    const { wrapper, router } = await mountApp(
      routes({
        '/api/scopes': partlyGranted,
        '/api/sync': idleSync,
        '/api/directory/departments': syncedDepartments,
        '/api/directory/users': { generation: 3, total: 0, nextCursor: null, users: [] },
      }),
      { user: { ...bootstrap.user, isAdmin: null } },
    );
    await router.push('/directory');
    await flushPromises();
    expect(wrapper.find('[data-testid="sync-summary"]').text()).toContain('Last refreshed');
    expect(wrapper.find('[data-testid="sync-refresh"]').exists()).toBe(false);
  });

  it('replaces the page with the session-expired notice on a 401, and Reload asks the portal', async () => {
    const { wrapper, b24 } = await mountApp(answer(401, { error: 'SESSION_EXPIRED', message: 'Session expired' }));

    const page = await shown('[data-page="session-expired"]');
    expect(wrapper.find('[data-page="scopes"]').exists()).toBe(false);
    expect(page.text()).toContain('Your session has expired — reopen the app');

    await page.find('[data-testid="session-reload"]').trigger('click');
    expect(b24.reloadApp).toHaveBeenCalledTimes(1);
  });

  it('opens the installer in install mode', async () => {
    const { wrapper } = await mountApp(routes({ '/api/scopes': partlyGranted }), { mode: 'install' });
    await shown('[data-page="install"]');
    expect(wrapper.find('[data-testid="current-user"]').exists()).toBe(false);
  });

  it('offers an employee only the pages their access allows', async () => {
    const { wrapper } = await mountApp(routes({ '/api/scopes': partlyGranted }, stockReaderAccess), {
      user: { ...bootstrap.user, isAdmin: false },
    });
    // The scopes table is for those who manage the app.
    expect(wrapper.findAll('nav a').map((link) => link.text())).toEqual(['Stock']);
    expect(wrapper.find('[data-testid="nav-access"]').exists()).toBe(false);
  });

  it('sends an employee who navigates to Access settings back to the first page, saying why', async () => {
    const { wrapper, router } = await mountApp(routes({ '/api/scopes': partlyGranted }, stockReaderAccess));

    await router.push('/access/roles');
    await flushPromises();

    expect(router.currentRoute.value.path).toBe('/stock');
    expect(wrapper.find('[data-page="access"]').exists()).toBe(false);
    expect(wrapper.find('[data-testid="access-denied-notice"]').text()).toContain(
      'You have no access to “Access settings”',
    );
  });

  it('shows the no-access notice instead of the app when /api/me says the app is closed to the user', async () => {
    const { wrapper } = await mountApp(routes({ '/api/scopes': partlyGranted }, { ...stockReaderAccess, open: false }));
    expect((await shown('[data-page="access-withdrawn"]')).text()).toContain('You no longer have access to Keycard');
    expect(wrapper.find('[data-testid="current-user"]').exists()).toBe(false);
  });

  it('shows the no-access notice as soon as a request answers APP_ACCESS_DENIED', async () => {
    let withdrawn = false;
    const fetch: typeof globalThis.fetch = async (input) => {
      const path = new URL(String(input), 'http://app').pathname;
      if (path === '/api/me')
        return new Response(JSON.stringify(meWith({ ...fullAccess, open: !withdrawn })), { status: 200 });
      if (withdrawn)
        return new Response(JSON.stringify({ error: 'APP_ACCESS_DENIED', message: 'No access' }), { status: 403 });
      return new Response(JSON.stringify(partlyGranted), { status: 200 });
    };
    const { wrapper, router } = await mountApp(fetch);
    expect(wrapper.find('[data-page="scopes"]').exists()).toBe(true);

    withdrawn = true;
    await router.push('/directory');
    await shown('[data-page="access-withdrawn"]');
    expect(wrapper.find('[data-page="directory"]').exists()).toBe(false);
  });

  it('saves from Access settings and stays there while /api/me is asked again', async () => {
    let meCalls = 0;
    const sent: { method: string; ifMatch: string | null; body: unknown }[] = [];
    const fetch: typeof globalThis.fetch = async (input, init) => {
      const path = new URL(String(input), 'http://app').pathname;
      const ok = (body: unknown) => new Response(JSON.stringify(body), { status: 200 });
      if (path === '/api/me') {
        meCalls += 1;
        return ok(meWith(fullAccess));
      }
      if (path === '/api/access/policy' && init?.method === 'PUT') {
        const body: unknown = JSON.parse(String(init.body));
        sent.push({ method: 'PUT', ifMatch: new Headers(init.headers).get('If-Match'), body });
        return ok(policyResponse({ allowList: ['DR12'], version: 5, etag: '"v5"' }));
      }
      if (path === '/api/access/policy') return ok(policyResponse());
      return ok(partlyGranted);
    };
    const { wrapper, router } = await mountApp(fetch);
    await wrapper.find('a[data-testid="nav-access"]').trigger('click');
    await shown('[data-testid="allow-list-remove-U7"]');
    expect(router.currentRoute.value.name).toBe('access-allow-list');

    await wrapper.find('[data-testid="allow-list-remove-U7"]').trigger('click');
    await wrapper.find('[data-testid="policy-save"]').trigger('click');
    await flushPromises();

    expect(sent).toEqual([{ method: 'PUT', ifMatch: '"v4"', body: expect.objectContaining({ allowList: ['DR12'] }) }]);
    expect(meCalls).toBe(2);
    expect(wrapper.find('[data-testid="policy-saved"]').text()).toBe('Changes saved.');
    expect(wrapper.findAll('[data-testid^="allow-list-item-"]').map((row) => row.attributes('data-code'))).toEqual([
      'DR12',
    ]);
  });
});
