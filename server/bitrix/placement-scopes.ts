/**
 * Bitrix24 scope codes an app may request.
 * Source: api-reference/scopes/permissions.md ("Available Scopes in Bitrix24"); `basic` from the pages marked
 * "Scope: basic" (app.info, user.current…), which every app holds.
 */
export const bitrixScopes: ReadonlySet<string> = new Set([
  'basic',
  'ai_admin',
  'biconnector',
  'bizproc',
  'booking',
  'calendar',
  'call',
  'cashbox',
  'catalog',
  'contact_center',
  'crm',
  'documentgenerator',
  'delivery',
  'department',
  'disk',
  'entity',
  'humanresources',
  'humanresources.hcmlink',
  'im',
  'imbot',
  'imconnector',
  'imopenlines',
  'intranet',
  'landing',
  'lists',
  'log',
  'mailservice',
  'main',
  'messageservice',
  'mobile',
  'pay_system',
  'placement',
  'pull',
  'rpa',
  'sale',
  'salescenter',
  'sign.b2e',
  'sonet_group',
  'socialnetwork',
  'task',
  'telephony',
  'timeman',
  'user',
  'user_brief',
  'user_basic',
  'user.userfield',
  'userfieldconfig',
  'userconsent',
  'vote',
]);

/** Every placement is bound with `placement.bind`, which needs the `placement` scope. */
export const PLACEMENT_SCOPE = 'placement';

/** CRM entity types whose cards and lists take `CRM_<TYPE>_…` placements (widgets/crm/detail-tab.md). */
const CRM_TYPE = String.raw`(LEAD|DEAL|CONTACT|COMPANY|QUOTE|SMART_INVOICE|ORDER|DYNAMIC_\d+)`;

/**
 * The scope a placement needs besides `placement`, or null when `placement` alone is enough.
 * Source: api-reference/widgets/placements.md, "All Placements" (the "Additional Scope" column) and
 * widgets/index.md: "For messenger placements, on the contrary, the `placement` scope alone is enough for
 * registration, while `im` is needed to work with the chat" — so IM_* need no second scope to be bound.
 */
const placementScopes: readonly (readonly [RegExp, string | null])[] = [
  [/^(LEFT_MENU|REST_APP_URI|PAGE_BACKGROUND_WORKER|BI_ANALYTICS_MENU)$/, null],
  [/^(IM_CONTEXT_MENU|IM_NAVIGATION|IM_SIDEBAR|IM_TEXTAREA|IM_SMILES_SELECTOR|IMMOBILE_CONTEXT_MENU)$/, null],
  [/^CALENDAR_GRIDVIEW$/, 'calendar'],
  [/^(CALL_CARD|TELEPHONY_ANALYTICS_MENU)$/, 'telephony'],
  [/^CONTACT_CENTER$/, 'contact_center'],
  [
    /^CRM_(ANALYTICS_MENU|ANALYTICS_TOOLBAR|BANK_DETAIL_AUTOCOMPLETE|DETAIL_SEARCH|FUNNELS_TOOLBAR|REQUISITE_AUTOCOMPLETE)$/,
    'crm',
  ],
  [
    new RegExp(
      `^CRM_${CRM_TYPE}_(ACTIVITY_TIMELINE_MENU|DETAIL_ACTIVITY|DETAIL_TAB|DETAIL_TOOLBAR|DOCUMENTGENERATOR_BUTTON|LIST_MENU|LIST_TOOLBAR|ROBOT_DESIGNER_TOOLBAR)$`,
    ),
    'crm',
  ],
  [/^SONET_GROUP_(DETAIL_TAB|ROBOT_DESIGNER_TOOLBAR|TOOLBAR)$/, 'sonet_group'],
  [
    /^TASK_(GROUP_LIST_TOOLBAR|LIST_CONTEXT_MENU|ROBOT_DESIGNER_TOOLBAR|USER_LIST_TOOLBAR|VIEW_SIDEBAR|VIEW_TAB|VIEW_TOP_PANEL)$/,
    'task',
  ],
  [/^USER_PROFILE_(MENU|TOOLBAR)$/, 'user'],
];

/**
 * The scopes binding `placement` needs: `placement` and the placement's own scope; undefined for a code the table
 * does not know (a typo, or a placement Keycard has not checked in the docs).
 */
export function placementNeeds(placement: string): readonly string[] | undefined {
  for (const [pattern, scope] of placementScopes) {
    if (pattern.test(placement)) return scope === null ? [PLACEMENT_SCOPE] : [PLACEMENT_SCOPE, scope];
  }
  return undefined;
}
