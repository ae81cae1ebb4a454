import { codeKinds, type CodeKind } from '../../common/access-codes';

/*
 * The access-code grammar is shared with the server (common/access-codes.ts). `isSupportedCode` is its
 * `isAccessCode`: the `selectAccess` dialog can also return codes such as `CR` (current user) or `G` (user
 * groups) that Keycard cannot evaluate, and the UI refuses those with a message instead of as a 400 on Save.
 * `normalizeAccessCode` turns a plain workgroup pick (`SG5`) into the code its members hold (`SG5_K`), as the
 * server stores it.
 */
export {
  ALL_USERS,
  codeKind,
  departmentCode,
  isAccessCode as isSupportedCode,
  normalizeAccessCode,
  userCode,
  type CodeKind,
} from '../../common/access-codes';

/** A code picked in a dialog, with the name the dialog showed for it. */
export interface PickedCode {
  id: string;
  name: string;
}

function isCodeKind(kind: string): kind is CodeKind {
  return codeKinds.some((known) => known === kind);
}

/** A `kind` from the server, or `unknown` for a word this UI does not know. */
export function toCodeKind(kind: string): CodeKind {
  return isCodeKind(kind) ? kind : 'unknown';
}
