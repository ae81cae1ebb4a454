/**
 * The rules a decision cites. The admin's "check a user" tool and the access-denied page render these, so
 * every decision says why. Singleton rules are shared frozen objects: deciding allocates nothing for them.
 */

/** A role assigned to an access code, granting `level` (and the levels it requires) on `feature`. */
export interface RoleRule {
  kind: 'role';
  code: string;
  role: string;
  roleTitle: string;
  feature: string;
  /** The level the role grants (the top of what it confers). */
  level: string;
  /** Resource ids the grant is limited to; null = all resources (or the feature is not resource-scoped). */
  resources: readonly string[] | null;
}

export type Rule =
  /** Deactivated users never pass (Bitrix24 does not let them in either). */
  | { kind: 'fired' }
  /**
   * The user is a portal admin: passes the allow-list, admin-only features, and all features if the manifest says so.
   */
  | { kind: 'admin' }
  /** Admin status could not be determined: anything gated on it is denied. */
  | { kind: 'adminUnknown' }
  /** The allow-list is empty, so every active user may open the app. */
  | { kind: 'allowListEmpty' }
  /** The user holds this allow-listed code. */
  | { kind: 'allowList'; code: string }
  /** The allow-list is not empty and the user holds none of its codes. */
  | { kind: 'notInAllowList' }
  /** The feature is for portal admins and delegates only, and the user is neither. */
  | { kind: 'adminOnly'; feature: string }
  /** The user holds a code an admin delegated `access.manage` to. */
  | { kind: 'delegate'; code: string }
  | RoleRule
  /** No role held by the user grants the level (for the resource, if one was asked). */
  | { kind: 'noGrant'; feature: string; level: string }
  /** The feature or level is not in the manifest (a programming error in the caller). */
  | { kind: 'unknown'; feature: string; level: string };

/** The answer to "may this user do this?". */
export interface Decision {
  allowed: boolean;
  /** The user's effective (most permissive) level on the feature, or null if none. */
  level: string | null;
  /** The rules that produced the decision: the grants that allow it, or the reason it is denied. */
  reasons: readonly Rule[];
}

export const FIRED: Rule = Object.freeze({ kind: 'fired' });
export const ADMIN: Rule = Object.freeze({ kind: 'admin' });
export const ADMIN_UNKNOWN: Rule = Object.freeze({ kind: 'adminUnknown' });
export const ALLOW_LIST_EMPTY: Rule = Object.freeze({ kind: 'allowListEmpty' });
export const NOT_IN_ALLOW_LIST: Rule = Object.freeze({ kind: 'notInAllowList' });
