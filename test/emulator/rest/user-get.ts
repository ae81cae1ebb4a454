import type { CompanyUser } from '../company.js';
import type { Directory } from '../directory.js';
import { compareFields, isKnownOperator, matches, splitFilterKey, type Condition } from './filter.js';
import {
  isPhpArray,
  isRecord,
  listOf,
  PAGE_SIZE,
  phpBool,
  phpInt,
  readStart,
  upperKeys,
  type Params,
} from './params.js';
import type { MethodContext, MethodOutput } from './types.js';
import { allowedUserFields, restUser, userField } from './user-fields.js';

/** Filter keys whose operator prefix is ignored (`user.get` strips it). */
const PLAIN_ONLY = new Set(['HAS_DEPARTAMENT', 'NAME_SEARCH']);

/** `prepareUserValue`: IDs become integers, flags Y/N (PHP truthiness: "false" is truthy!), departments a list. */
function prepareValue(field: string, value: unknown): unknown {
  switch (field) {
    case 'ID':
      return isPhpArray(value) ? listOf(value).map(phpInt) : phpInt(value);
    case 'ACTIVE':
    case 'IS_ONLINE':
      return phpBool(value) && value !== 'N' ? 'Y' : 'N';
    case 'UF_DEPARTMENT':
      return !isPhpArray(value) && phpBool(value) ? [value] : value;
    default:
      return value;
  }
}

function nameSearch(query: unknown): (user: CompanyUser) => boolean {
  const words = String(typeof query === 'string' || typeof query === 'number' ? query : '')
    .toLowerCase()
    .split(/\s+/)
    .filter((word) => word !== '');
  return (user) => {
    const haystack = `${user.name} ${user.lastName} ${user.secondName} ${user.email} ${user.position}`.toLowerCase();
    return words.every((word) => haystack.includes(word));
  };
}

/**
 * `user.get`: filter by any allowed field with operator prefixes, `FILTER`/`filter` object (which then
 * replaces top-level keys, a documented backward-compatibility quirk), sort only when both `SORT` and
 * `ORDER` are strings, 50 rows from the exact `start` offset, `start=-1` skips counting. Extranet users are
 * visible to an employee only when they share a workgroup (unless `ADMIN_MODE` and the caller is admin).
 * @see https://apidocs.bitrix24.com/api-reference/user/user-get.html
 */
export function userGet(context: MethodContext, params: Params): MethodOutput {
  const { portal, user: me } = context;
  const directory = portal.directory;
  let query = upperKeys(params);
  const sort = typeof query['SORT'] === 'string' ? query['SORT'].toUpperCase() : undefined;
  const order = typeof query['ORDER'] === 'string' ? query['ORDER'].toUpperCase() : undefined;
  const adminMode = phpBool(query['ADMIN_MODE']) && me.admin;
  const start = readStart(params);
  if (isPhpArray(query['FILTER'])) {
    const filter = query['FILTER'];
    query = upperKeys(isRecord(filter) ? filter : Object.fromEntries(filter.entries()));
  }

  const fields = allowedUserFields(portal);
  const filterable = new Set([...fields, 'IS_ONLINE', 'HAS_DEPARTAMENT', 'NAME_SEARCH']);
  const conditions: Condition[] = [];
  const predicates: Array<(user: CompanyUser) => boolean> = [];
  for (const [key, raw] of Object.entries(query)) {
    const split = splitFilterKey(key);
    const op = PLAIN_ONLY.has(split.field) ? '' : split.op;
    if (!filterable.has(split.field) || !isKnownOperator(op)) continue;
    if (split.field === 'NAME_SEARCH') predicates.push(nameSearch(raw));
    else if (split.field === 'HAS_DEPARTAMENT') {
      if (raw === 'Y') predicates.push((user) => user.departments.length > 0);
    } else conditions.push({ op, field: split.field, value: prepareValue(split.field, raw) });
  }

  if (!adminMode) {
    const mates = directory.groupMates(me.id);
    mates.add(me.id);
    // Only a plain `ID` key (not `>ID`) lets an admin see extranet users outside their groups.
    const idFiltered = conditions.some((condition) => condition.field === 'ID' && condition.op === '');
    if (me.type === 'extranet') predicates.push((user) => mates.has(user.id));
    else if (!(idFiltered && me.admin)) predicates.push((user) => user.departments.length > 0 || mates.has(user.id));
  }

  const accepts = (user: CompanyUser): boolean =>
    predicates.every((predicate) => predicate(user)) &&
    conditions.every((condition) => matches(userField(user, condition.field), condition.op, condition.value));

  const counting = start >= 0;
  const offset = Math.max(0, start);
  const users = directory.users;
  const rows: CompanyUser[] = [];
  let matched = 0;
  const bySortedField = sort !== undefined && order !== undefined && sort !== 'ID' && fields.includes(sort);
  const descending = order === 'DESC' && (sort === 'ID' || bySortedField);
  if (!counting && !bySortedField) {
    // The start=-1 cursor pattern: scan from the `>ID` bound and stop after one page, no counting.
    let index = descending ? users.length - 1 : lowerIdBound(context, conditions);
    for (; index >= 0 && index < users.length && rows.length < PAGE_SIZE; index += descending ? -1 : 1) {
      const user = users[index];
      if (user !== undefined && accepts(user)) rows.push(user);
    }
    matched = rows.length;
  } else {
    // Counting needs every match; the match list is cached per query so paging by offset stays cheap.
    const { START: _page, ...filterPart } = query;
    const cacheKey = JSON.stringify([filterPart, adminMode, me.id, sort, order, fields.length, users.length]);
    const indexes = cachedMatches(directory, cacheKey, () => {
      const found: number[] = [];
      users.forEach((user, index) => {
        if (accepts(user)) found.push(index);
      });
      if (bySortedField) {
        found.sort((a, b) => {
          const left = users[a];
          const right = users[b];
          if (left === undefined || right === undefined) return 0;
          return compareFields(userField(left, sort), userField(right, sort)) || left.id - right.id;
        });
      }
      return Int32Array.from(found);
    });
    matched = indexes.length;
    for (let n = offset; n < Math.min(matched, offset + PAGE_SIZE); n++) {
      const user = users[indexes[descending ? matched - 1 - n : n] ?? -1];
      if (user !== undefined) rows.push(user);
    }
  }

  const output: MethodOutput = {
    result: rows.map((user) => restUser(portal, user, fields)),
    rows: rows.length,
    counted: counting ? matched : 0,
    // The database reads past `start` matches to reach an offset page; a `>ID` bound seeks instead.
    skipped: counting ? Math.min(offset, matched) : 0,
  };
  // Totals are only attached to a non-empty page.
  if (rows.length > 0) {
    output.total = counting ? matched : 0;
    if (counting && offset + PAGE_SIZE < matched) output.next = offset + PAGE_SIZE;
  }
  return output;
}

const matchCache = new WeakMap<Directory, Map<string, Int32Array>>();
const MATCH_CACHE_SIZE = 16;

function cachedMatches(directory: Directory, key: string, compute: () => Int32Array): Int32Array {
  let cache = matchCache.get(directory);
  if (cache === undefined) {
    cache = new Map();
    matchCache.set(directory, cache);
  }
  const hit = cache.get(key);
  if (hit !== undefined) return hit;
  const value = compute();
  if (cache.size >= MATCH_CACHE_SIZE) cache.delete(cache.keys().next().value ?? '');
  cache.set(key, value);
  return value;
}

/** Where an ID-ascending scan may start, from `>ID` / `>=ID` conditions (the `start=-1` cursor pattern). */
function lowerIdBound(context: MethodContext, conditions: Condition[]): number {
  let bound = 0;
  for (const condition of conditions) {
    if (condition.field !== 'ID' || typeof condition.value !== 'number') continue;
    if (condition.op === '>') bound = Math.max(bound, condition.value + 1);
    if (condition.op === '>=') bound = Math.max(bound, condition.value);
  }
  return context.portal.directory.lowerBound(bound);
}
