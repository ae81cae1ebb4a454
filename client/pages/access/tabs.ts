import type { RouteRecordSingleView } from 'vue-router';
import type { MessageKey } from '../../i18n';

/** A tab of a page with sub-pages (a child route). */
export interface AppSubPage {
  /** Relative to the page's path. */
  path: string;
  name: string;
  labelKey: MessageKey;
  /** The component or, loaded on the first visit, a function importing it. */
  component: RouteRecordSingleView['component'];
}

/**
 * Access settings: the allow-list and roles edit one draft (one Save); the rest only read. The router
 * imports this list, so the tabs are loaded on demand: otherwise they would be in every user's first download.
 */
export const accessTabs: readonly AppSubPage[] = [
  {
    path: 'allow-list',
    name: 'access-allow-list',
    labelKey: 'settings.tab.allowList',
    component: () => import('./AllowListTab.vue'),
  },
  { path: 'roles', name: 'access-roles', labelKey: 'settings.tab.roles', component: () => import('./RolesTab.vue') },
  {
    path: 'check',
    name: 'access-check',
    labelKey: 'settings.tab.check',
    component: () => import('./CheckUserTab.vue'),
  },
  {
    path: 'conflicts',
    name: 'access-conflicts',
    labelKey: 'settings.tab.conflicts',
    component: () => import('./ConflictsTab.vue'),
  },
  { path: 'audit', name: 'access-audit', labelKey: 'settings.tab.audit', component: () => import('./AuditTab.vue') },
  {
    path: 'requests',
    name: 'access-requests',
    labelKey: 'requests.tab',
    component: () => import('./RequestsTab.vue'),
  },
];

/** The tabs that edit the policy draft (they show the Save bar). */
export const EDITING_TABS: ReadonlySet<string> = new Set(['access-allow-list', 'access-roles']);
