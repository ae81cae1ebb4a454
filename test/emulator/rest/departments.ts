import type { Department } from '../company.js';
import { compareFields, matches, type FieldValue } from './filter.js';
import { isPhpArray, isRecord, listOf, PAGE_SIZE, phpInt, readStart, text, upperKeys, type Params } from './params.js';
import type { MethodDefinition, MethodOutput } from './types.js';

const FIELDS = ['ID', 'NAME', 'SORT', 'PARENT', 'UF_HEAD'];

function field(department: Department, name: string): FieldValue {
  switch (name) {
    case 'ID':
      return { kind: 'number', value: department.id };
    case 'NAME':
      return { kind: 'string', value: department.name };
    case 'SORT':
      return { kind: 'number', value: department.sort };
    // iblock's SECTION_ID filter: 0 selects top-level sections.
    case 'PARENT':
      return { kind: 'number', value: department.parent ?? 0 };
    case 'UF_HEAD':
      return { kind: 'number', value: department.head };
    default:
      return { kind: 'string', value: null };
  }
}

/** The department as `department.get` returns it: no PARENT on the root, UF_HEAD only when set. */
export function restDepartment(department: Department): Record<string, unknown> {
  return {
    ID: String(department.id),
    NAME: department.name,
    SORT: department.sort,
    ...(department.parent === null ? {} : { PARENT: String(department.parent) }),
    ...(department.head === null ? {} : { UF_HEAD: String(department.head) }),
  };
}

/**
 * `department.get`: filters are top-level, case-sensitive keys `ID`, `NAME`, `SORT`, `PARENT`, `UF_HEAD`
 * (a `FILTER` object replaces them; lowercase `filter` and `>ID` are ignored), `sort`/`order` (keys are
 * upper-cased, so uppercase `SORT` is also an equality filter on SORT). Default order is the tree
 * (`LEFT_MARGIN`). Paging is by page of 50 (`start` rounds down); a page past the end returns the last
 * page again (CDBResult), `start=-1` gives the first 50 with `total: 0`.
 * @see https://apidocs.bitrix24.com/api-reference/departments/department-get.html
 */
function departmentGet(source: DepartmentSource, params: Params): MethodOutput {
  const query = isRecord(params['FILTER']) ? params['FILTER'] : params;
  const upper = upperKeys(query);
  const sortField = typeof upper['SORT'] === 'string' ? upper['SORT'].toUpperCase() : undefined;
  const descending = typeof upper['ORDER'] === 'string' && upper['ORDER'].toUpperCase() === 'DESC';

  const conditions: Array<{ name: string; value: unknown }> = [];
  for (const name of FIELDS) {
    if (!(name in query)) continue;
    const raw = query[name];
    const value = name === 'NAME' ? raw : isPhpArray(raw) ? listOf(raw).map(phpInt) : phpInt(raw);
    conditions.push({ name, value: name === 'NAME' ? (text(value) ?? '') : value });
  }

  let list = [...source.tree];
  if (sortField !== undefined && FIELDS.includes(sortField)) {
    const direction = descending ? -1 : 1;
    list.sort((a, b) => direction * compareFields(field(a, sortField), field(b, sortField)) || a.id - b.id);
  }
  list = list.filter((department) =>
    conditions.every((condition) => matches(field(department, condition.name), '', condition.value)),
  );

  const start = readStart(params);
  if (start < 0)
    return { result: list.slice(0, PAGE_SIZE).map(restDepartment), total: 0, rows: Math.min(PAGE_SIZE, list.length) };
  const pages = Math.max(1, Math.ceil(list.length / PAGE_SIZE));
  const page = Math.min(Math.floor(start / PAGE_SIZE), pages - 1);
  const rows = list.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE);
  const output: MethodOutput = {
    result: rows.map(restDepartment),
    total: list.length,
    rows: rows.length,
    counted: list.length,
    skipped: page * PAGE_SIZE,
  };
  if (page + 1 < pages) output.next = (page + 1) * PAGE_SIZE;
  return output;
}

interface DepartmentSource {
  /** Departments in tree order. */
  tree: readonly Department[];
}

export const departmentMethods: Record<string, MethodDefinition> = {
  'department.get': {
    scopes: ['department'],
    handler: ({ portal }, params) => departmentGet({ tree: portal.directory.treeOrder() }, params),
  },
  'department.fields': {
    scopes: ['department'],
    handler: () => ({
      result: { ID: 'ID', NAME: 'Department', SORT: 'Sorting', PARENT: 'Parent department', UF_HEAD: 'Supervisor' },
    }),
  },
};
