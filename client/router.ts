import type { Component } from 'vue'
import { createMemoryHistory, createRouter, type Router, type RouterHistory } from 'vue-router'
import ShieldIcon from '@bitrix24/b24icons-vue/outline/ShieldIcon'
import ThreePersonsIcon from '@bitrix24/b24icons-vue/outline/ThreePersonsIcon'
import type { IconComponent } from '@bitrix24/b24ui-nuxt'
import type { MessageKey } from './i18n'
import DirectoryPage from './pages/DirectoryPage.vue'
import ScopesPage from './pages/ScopesPage.vue'

/** A page of the app shell; the navigation is built from this list, in this order. */
export interface AppPage {
  path: `/${string}`
  name: string
  /** Navigation label. */
  labelKey: MessageKey
  icon: IconComponent
  component: Component
}

// Add Access here: one entry gives a route and a navigation item.
export const appPages: readonly AppPage[] = [
  { path: '/scopes', name: 'scopes', labelKey: 'nav.scopes', icon: ShieldIcon, component: ScopesPage },
  { path: '/directory', name: 'directory', labelKey: 'nav.directory', icon: ThreePersonsIcon, component: DirectoryPage }
]

const HOME = appPages[0]?.path ?? '/'

/**
 * The app runs in an iframe the portal POSTs to (`/app`), so the address bar must never change:
 * memory history keeps navigation inside the page.
 */
export function createKeycardRouter(history: RouterHistory = createMemoryHistory()): Router {
  return createRouter({
    history,
    routes: [
      { path: '/', redirect: HOME },
      ...appPages.map(({ path, name, component }) => ({ path, name, component })),
      { path: '/:unknown(.*)*', redirect: HOME }
    ]
  })
}
