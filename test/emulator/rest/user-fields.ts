import type { CompanyUser } from '../company.js';
import type { Portal } from '../portal.js';
import type { FieldValue } from './filter.js';

/**
 * Fields `user.get` / `user.current` return per scope, in the portal's order (rest module,
 * `Bitrix\Rest\Api\User`): `user_brief` has no EMAIL, `user_basic` adds contacts, `user` everything
 * incl. LAST_LOGIN. USER_TYPE comes with every scope (intranet portals).
 * @see https://apidocs.bitrix24.com/api-reference/user/user-scope.html
 */
const BRIEF_FIELDS = [
  'ID',
  'XML_ID',
  'ACTIVE',
  'NAME',
  'LAST_NAME',
  'SECOND_NAME',
  'TITLE',
  'IS_ONLINE',
  'TIME_ZONE',
  'TIME_ZONE_OFFSET',
  'TIMESTAMP_X',
  'DATE_REGISTER',
  'PERSONAL_PROFESSION',
  'PERSONAL_GENDER',
  'PERSONAL_BIRTHDAY',
  'PERSONAL_PHOTO',
  'PERSONAL_CITY',
  'PERSONAL_STATE',
  'PERSONAL_COUNTRY',
  'WORK_POSITION',
  'WORK_CITY',
  'WORK_STATE',
  'WORK_COUNTRY',
  'LAST_ACTIVITY_DATE',
  'UF_EMPLOYMENT_DATE',
  'UF_TIMEMAN',
  'UF_SKILLS',
  'UF_INTERESTS',
  'UF_DEPARTMENT',
  'UF_PHONE_INNER',
  'USER_TYPE',
];

const BASIC_FIELDS = [
  'ID',
  'XML_ID',
  'ACTIVE',
  'NAME',
  'LAST_NAME',
  'SECOND_NAME',
  'TITLE',
  'EMAIL',
  'PERSONAL_PHONE',
  'WORK_PHONE',
  'WORK_POSITION',
  'WORK_COMPANY',
  'IS_ONLINE',
  'TIME_ZONE',
  'TIMESTAMP_X',
  'TIME_ZONE_OFFSET',
  'DATE_REGISTER',
  'LAST_ACTIVITY_DATE',
  'PERSONAL_PROFESSION',
  'PERSONAL_GENDER',
  'PERSONAL_BIRTHDAY',
  'PERSONAL_PHOTO',
  'PERSONAL_FAX',
  'PERSONAL_MOBILE',
  'PERSONAL_PAGER',
  'PERSONAL_STREET',
  'PERSONAL_MAILBOX',
  'PERSONAL_CITY',
  'PERSONAL_STATE',
  'PERSONAL_ZIP',
  'PERSONAL_COUNTRY',
  'PERSONAL_NOTES',
  'WORK_DEPARTMENT',
  'WORK_WWW',
  'WORK_FAX',
  'WORK_PAGER',
  'WORK_STREET',
  'WORK_MAILBOX',
  'WORK_CITY',
  'WORK_STATE',
  'WORK_ZIP',
  'WORK_COUNTRY',
  'WORK_PROFILE',
  'WORK_LOGO',
  'WORK_NOTES',
  'UF_DEPARTMENT',
  'UF_DISTRICT',
  'UF_SKYPE',
  'UF_SKYPE_LINK',
  'UF_ZOOM',
  'UF_TWITTER',
  'UF_FACEBOOK',
  'UF_LINKEDIN',
  'UF_XING',
  'UF_WEB_SITES',
  'UF_PHONE_INNER',
  'UF_EMPLOYMENT_DATE',
  'UF_TIMEMAN',
  'UF_SKILLS',
  'UF_INTERESTS',
  'USER_TYPE',
];

const FULL_FIELDS = [
  'ID',
  'XML_ID',
  'ACTIVE',
  'NAME',
  'LAST_NAME',
  'SECOND_NAME',
  'TITLE',
  'EMAIL',
  'LAST_LOGIN',
  'DATE_REGISTER',
  'TIME_ZONE',
  'IS_ONLINE',
  'TIME_ZONE_OFFSET',
  'TIMESTAMP_X',
  'LAST_ACTIVITY_DATE',
  'PERSONAL_GENDER',
  'PERSONAL_PROFESSION',
  'PERSONAL_WWW',
  'PERSONAL_BIRTHDAY',
  'PERSONAL_PHOTO',
  'PERSONAL_ICQ',
  'PERSONAL_PHONE',
  'PERSONAL_FAX',
  'PERSONAL_MOBILE',
  'PERSONAL_PAGER',
  'PERSONAL_STREET',
  'PERSONAL_CITY',
  'PERSONAL_STATE',
  'PERSONAL_ZIP',
  'PERSONAL_COUNTRY',
  'PERSONAL_MAILBOX',
  'PERSONAL_NOTES',
  'WORK_PHONE',
  'WORK_COMPANY',
  'WORK_POSITION',
  'WORK_DEPARTMENT',
  'WORK_WWW',
  'WORK_FAX',
  'WORK_PAGER',
  'WORK_STREET',
  'WORK_MAILBOX',
  'WORK_CITY',
  'WORK_STATE',
  'WORK_ZIP',
  'WORK_COUNTRY',
  'WORK_PROFILE',
  'WORK_LOGO',
  'WORK_NOTES',
  'UF_SKYPE_LINK',
  'UF_ZOOM',
  'UF_EMPLOYMENT_DATE',
  'UF_TIMEMAN',
  'UF_DEPARTMENT',
  'UF_INTERESTS',
  'UF_SKILLS',
  'UF_WEB_SITES',
  'UF_XING',
  'UF_LINKEDIN',
  'UF_FACEBOOK',
  'UF_TWITTER',
  'UF_SKYPE',
  'UF_DISTRICT',
  'UF_PHONE_INNER',
  'USER_TYPE',
];

/** Fields visible with the portal's granted scopes (empty when no user scope is granted). */
export function allowedUserFields(portal: Portal): readonly string[] {
  if (portal.hasScope('user')) return FULL_FIELDS;
  if (portal.hasScope('user_basic')) return BASIC_FIELDS;
  if (portal.hasScope('user_brief')) return BRIEF_FIELDS;
  return [];
}

export function avatarUrl(portal: Portal, user: CompanyUser): string | null {
  return user.hasPhoto ? `${portal.origin}/_emulator/avatar/${user.id}.svg` : null;
}

/** `convertDate`: the day at midnight, ISO-8601. */
function dayIso(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 10)}T00:00:00+00:00`;
}

function dateStringIso(value: string): string {
  return value === '' ? '' : `${value}T00:00:00+00:00`;
}

/** A field's value in the REST answer. Date-time fields fetched as objects serialize as `{}`, as on the portal. */
function restValue(portal: Portal, user: CompanyUser, field: string): unknown {
  switch (field) {
    case 'ID':
      return String(user.id);
    case 'ACTIVE':
      return user.active;
    case 'NAME':
      return user.name;
    case 'LAST_NAME':
      return user.lastName;
    case 'SECOND_NAME':
      return user.secondName;
    case 'EMAIL':
      return user.email;
    case 'LAST_LOGIN':
      return user.lastLoginAt === null ? '' : new Date(user.lastLoginAt).toISOString().replace(/\.\d{3}Z$/, '+00:00');
    case 'DATE_REGISTER':
      return dayIso(user.registeredAt);
    case 'TIME_ZONE':
      return '';
    case 'TIME_ZONE_OFFSET':
      return '0';
    case 'IS_ONLINE':
      return user.online ? 'Y' : 'N';
    case 'TIMESTAMP_X':
      return {};
    case 'LAST_ACTIVITY_DATE':
      return user.lastLoginAt === null ? null : {};
    case 'PERSONAL_GENDER':
      return user.gender;
    case 'PERSONAL_BIRTHDAY':
      return dateStringIso(user.birthday);
    case 'PERSONAL_PHOTO':
      return avatarUrl(portal, user);
    case 'WORK_POSITION':
      return user.position;
    case 'UF_EMPLOYMENT_DATE':
      return dateStringIso(user.employmentDate);
    case 'UF_DEPARTMENT':
      return [...user.departments];
    case 'UF_PHONE_INNER':
      return user.phoneInner === '' ? null : user.phoneInner;
    case 'USER_TYPE':
      return user.type;
    default:
      return null;
  }
}

/** The user as `user.get` returns it for the granted scopes. Extranet users carry no UF_DEPARTMENT. */
export function restUser(portal: Portal, user: CompanyUser, fields: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    if (field === 'UF_DEPARTMENT' && user.type === 'extranet') continue;
    out[field] = restValue(portal, user, field);
  }
  return out;
}

/** A field's value for filtering and sorting. */
export function userField(user: CompanyUser, field: string): FieldValue {
  switch (field) {
    case 'ID':
      return { kind: 'number', value: user.id };
    case 'ACTIVE':
      return { kind: 'string', value: user.active ? 'Y' : 'N' };
    case 'IS_ONLINE':
      return { kind: 'string', value: user.online ? 'Y' : 'N' };
    case 'NAME':
      return { kind: 'string', value: user.name };
    case 'LAST_NAME':
      return { kind: 'string', value: user.lastName };
    case 'SECOND_NAME':
      return { kind: 'string', value: user.secondName };
    case 'EMAIL':
      return { kind: 'string', value: user.email };
    case 'WORK_POSITION':
      return { kind: 'string', value: user.position };
    case 'PERSONAL_GENDER':
      return { kind: 'string', value: user.gender };
    case 'USER_TYPE':
      return { kind: 'string', value: user.type };
    case 'UF_PHONE_INNER':
      return { kind: 'string', value: user.phoneInner === '' ? null : user.phoneInner };
    case 'UF_DEPARTMENT':
      return { kind: 'numbers', value: user.departments };
    case 'DATE_REGISTER':
      return { kind: 'date', value: user.registeredAt };
    case 'TIMESTAMP_X':
      return { kind: 'date', value: user.updatedAt };
    case 'LAST_LOGIN':
    case 'LAST_ACTIVITY_DATE':
      return { kind: 'date', value: user.lastLoginAt };
    case 'PERSONAL_BIRTHDAY':
      return { kind: 'date', value: user.birthday === '' ? null : Date.parse(user.birthday) };
    case 'UF_EMPLOYMENT_DATE':
      return { kind: 'date', value: user.employmentDate === '' ? null : Date.parse(user.employmentDate) };
    default:
      return { kind: 'string', value: null };
  }
}
