import type { PlacementBinding } from '../portal.js';
import { RestError, restErrors } from './errors.js';
import { isRecord, text, upperKeys } from './params.js';
import type { MethodDefinition } from './types.js';

/**
 * Placements this portal offers, with the extra scope each needs besides `placement`.
 * Source: api-reference/widgets/placements.md "All Placements" (the "Additional Scope" column): USER_PROFILE_* need
 * `user`, SONET_GROUP_* need `sonet_group`. Messenger placements: widgets/index.md — "the `placement` scope alone
 * is enough for registration, while `im` is needed to work with the chat".
 */
const PLACEMENTS = new Map<string, string | undefined>([
  ['LEFT_MENU', undefined],
  ['REST_APP_URI', undefined],
  ['PAGE_BACKGROUND_WORKER', undefined],
  ['USER_PROFILE_MENU', 'user'],
  ['USER_PROFILE_TOOLBAR', 'user'],
  ['CRM_DEAL_DETAIL_TAB', 'crm'],
  ['CRM_LEAD_DETAIL_TAB', 'crm'],
  ['CRM_CONTACT_DETAIL_TAB', 'crm'],
  ['CRM_COMPANY_DETAIL_TAB', 'crm'],
  ['TASK_VIEW_TAB', 'task'],
  ['IM_CONTEXT_MENU', undefined],
  ['SONET_GROUP_DETAIL_TAB', 'sonet_group'],
]);

function langAll(raw: unknown, title: string, lang: string): PlacementBinding['langAll'] {
  const out: PlacementBinding['langAll'] = {};
  if (isRecord(raw)) {
    for (const [code, value] of Object.entries(raw)) {
      const entry = isRecord(value) ? upperKeys(value) : {};
      out[code] = {
        TITLE: text(entry['TITLE']) ?? '',
        DESCRIPTION: text(entry['DESCRIPTION']) ?? '',
        GROUP_NAME: text(entry['GROUP_NAME']) ?? '',
      };
    }
  }
  if (Object.keys(out).length === 0) out[lang] = { TITLE: title, DESCRIPTION: '', GROUP_NAME: '' };
  return out;
}

/**
 * `placement.bind` / `placement.get` / `placement.unbind` (admin-only, scope placement) and
 * `placement.list` (any user). A second bind of the same placement and handler fails like the portal's
 * PlacementTable uniqueness check.
 * @see https://apidocs.bitrix24.com/api-reference/widgets/placement-bind.html
 */
export const placementMethods: Record<string, MethodDefinition> = {
  'placement.bind': {
    scopes: ['placement'],
    adminOnly: true,
    handler: ({ portal }, params) => {
      const query = upperKeys(params);
      const placement = text(query['PLACEMENT'])?.toUpperCase() ?? '';
      const handler = text(query['HANDLER']) ?? '';
      if (placement === '') throw restErrors.argument('PLACEMENT');
      if (handler === '') throw restErrors.argument('HANDLER');
      const extraScope = PLACEMENTS.get(placement);
      if (!PLACEMENTS.has(placement) || (extraScope !== undefined && !portal.hasScope(extraScope))) {
        throw new RestError(400, 'ERROR_PLACEMENT_NOT_FOUND', 'Placement not found');
      }
      const placements = portal.installation.placements;
      if (placements.some((binding) => binding.placement === placement && binding.handler === handler)) {
        throw new RestError(400, 'ERROR_CORE', 'Unable to set placement handler: Handler already binded');
      }
      const title = text(query['TITLE']) ?? '';
      placements.push({
        placement,
        handler,
        title,
        description: text(query['DESCRIPTION']) ?? '',
        groupName: text(query['GROUP_NAME']) ?? '',
        options: isRecord(query['OPTIONS']) ? query['OPTIONS'] : [],
        langAll: langAll(query['LANG_ALL'], title, portal.lang),
        userId: 0,
      });
      return { result: true };
    },
  },
  'placement.get': {
    scopes: ['placement'],
    adminOnly: true,
    handler: ({ portal }) => ({
      result: portal.installation.placements.map((binding) => ({
        placement: binding.placement,
        userId: binding.userId,
        handler: binding.handler,
        options: binding.options,
        title: binding.title,
        description: binding.description,
        langAll: binding.langAll,
      })),
    }),
  },
  'placement.unbind': {
    scopes: ['placement'],
    adminOnly: true,
    handler: ({ portal }, params) => {
      const query = upperKeys(params);
      const placement = text(query['PLACEMENT'])?.toUpperCase() ?? '';
      if (placement === '') throw restErrors.argument('PLACEMENT');
      const handler = text(query['HANDLER']);
      const before = portal.installation.placements;
      const kept = before.filter(
        (binding) => !(binding.placement === placement && (handler === undefined || binding.handler === handler)),
      );
      portal.installation.placements = kept;
      return { result: { count: before.length - kept.length } };
    },
  },
  'placement.list': {
    scopes: ['placement'],
    handler: ({ portal }) => ({
      result: [...PLACEMENTS]
        .filter(([, scope]) => scope === undefined || portal.hasScope(scope))
        .map(([code]) => code),
    }),
  },
};
