/**
 * Bitrix24 access codes, the subjects of every access rule: `U{id}` a user, `IU{id}` an intranet user (how the
 * access dialog's company-structure panel names a person), `D{id}` a department's members and head, `DR{id}` a
 * department with all its sub-departments, `SG{id}_A|_E|_K` a workgroup's owner / moderators (and owner) / all
 * members, `AU` every authorised user. The `selectAccess` dialog returns these (and a few others Keycard cannot
 * evaluate, such as `CR` or `G{id}`), so rules are stored in the same language Bitrix24 speaks. Users hold only
 * `SG{id}_A/_E/_K`, never a plain `SG{id}`; one coming from a dialog means all members and is stored as
 * `SG{id}_K`. This is the one grammar: the server validates policies with it, the UI refuses unsupported
 * dialog picks with it.
 * @see https://apidocs.bitrix24.com/api-reference/common/system/access-name.html
 * @see module source intranet CIntranetAuthProvider, socialnetwork CSocNetGroupAuthProvider (codes users hold)
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

const GRAMMAR = /^(?:AU|(IU|U|DR|D)([1-9]\d*)|SG([1-9]\d*)(?:_([AEK]))?)$/;
const PREFIX_KINDS = { U: 'user', IU: 'user', D: 'department', DR: 'departmentTree' } as const;

/** The kind and id of `code`, or null when it is not an access code Keycard understands (syntax only). */
export function parseAccessCode(code: string): ParsedAccessCode | null {
  const match = GRAMMAR.exec(code);
  if (match === null) return null;
  const [, prefix, id, groupId, groupRole] = match;
  if (prefix === 'U' || prefix === 'IU' || prefix === 'D' || prefix === 'DR') {
    return { kind: PREFIX_KINDS[prefix], id: Number(id) };
  }
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

/**
 * The stored form of a code: a plain `SG{id}` (what older dialogs return for a whole workgroup) means its members and
 * is stored as `SG{id}_K`, the code members actually hold. Every other code is stored as given.
 */
export function normalizeAccessCode(code: string): string {
  return /^SG[1-9]\d*$/.test(code) ? `${code}_K` : code;
}
