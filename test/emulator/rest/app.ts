import { accessName, type AccessName } from '../access.js';
import { isoDate } from '../clock.js';
import { APP_ID } from '../installation.js';
import type { Portal } from '../portal.js';
import { isRecord, listOf, param, phpBool, text } from './params.js';
import type { MethodDefinition } from './types.js';
import { RestError } from './errors.js';

/** Scopes a portal knows (`scope { full: true }`). */
const ALL_SCOPES = [
  'app',
  'bizproc',
  'calendar',
  'call',
  'catalog',
  'crm',
  'department',
  'disk',
  'entity',
  'humanresources',
  'im',
  'imbot',
  'imopenlines',
  'intranet',
  'landing',
  'lists',
  'log',
  'mailservice',
  'main',
  'messageservice',
  'mobile',
  'placement',
  'pull',
  'sale',
  'socialnetwork',
  'sonet_group',
  'task',
  'tasks_extended',
  'telephony',
  'timeman',
  'user',
  'user_basic',
  'user_brief',
  'user.userfield',
  'userconsent',
  'userfieldconfig',
];

/**
 * The plan fields of `app.info`. Cloud: `LICENSE` = `<language>_<type>`, `LICENSE_TYPE`, `LICENSE_FAMILY`; values
 * from `api-reference/common/system/app-info.md` (Enterprise `de_ent250` … `de_ent10000`, family `ent` as in its
 * example; Professional `de_pro100`). Self-hosted: `LICENSE` = `<language>_selfhosted` and no type or family (rest
 * module `classes/general/rest_provider.php` appInfo, `LICENSE_TYPE`/`LICENSE_FAMILY` only with the bitrix24
 * module).
 */
function license(portal: Portal): Record<string, string> {
  if (portal.behaviour.selfHosted) return { LICENSE: `${portal.lang}_selfhosted` };
  const [type, family] = portal.behaviour.plan === 'enterprise' ? ['ent250', 'ent'] : ['pro100', 'pro'];
  return { LICENSE: `${portal.lang}_${type}`, LICENSE_TYPE: type, LICENSE_FAMILY: family };
}

/**
 * `app.info`, `scope`, `access.name`, `server.time`, `app.option.get|set` (scope basic).
 * @see https://apidocs.bitrix24.com/api-reference/common/system/app-info.html
 */
export const appMethods: Record<string, MethodDefinition> = {
  'app.info': {
    scopes: [],
    handler: ({ portal }) => ({
      result: {
        ID: APP_ID,
        CODE: portal.app.code,
        VERSION: portal.app.version,
        STATUS: portal.app.status,
        // True only after installFinish.
        INSTALLED: portal.installation.finished,
        PAYMENT_EXPIRED: 'N',
        DAYS: null,
        LANGUAGE_ID: portal.lang,
        ...license(portal),
      },
    }),
  },
  scope: {
    scopes: [],
    handler: ({ portal }, params) => ({
      result: phpBool(param(params, 'full')) ? [...ALL_SCOPES] : [...portal.scopes],
    }),
  },
  'access.name': {
    scopes: [],
    // false when ACCESS is missing, empty or a string; unknown codes are left out; none known gives [].
    handler: ({ portal }, params) => {
      const access = param(params, 'ACCESS');
      if (!Array.isArray(access) && !isRecord(access)) return { result: false };
      const codes = listOf(access)
        .map(text)
        .filter((code): code is string => code !== undefined);
      if (codes.length === 0) return { result: false };
      const names: Record<string, AccessName> = {};
      for (const code of codes) {
        const name = accessName(portal.directory, code);
        if (name !== undefined) names[code] = name;
      }
      return { result: Object.keys(names).length === 0 ? [] : names };
    },
  },
  'server.time': { scopes: [], handler: ({ portal }) => ({ result: isoDate(portal.clock.now()) }) },
  'app.option.get': {
    scopes: [],
    handler: ({ portal }, params) => {
      const option = text(param(params, 'option'));
      const options = portal.installation.appOptions;
      return { result: option === undefined ? { ...options } : (options[option] ?? null) };
    },
  },
  'app.option.set': {
    scopes: [],
    handler: ({ portal, user }, params) => {
      if (!user.admin) throw new RestError(403, 'ACCESS_DENIED', 'Administrator authorization required');
      const options = isRecord(params['options']) ? params['options'] : params;
      const entries = Object.entries(options).filter(([key]) => key !== 'auth' && key !== 'access_token');
      if (entries.length === 0) throw new RestError(400, 'ERROR_ARGUMENT', "Argument 'options' is null or empty");
      for (const [key, value] of entries) portal.installation.appOptions[key] = value;
      return { result: true };
    },
  },
};
