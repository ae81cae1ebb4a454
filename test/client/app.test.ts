// @vitest-environment happy-dom
import { flushPromises } from '@vue/test-utils'
import { afterEach, describe, expect, it } from 'vitest'
import App from '../../client/App.vue'
import { createApiClient } from '../../client/api/client'
import type { Bootstrap } from '../../client/bootstrap'
import { createSessionState } from '../../client/composables/useSession'
import { createKeycardRouter } from '../../client/router'
import { makeUser, syncedDepartments } from './support/directory'
import { fakeB24, idleSync, partlyGranted } from './support/fakes'
import { mountKeycard } from './support/mount'

afterEach(() => {
  document.body.innerHTML = ''
})

const bootstrap: Bootstrap = {
  mode: 'app',
  lang: 'en',
  session: 'session-token',
  user: { id: '7', name: 'Anna Smirnova', isAdmin: true },
  portal: { domain: 'acme.bitrix24.com' }
}

function answer(status: number, body: unknown): typeof fetch {
  return async () => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}

async function mountApp(fetch: typeof globalThis.fetch, overrides: Partial<Bootstrap> = {}) {
  const session = createSessionState()
  const api = createApiClient({ session: bootstrap.session, fetch, onUnauthorized: () => session.markExpired() })
  const { b24 } = fakeB24()
  const router = createKeycardRouter()
  await router.push('/')
  const wrapper = mountKeycard(App, { api, b24, session, router, props: { bootstrap: { ...bootstrap, ...overrides } } })
  await flushPromises()
  return { wrapper, b24, router }
}

/** Answers each /api path with its body. */
function routes(bodies: Record<string, unknown>): typeof fetch {
  return async (input) => {
    const path = new URL(String(input), 'http://app').pathname
    const body = bodies[path]
    if (body === undefined) return new Response(JSON.stringify({ error: 'NOT_FOUND', message: path }), { status: 404 })
    return new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } })
  }
}

describe('App', () => {
  it('shows the shell with the user and the Scopes page by default', async () => {
    const { wrapper, router } = await mountApp(answer(200, partlyGranted))

    expect(router.currentRoute.value.name).toBe('scopes')
    expect(wrapper.find('[data-testid="current-user"]').text()).toContain('Anna Smirnova')
    expect(wrapper.find('nav').text()).toContain('Scopes')
    expect(wrapper.find('[data-page="scopes"]').exists()).toBe(true)
  })

  it('lists Directory next to Scopes and opens it', async () => {
    const { wrapper, router } = await mountApp(
      routes({
        '/api/scopes': partlyGranted,
        '/api/sync': idleSync,
        '/api/directory/departments': syncedDepartments,
        '/api/directory/users': { generation: 3, total: 1, nextCursor: null, users: [makeUser(1)] }
      })
    )
    expect(wrapper.findAll('nav a').map((link) => link.text())).toEqual(['Scopes', 'Directory'])

    await router.push('/directory')
    await flushPromises()
    expect(wrapper.find('[data-page="directory"]').exists()).toBe(true)
    expect(wrapper.find('[data-testid="user-name"]').text()).toBe('Name1 Last1')
    expect(wrapper.find('[data-testid="sync-refresh"]').exists()).toBe(true)
  })

  it('hides admin actions from a user whose admin status is unknown', async () => {
    const { wrapper, router } = await mountApp(
      routes({
        '/api/scopes': partlyGranted,
        '/api/sync': idleSync,
        '/api/directory/departments': syncedDepartments,
        '/api/directory/users': { generation: 3, total: 0, nextCursor: null, users: [] }
      }),
      { user: { ...bootstrap.user, isAdmin: null } }
    )
    await router.push('/directory')
    await flushPromises()
    expect(wrapper.find('[data-testid="sync-summary"]').text()).toContain('Last refreshed')
    expect(wrapper.find('[data-testid="sync-refresh"]').exists()).toBe(false)
  })

  it('replaces the page with the session-expired notice on a 401, and Reload asks the portal', async () => {
    const { wrapper, b24 } = await mountApp(answer(401, { error: 'SESSION_EXPIRED', message: 'Session expired' }))

    expect(wrapper.find('[data-page="scopes"]').exists()).toBe(false)
    const page = wrapper.find('[data-page="session-expired"]')
    expect(page.text()).toContain('Your session has expired — reopen the app')

    await page.find('[data-testid="session-reload"]').trigger('click')
    expect(b24.reloadApp).toHaveBeenCalledTimes(1)
  })

  it('opens the installer in install mode', async () => {
    const { wrapper } = await mountApp(answer(200, partlyGranted), { mode: 'install' })
    expect(wrapper.find('[data-page="install"]').exists()).toBe(true)
    expect(wrapper.find('[data-testid="current-user"]').exists()).toBe(false)
  })
})
