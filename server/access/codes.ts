/**
 * Bitrix24 access codes, the subjects of every access rule: `U{id}` a user, `D{id}` a department's direct
 * members, `DR{id}` a department with all its sub-departments, `SG{id}` / `SG{id}_A|_E|_K` workgroup
 * members / owner / moderators / members, `AU` every authorised user. The `selectAccess` dialog returns
 * exactly these, so rules are stored in the same language Bitrix24 speaks.
 * @see https://apidocs.bitrix24.com/api-reference/common/system/access-name.html
 */
const ACCESS_CODE = /^(?:AU|U[1-9]\d*|DR?[1-9]\d*|SG[1-9]\d*(?:_[AEK])?)$/;

/** Whether `code` is an access code Keycard understands (syntax only; see `validatePolicy` for existence). */
export function isAccessCode(code: string): boolean {
  return ACCESS_CODE.test(code);
}

/** The code every authorised (active) user holds; it is always "known". */
export const ALL_USERS = 'AU';
