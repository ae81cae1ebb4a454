/**
 * Bitrix24 access codes, the subjects of every access rule: `U{id}` a user, `D{id}` a department's direct
 * members, `DR{id}` a department with all its sub-departments, `SG{id}` / `SG{id}_A|_E|_K` workgroup
 * members / owner / moderators / members, `AU` every authorised user. The `selectAccess` dialog returns
 * exactly these (and a few others Keycard cannot evaluate, such as `CR`, `IU{id}` or `G{id}`), so rules are
 * stored in the same language Bitrix24 speaks. This is the one grammar: the server validates policies with
 * it, the UI refuses unsupported dialog picks with it.
 * @see https://apidocs.bitrix24.com/api-reference/common/system/access-name.html
 */

/** The code every authorised (active) user holds; it is always "known". */
export const ALL_USERS = 'AU';

/** What a code stands for. */
export type AccessCodeKind = 'user' | 'department' | 'departmentTree' | 'group' | 'allUsers';

/** A kind, or `unknown` for a code that names nothing Keycard knows (the server's code names use the same words). */
export type CodeKind = AccessCodeKind | 'unknown';

export const codeKinds: readonly CodeKind[] = ['user', 'department', 'departmentTree', 'group', 'allUsers', 'unknown'];

/** Workgroup roles: owner (A), moderators (E), members (K). */
export type GroupRole = 'A' | 'E' | 'K';

/** An access code taken apart; `groupRole` only on workgroup codes that name one. */
export type ParsedAccessCode =
  | { kind: 'allUsers' }
  | { kind: 'user' | 'department' | 'departmentTree'; id: number }
  | { kind: 'group'; id: number; groupRole?: GroupRole };

const GRAMMAR = /^(?:AU|(U|DR|D)([1-9]\d*)|SG([1-9]\d*)(?:_([AEK]))?)$/;
const PREFIX_KINDS = { U: 'user', D: 'department', DR: 'departmentTree' } as const;

/** The kind and id of `code`, or null when it is not an access code Keycard understands (syntax only). */
export function parseAccessCode(code: string): ParsedAccessCode | null {
  const match = GRAMMAR.exec(code);
  if (match === null) return null;
  const [, prefix, id, groupId, groupRole] = match;
  if (prefix === 'U' || prefix === 'D' || prefix === 'DR') return { kind: PREFIX_KINDS[prefix], id: Number(id) };
  if (groupId === undefined) return { kind: 'allUsers' };
  return groupRole === 'A' || groupRole === 'E' || groupRole === 'K'
    ? { kind: 'group', id: Number(groupId), groupRole }
    : { kind: 'group', id: Number(groupId) };
}

/**
 * Whether `code` is an access code Keycard understands (syntax only; whether it names someone is the policy
 * validator's business).
 */
export function isAccessCode(code: string): boolean {
  return GRAMMAR.test(code);
}

/** The kind of a code read from its syntax (for codes nobody has named yet); `unknown` outside the grammar. */
export function codeKind(code: string): CodeKind {
  return parseAccessCode(code)?.kind ?? 'unknown';
}

export function userCode(id: number | string): string {
  return `U${id}`;
}

/** `DR{id}` with the sub-departments, `D{id}` for the department's own members only. */
export function departmentCode(id: number | string, withSubdepartments: boolean): string {
  return withSubdepartments ? `DR${id}` : `D${id}`;
}
