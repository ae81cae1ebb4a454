import {
  createMemoryHistory,
  createRouter,
  type RouteRecordSingleView,
  type Router,
  type RouteRecordRaw,
  type RouterHistory,
} from 'vue-router';
import type { AccessRequirement } from './composables/useAccess';
import type { MessageKey } from './i18n';
import { accessTabs, type AppSubPage } from './pages/access/tabs';
import ScopesPage from './pages/ScopesPage.vue';

export type { AppSubPage };

declare module 'vue-router' {
  interface RouteMeta {
    /** Who may see the route (any one of these). The server checks every request on its own. */
    requires?: readonly AccessRequirement[];
    /** The `AppPage.name` the route belongs to (for the "you have no access to …" notice). */
    page?: string;
  }
}

/** A page of the app shell; the navigation is built from this list, in this order. */
export interface AppPage {
  path: `/${string}`;
  name: string;
  /** Navigation label. (No icon: the top navigation shows labels only, as the portal's own top menus do.) */
  labelKey: MessageKey;
  /** The component or, loaded on the first visit, a function importing it. */
  component: RouteRecordSingleView['component'];
  /**
   * Who sees the page and may navigate to it: any one of these; absent, everyone who may open the
   * app. This only hides what the user cannot use — the server refuses the page's requests anyway.
   */
  requires?: readonly AccessRequirement[];
  /** Tabs; the page's own path opens the first. */
  children?: readonly AppSubPage[];
}

// Add a page here: one entry gives a route, a navigation item and its access check. Users land on the first
// page they may use (frame/landing.ts). The scopes page is in the main bundle; the others are loaded when
// first opened, so a user's first screen does not download the directory, stock and access settings with
// their heavier components.
export const appPages: readonly AppPage[] = [
  // The scopes table is for those who manage the app: an employee cannot grant a scope anyway.
  {
    path: '/scopes',
    name: 'scopes',
    labelKey: 'nav.scopes',
    component: ScopesPage,
    requires: ['manage'],
  },
  {
    path: '/directory',
    name: 'directory',
    labelKey: 'nav.directory',
    component: () => import('./pages/DirectoryPage.vue'),
    // Admins managing access pick people from the directory even without the directory feature.
    requires: [{ feature: 'directory', level: 'read' }, 'manage'],
  },
  {
    path: '/stock',
    name: 'stock',
    labelKey: 'nav.stock',
    component: () => import('./pages/StockPage.vue'),
    requires: [{ feature: 'stock', level: 'read' }],
  },
  {
    path: '/access',
    name: 'access',
    labelKey: 'nav.access',
    component: () => import('./pages/AccessSettingsPage.vue'),
    requires: ['manage'],
    children: accessTabs,
  },
];

/** Shown when the user may open the app but none of its pages. */
export const NO_ACCESS_ROUTE = 'no-access';

/** The app's start: sends the user on to the first page they may use (frame/landing.ts). */
export const LANDING_ROUTE = 'landing';

function pageRoute(page: AppPage): RouteRecordRaw {
  const meta = { requires: page.requires, page: page.name };
  const first = page.children?.[0];
  if (page.children === undefined || first === undefined) {
    return { path: page.path, name: page.name, component: page.component, meta };
  }
  return {
    path: page.path,
    component: page.component,
    meta,
    children: [
      { path: '', name: page.name, redirect: { name: first.name } },
      ...page.children.map(({ path, name, component }) => ({ path, name, component })),
    ],
  };
}

/**
 * The app runs in an iframe the portal POSTs to (`/app`), so the address bar must never change:
 * memory history keeps navigation inside the page (main.ts passes frame/frameHistory.ts, which also lets
 * the browser's Back step through it). Access checks are added by installAccessGuard(), the landing by
 * installLanding().
 */
export function createKeycardRouter(history: RouterHistory = createMemoryHistory()): Router {
  return createRouter({
    history,
    routes: [
      // Shows nothing: the landing guard decides where the user goes once /api/me answered.
      { path: '/', name: LANDING_ROUTE, component: { render: () => null } },
      ...appPages.map(pageRoute),
      { path: '/no-access', name: NO_ACCESS_ROUTE, component: () => import('./pages/NoAccessPage.vue') },
      { path: '/:unknown(.*)*', redirect: '/' },
    ],
  });
}
