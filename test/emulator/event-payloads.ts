import { isoDate, unixSeconds } from './clock.js';
import type { CompanyUser } from './company.js';
import type { Portal } from './portal.js';
import type { IssuedTokens } from './tokens.js';

/**
 * Event payloads as Bitrix24 posts them (form-encoded by the sender).
 * @see https://apidocs.bitrix24.com/api-reference/common/events/on-app-install.html
 * @see https://apidocs.bitrix24.com/api-reference/common/events/on-app-update.html
 * @see https://apidocs.bitrix24.com/api-reference/common/events/on-app-uninstall.html
 * @see https://apidocs.bitrix24.com/api-reference/common/events/on-user-add.html
 */
export type EventPayload = { event: string } & Record<string, unknown>;

function endpoints(portal: Portal): Record<string, string> {
  return {
    domain: portal.host,
    server_endpoint: portal.serverEndpoint,
    client_endpoint: portal.clientEndpoint,
    member_id: portal.memberId,
  };
}

/** `auth` block with tokens; `refresh_token` only where Bitrix24 sends it (ONAPPINSTALL, ONAPPUPDATE). */
function tokenAuth(portal: Portal, tokens: IssuedTokens, withRefresh: boolean): Record<string, string | number> {
  return {
    access_token: tokens.accessToken,
    expires: unixSeconds(tokens.expiresAt),
    expires_in: tokens.expiresIn,
    scope: portal.scope,
    ...endpoints(portal),
    status: portal.app.status,
    user_id: tokens.userId,
    ...(withRefresh ? { refresh_token: tokens.refreshToken } : {}),
    application_token: portal.installation.applicationToken ?? '',
  };
}

function ts(portal: Portal): string {
  return String(unixSeconds(portal.clock.now()));
}

export function appInstallPayload(portal: Portal, tokens: IssuedTokens): EventPayload {
  return {
    event: 'ONAPPINSTALL',
    data: { VERSION: String(portal.app.version), ACTIVE: 'Y', INSTALLED: 'Y', LANGUAGE_ID: portal.lang },
    ts: ts(portal),
    auth: tokenAuth(portal, tokens, true),
  };
}

/**
 * ONAPPUPDATE exactly as `on-app-update.md` shows it (current version, 2026-07-30): `auth` without `expires`,
 * `user_id` or `event_handler_id`, with the updated `application_token`.
 */
export function appUpdatePayload(portal: Portal, tokens: IssuedTokens, previousVersion: number): EventPayload {
  return {
    event: 'ONAPPUPDATE',
    data: { VERSION: String(portal.app.version), PREVIOUS_VERSION: String(previousVersion), LANGUAGE_ID: portal.lang },
    ts: ts(portal),
    auth: {
      domain: portal.host,
      scope: portal.scope,
      access_token: tokens.accessToken,
      refresh_token: tokens.refreshToken,
      expires_in: tokens.expiresIn,
      server_endpoint: portal.serverEndpoint,
      status: portal.app.status,
      client_endpoint: portal.clientEndpoint,
      member_id: portal.memberId,
      application_token: portal.installation.applicationToken ?? '',
    },
  };
}

/** ONAPPUNINSTALL carries no tokens: the application token is its only proof. */
export function appUninstallPayload(portal: Portal, clean: boolean, handlerId: number): EventPayload {
  return {
    event: 'ONAPPUNINSTALL',
    event_handler_id: handlerId,
    data: { LANGUAGE_ID: portal.lang, CLEAN: clean ? 1 : 0 },
    ts: ts(portal),
    auth: { ...endpoints(portal), application_token: portal.installation.applicationToken ?? '' },
  };
}

export function userAddPayload(
  portal: Portal,
  user: CompanyUser,
  tokens: IssuedTokens,
  handlerId: number,
): EventPayload {
  const basic = portal.hasScope('user', 'user_basic');
  return {
    event: 'ONUSERADD',
    event_handler_id: handlerId,
    data: {
      ID: user.id,
      ACTIVE: user.active ? 'Y' : 'N',
      ...(basic ? { EMAIL: user.email } : {}),
      NAME: user.name,
      LAST_NAME: user.lastName,
      PERSONAL_GENDER: user.gender,
      PERSONAL_BIRTHDAY: user.birthday,
      ...(user.type === 'employee' ? { UF_DEPARTMENT: user.departments } : {}),
      DATE_REGISTER: isoDate(user.registeredAt),
      WORK_POSITION: user.position,
      UF_EMPLOYMENT_DATE: user.employmentDate,
    },
    ts: ts(portal),
    auth: tokenAuth(portal, tokens, false),
  };
}
