import { z } from 'zod';
import {
  encodeMembers,
  type DirectoryDepartment,
  type DirectoryGroup,
  type DirectoryUser,
  type GroupRole,
  type MembersTuple,
} from './records.js';

/*
 * Rows as Bitrix24 sends them, parsed at the edge. Bitrix24 is loose with types (IDs as strings, `SORT`
 * as a number, `ACTIVE` boolean in user.get but "Y" in ONUSERADD, fields null or absent, PHP arrays as
 * objects when they came from a form), so each field is normalised here and nowhere else.
 */

/** A positive integer ID given as a number or a numeric string. */
const restId = z
  .union([z.number(), z.string().regex(/^\s*\d+\s*$/)])
  .transform(Number)
  .pipe(z.number().int().positive());

/** Text that may come as null, a number, or (for date-like fields) `{}`: anything but a string or number is empty. */
const text = z
  .unknown()
  .transform((value) => (typeof value === 'string' ? value : typeof value === 'number' ? String(value) : ''));

/** `ACTIVE`: `true` (user.get), `"Y"` (ONUSERADD), `"1"`/`1` (forms); anything else is inactive (unknown is a deny). */
const activeFlag = z
  .unknown()
  .transform(
    (value) =>
      value === true || value === 1 || (typeof value === 'string' && ['y', '1', 'true'].includes(value.toLowerCase())),
  );

/** A list of IDs as an array, a PHP array printed as an object (`{"0":"5"}`), a single value, or nothing. */
const idList = z.unknown().transform((value): number[] => {
  const items = Array.isArray(value)
    ? value
    : typeof value === 'object' && value !== null
      ? Object.values(value)
      : value === undefined || value === null || value === false || value === ''
        ? []
        : [value];
  const out: number[] = [];
  for (const item of items) {
    const parsed = restId.safeParse(item);
    if (parsed.success && !out.includes(parsed.data)) out.push(parsed.data);
  }
  return out;
});

/** An optional reference to a user or department: absent, `0`, `""` or null all mean none. */
const optionalId = z.unknown().transform((value) => {
  const parsed = restId.safeParse(value);
  return parsed.success ? parsed.data : null;
});

const photo = z.unknown().transform((value) => (typeof value === 'string' && value.trim() !== '' ? value : null));

/**
 * A `user.get` row or an ONUSERADD `data` block. Every field but `ID` is optional: an absent field means
 * "not told" (ONUSERADD carries no photo or type), which {@link applyUserRow} keeps from the record it updates.
 * @see https://apidocs.bitrix24.com/api-reference/user/user-get.html
 * @see https://apidocs.bitrix24.com/api-reference/common/events/on-user-add.html
 */
export const userRowSchema = z.object({
  ID: restId,
  ACTIVE: activeFlag.optional(),
  NAME: text.optional(),
  LAST_NAME: text.optional(),
  EMAIL: text.optional(),
  WORK_POSITION: text.optional(),
  UF_DEPARTMENT: idList.optional(),
  USER_TYPE: text.optional(),
  PERSONAL_PHOTO: photo.optional(),
});
export type UserRow = z.infer<typeof userRowSchema>;

/** The `user.get` fields the mirror keeps; the sync drops the others as soon as a batch arrives. */
export const USER_FIELDS: readonly string[] = Object.keys(userRowSchema.shape);

/**
 * Builds the stored record from a row, on top of `existing` when there is one. E-mail is kept only when
 * the granted scope shows it (`emailAllowed`): ONUSERADD may carry it even when user.get would not.
 */
export function applyUserRow(row: UserRow, existing: DirectoryUser | undefined, emailAllowed: boolean): DirectoryUser {
  const email = emailAllowed
    ? row.EMAIL === undefined
      ? (existing?.email ?? null)
      : row.EMAIL === ''
        ? null
        : row.EMAIL
    : null;
  return {
    id: row.ID,
    active: row.ACTIVE ?? existing?.active ?? false,
    type: row.USER_TYPE === undefined || row.USER_TYPE === '' ? (existing?.type ?? 'employee') : row.USER_TYPE,
    name: row.NAME ?? existing?.name ?? '',
    lastName: row.LAST_NAME ?? existing?.lastName ?? '',
    email,
    position: row.WORK_POSITION ?? existing?.position ?? '',
    departments: row.UF_DEPARTMENT ?? existing?.departments ?? [],
    photo: row.PERSONAL_PHOTO === undefined ? (existing?.photo ?? null) : row.PERSONAL_PHOTO,
  };
}

/** Parses one user row; undefined (and the row skipped) when it has no usable ID. */
export function parseUserRow(raw: unknown): UserRow | undefined {
  const parsed = userRowSchema.safeParse(raw);
  return parsed.success ? parsed.data : undefined;
}

/**
 * A `department.get` row: root has no `PARENT`, `UF_HEAD` only when set, `SORT` a number.
 * @see https://apidocs.bitrix24.com/api-reference/departments/department-get.html
 */
const departmentRowSchema = z.object({
  ID: restId,
  NAME: text.optional(),
  PARENT: optionalId.optional(),
  UF_HEAD: optionalId.optional(),
  SORT: z
    .unknown()
    .transform((value) => {
      const number =
        typeof value === 'number'
          ? value
          : typeof value === 'string' && value.trim() !== ''
            ? Number(value)
            : Number.NaN;
      // 500 is the portal's default SORT.
      return Number.isFinite(number) ? number : 500;
    })
    .optional(),
});

export function parseDepartmentRow(raw: unknown): DirectoryDepartment | undefined {
  const parsed = departmentRowSchema.safeParse(raw);
  if (!parsed.success) return undefined;
  const row = parsed.data;
  const parent = row.PARENT ?? null;
  // A department that names itself as its parent would loop the tree; treat it as a root.
  return {
    id: row.ID,
    name: row.NAME ?? '',
    parent: parent === row.ID ? null : parent,
    head: row.UF_HEAD ?? null,
    sort: row.SORT ?? 500,
  };
}

/** @see https://apidocs.bitrix24.com/api-reference/sonet-group/sonet-group-get.html */
const groupRowSchema = z.object({ ID: restId, NAME: text.optional(), PROJECT: text.optional() });

export function parseGroupRow(raw: unknown): DirectoryGroup | undefined {
  const parsed = groupRowSchema.safeParse(raw);
  if (!parsed.success) return undefined;
  return { id: parsed.data.ID, name: parsed.data.NAME ?? '', project: parsed.data.PROJECT === 'Y' };
}

/** @see https://apidocs.bitrix24.com/api-reference/sonet-group/members/sonet-group-user-get.html */
const memberRowSchema = z.object({ USER_ID: restId, ROLE: z.enum(['A', 'E', 'K']) });

/** One membership; undefined for rows that are not a member role (requests, invitations). */
export function parseMemberRow(raw: unknown): { userId: number; role: GroupRole } | undefined {
  const parsed = memberRowSchema.safeParse(raw);
  return parsed.success ? { userId: parsed.data.USER_ID, role: parsed.data.ROLE } : undefined;
}

/** The members of a group from its `sonet_group.user.get` rows, in stored form. */
export function membersTuple(groupId: number, raws: unknown[]): MembersTuple {
  const owners: number[] = [];
  const moderators: number[] = [];
  const members: number[] = [];
  for (const raw of raws) {
    const member = parseMemberRow(raw);
    if (member === undefined) continue;
    (member.role === 'A' ? owners : member.role === 'E' ? moderators : members).push(member.userId);
  }
  return encodeMembers({ groupId, owners, moderators, members });
}

/** The rows that parse, in stored form; a row without a usable ID is skipped. */
export function parsedTuples<R, T>(
  raws: unknown[],
  parse: (raw: unknown) => R | undefined,
  encode: (row: R) => T,
): T[] {
  const out: T[] = [];
  for (const raw of raws) {
    const row = parse(raw);
    if (row !== undefined) out.push(encode(row));
  }
  return out;
}

/** The `ID` of a list row (for cursors and de-duplication), or undefined. */
export function rowId(raw: unknown): number | undefined {
  if (typeof raw !== 'object' || raw === null || !('ID' in raw)) return undefined;
  const parsed = restId.safeParse(raw.ID);
  return parsed.success ? parsed.data : undefined;
}
