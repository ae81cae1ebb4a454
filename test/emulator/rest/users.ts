import { userHasAnyCode } from '../access.js';
import { listOf, param } from './params.js';
import type { MethodDefinition } from './types.js';
import { allowedUserFields, avatarUrl, restUser } from './user-fields.js';
import { userGet } from './user-get.js';

const USER_SCOPES = ['user', 'user_basic', 'user_brief'];

/**
 * `profile`, `user.current`, `user.admin`, `user.access`, `user.get`.
 * @see https://apidocs.bitrix24.com/api-reference/common/users/profile.html
 * @see https://apidocs.bitrix24.com/api-reference/common/users/user-access.html
 */
export const userMethods: Record<string, MethodDefinition> = {
  profile: {
    scopes: [],
    handler: ({ portal, user }) => {
      const photo = avatarUrl(portal, user);
      return {
        result: {
          ID: String(user.id),
          ADMIN: user.admin,
          NAME: user.name,
          LAST_NAME: user.lastName,
          PERSONAL_GENDER: user.gender,
          ...(photo === null ? {} : { PERSONAL_PHOTO: photo }),
          TIME_ZONE: '',
          TIME_ZONE_OFFSET: 0,
        },
      };
    },
  },
  'user.admin': { scopes: [], handler: ({ user }) => ({ result: user.admin }) },
  'user.access': {
    scopes: [],
    // Always true for admins; otherwise any listed code of the current user.
    handler: ({ portal, user }, params) => {
      const codes = listOf(param(params, 'ACCESS')).filter((code): code is string => typeof code === 'string');
      return { result: user.admin || userHasAnyCode(portal.directory, user, codes) };
    },
  },
  'user.current': {
    scopes: USER_SCOPES,
    handler: ({ portal, user }) => ({ result: restUser(portal, user, allowedUserFields(portal)) }),
  },
  'user.get': { scopes: USER_SCOPES, handler: userGet },
};
