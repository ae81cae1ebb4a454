import { isoDate } from '../clock.js';
import type { WorkGroup } from '../company.js';
import { RestError } from './errors.js';
import { compareFields, isKnownOperator, matches, splitFilterKey, type FieldValue } from './filter.js';
import { isRecord, PAGE_SIZE, phpInt, readStart, text, upperKeys, type Params } from './params.js';
import type { MethodContext, MethodDefinition, MethodOutput } from './types.js';

const SONET_SCOPES = ['sonet_group', 'socialnetwork', 'sonet'];

function flag(value: boolean): string {
  return value ? 'Y' : 'N';
}

function field(group: WorkGroup, name: string): FieldValue {
  switch (name) {
    case 'ID':
      return { kind: 'number', value: group.id };
    case 'NAME':
      return { kind: 'string', value: group.name };
    case 'OWNER_ID':
      return { kind: 'number', value: group.ownerId };
    case 'ACTIVE':
      return { kind: 'string', value: 'Y' };
    case 'VISIBLE':
      return { kind: 'string', value: flag(group.visible) };
    case 'OPENED':
      return { kind: 'string', value: flag(group.opened) };
    case 'CLOSED':
      return { kind: 'string', value: flag(group.closed) };
    case 'PROJECT':
      return { kind: 'string', value: flag(group.project) };
    case 'IS_EXTRANET':
      return { kind: 'string', value: flag(group.extranet) };
    case 'DATE_CREATE':
      return { kind: 'date', value: group.createdAt };
    default:
      return { kind: 'string', value: null };
  }
}

function restGroup(group: WorkGroup): Record<string, unknown> {
  const date = isoDate(group.createdAt);
  return {
    ID: String(group.id),
    SITE_ID: group.extranet ? 'co' : 's1',
    NAME: group.name,
    DESCRIPTION: null,
    DATE_CREATE: date,
    DATE_UPDATE: date,
    ACTIVE: 'Y',
    VISIBLE: flag(group.visible),
    OPENED: flag(group.opened),
    CLOSED: flag(group.closed),
    SUBJECT_ID: '1',
    OWNER_ID: String(group.ownerId),
    KEYWORDS: null,
    NUMBER_OF_MEMBERS: String(1 + group.moderators.length + group.members.length),
    DATE_ACTIVITY: date,
    SUBJECT_NAME: 'Workgroups',
    PROJECT: flag(group.project),
    IS_EXTRANET: flag(group.extranet),
  };
}

/**
 * `sonet_group.get`: groups the caller may see (visible ones and their own; admins all with
 * `IS_ADMIN: 'Y'`), FILTER with operator prefixes, ORDER object (default ID DESC), pages of 50.
 * @see https://apidocs.bitrix24.com/api-reference/sonet-group/sonet-group-get.html
 */
function sonetGroupGet({ portal, user }: MethodContext, params: Params): MethodOutput {
  const query = upperKeys(params);
  const seeAll = user.admin && query['IS_ADMIN'] === 'Y';
  const mine = portal.directory.groupsOf(user.id);
  const filter = isRecord(query['FILTER']) ? upperKeys(query['FILTER']) : {};
  if (query['GROUP_ID'] !== undefined) filter['ID'] = phpInt(query['GROUP_ID']);
  const conditions = Object.entries(filter)
    .map(([key, value]) => ({ ...splitFilterKey(key), value }))
    .filter((condition) => isKnownOperator(condition.op));
  const defaultOrder: Array<[string, unknown]> = [['ID', 'DESC']];
  const order = isRecord(query['ORDER']) ? Object.entries(upperKeys(query['ORDER'])) : defaultOrder;
  const list = portal.directory.groups
    .filter((group) => seeAll || group.visible || mine.has(group.id))
    .filter((group) =>
      conditions.every((condition) => matches(field(group, condition.field), condition.op, condition.value)),
    )
    .sort((a, b) => {
      for (const [name, direction] of order) {
        const sign = text(direction)?.toUpperCase() === 'DESC' ? -1 : 1;
        const diff = compareFields(field(a, name), field(b, name));
        if (diff !== 0) return sign * diff;
      }
      return 0;
    });
  const start = Math.max(0, readStart(params));
  const pages = Math.max(1, Math.ceil(list.length / PAGE_SIZE));
  const page = Math.min(Math.floor(start / PAGE_SIZE), pages - 1);
  const rows = list.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE);
  const output: MethodOutput = {
    result: rows.map(restGroup),
    total: list.length,
    rows: rows.length,
    counted: list.length,
    skipped: page * PAGE_SIZE,
  };
  if (page + 1 < pages) output.next = (page + 1) * PAGE_SIZE;
  return output;
}

/**
 * `sonet_group.user.get`: members with roles A (owner), E (moderator), K (member).
 * @see https://apidocs.bitrix24.com/api-reference/sonet-group/members/sonet-group-user-get.html
 */
function sonetGroupUserGet({ portal, user }: MethodContext, params: Params): MethodOutput {
  const id = phpInt(upperKeys(params)['ID']);
  if (id <= 0) throw new RestError(400, '', 'Wrong socialnetwork group ID');
  const group = portal.directory.group(id);
  if (group === undefined || (!group.visible && !user.admin && !portal.directory.groupsOf(user.id).has(id))) {
    throw new RestError(400, '', 'Socialnetwork group not found');
  }
  const result = [
    { USER_ID: String(group.ownerId), ROLE: 'A' },
    ...group.moderators.map((member) => ({ USER_ID: String(member), ROLE: 'E' })),
    ...group.members.map((member) => ({ USER_ID: String(member), ROLE: 'K' })),
  ];
  return { result, rows: result.length };
}

export const sonetMethods: Record<string, MethodDefinition> = {
  'sonet_group.get': { scopes: SONET_SCOPES, handler: sonetGroupGet },
  'sonet_group.user.get': { scopes: SONET_SCOPES, handler: sonetGroupUserGet },
};
