/**
 * Bitrix24 access codes, the subjects of every access rule: `U{id}` a user, `D{id}` a department's
 * direct members, `DR{id}` a department with all its sub-departments, `SG{id}` / `SG{id}_A|_E|_K` a
 * workgroup (members / owner / moderators / members), `AU` every authorized user. The native
 * `selectAccess` dialog returns these, so the UI, the server and the store speak one language.
 * @see https://apidocs.bitrix24.com/api-reference/common/system/access-name.html
 */

/** What a code stands for; the server's `names[code].kind` uses the same words. */
export type CodeKind = 'user' | 'department' | 'departmentTree' | 'group' | 'allUsers' | 'unknown'

export const ALL_USERS = 'AU'

// The codes Keycard's server accepts (server/access/codes.ts). The dialog can also return codes such
// as `CR` (current user), `IU` or `G` (user groups) that Keycard cannot evaluate: those are refused here
// with a message instead of as a 400 on Save.
const SUPPORTED = /^(?:AU|U[1-9]\d*|DR?[1-9]\d*|SG[1-9]\d*(?:_[AEK])?)$/

/** A code picked in a dialog, with the name the dialog showed for it. */
export interface PickedCode {
  id: string
  name: string
}

export function isSupportedCode(code: string): boolean {
  return SUPPORTED.test(code)
}

/** The kind of a code read from its syntax (for codes the server has not named yet). */
export function codeKind(code: string): CodeKind {
  if (code === ALL_USERS) return 'allUsers'
  if (/^U\d+$/.test(code)) return 'user'
  if (/^DR\d+$/.test(code)) return 'departmentTree'
  if (/^D\d+$/.test(code)) return 'department'
  if (/^SG\d+/.test(code)) return 'group'
  return 'unknown'
}

const KINDS: readonly CodeKind[] = ['user', 'department', 'departmentTree', 'group', 'allUsers', 'unknown']

function isCodeKind(kind: string): kind is CodeKind {
  return KINDS.some((known) => known === kind)
}

/** A `kind` from the server, or `unknown` for a word this UI does not know. */
export function toCodeKind(kind: string): CodeKind {
  return isCodeKind(kind) ? kind : 'unknown'
}

export function userCode(id: number | string): string {
  return `U${id}`
}

/** `DR{id}` with the sub-departments, `D{id}` for the department's own members only. */
export function departmentCode(id: number | string, withSubdepartments: boolean): string {
  return withSubdepartments ? `DR${id}` : `D${id}`
}
