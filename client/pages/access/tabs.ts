import type { Component } from 'vue';
import type { MessageKey } from '../../i18n';
import AllowListTab from './AllowListTab.vue';
import AuditTab from './AuditTab.vue';
import CheckUserTab from './CheckUserTab.vue';
import ConflictsTab from './ConflictsTab.vue';
import RolesTab from './RolesTab.vue';

/** A tab of a page with sub-pages (a child route). */
export interface AppSubPage {
  /** Relative to the page's path. */
  path: string;
  name: string;
  labelKey: MessageKey;
  component: Component;
}

/** Access settings: the allow-list and roles edit one draft (one Save); the rest only read. */
export const accessTabs: readonly AppSubPage[] = [
  { path: 'allow-list', name: 'access-allow-list', labelKey: 'settings.tab.allowList', component: AllowListTab },
  { path: 'roles', name: 'access-roles', labelKey: 'settings.tab.roles', component: RolesTab },
  { path: 'check', name: 'access-check', labelKey: 'settings.tab.check', component: CheckUserTab },
  { path: 'conflicts', name: 'access-conflicts', labelKey: 'settings.tab.conflicts', component: ConflictsTab },
  { path: 'audit', name: 'access-audit', labelKey: 'settings.tab.audit', component: AuditTab },
];

/** The tabs that edit the policy draft (they show the Save bar). */
export const EDITING_TABS: ReadonlySet<string> = new Set(['access-allow-list', 'access-roles']);
