/**
 * Every error code Keycard's server answers with: the `error` field of a JSON error body and the code shown
 * on a refusal page inside the frame. Closed on purpose: a new code is added here, where the type checker
 * then asks for its refusal page (server/http/pages/page-texts.ts).
 */
export const errorCodes = [
  // The request itself.
  'BAD_REQUEST',
  'BAD_BODY',
  'BODY_TOO_LARGE',
  'BAD_EVENT',
  'NOT_FOUND',
  'INVALID_POLICY',
  'INVALID_USER',
  'INVALID_QUERY',
  'INVALID_Q',
  'INVALID_DEPARTMENT',
  'INVALID_SUBDEPARTMENTS',
  'INVALID_ACTIVE',
  'INVALID_CURSOR',
  'INVALID_LIMIT',
  'INVALID_ACTOR',
  'INVALID_CODE',
  'INVALID_GROUP',
  'PRECONDITION_REQUIRED',
  // Who is asking.
  'SESSION_MISSING',
  'SESSION_INVALID',
  'TOKEN_NOT_VERIFIED',
  'USER_NOT_VERIFIED',
  'EVENT_NOT_VERIFIED',
  'WRONG_CLIENT',
  'WRONG_PORTAL',
  // Whether they may.
  'PORTAL_NOT_ALLOWED',
  'OAUTH_SERVER_NOT_TRUSTED',
  'SUBSCRIPTION_EXPIRED',
  'PORTAL_BLOCKED',
  'PORTAL_NOT_ACTIVE',
  'INSTALL_NEEDS_ADMIN',
  'BITRIX_ACCESS_DENIED',
  'USER_INACTIVE',
  'APP_ACCESS_DENIED',
  'FEATURE_DENIED',
  'ADMIN_REQUIRED',
  'DELEGATES_ADMIN_ONLY',
  // The installation.
  'NOT_INSTALLED',
  'INSTALL_UNFINISHED',
  'INSTALL_INCOMPLETE',
  'NEEDS_REINSTALL',
  'REFRESH_TOKEN_MISSING',
  'PORTAL_NOT_INSTALLED',
  'PORTAL_BAD_TRANSITION',
  'USER_NOT_FOUND',
  'GROUP_NOT_FOUND',
  // Conflicts with work in progress.
  'POLICY_CHANGED',
  'SAVE_LOCKS_YOU_OUT',
  'SYNC_RUNNING',
  'SYNC_LEASE_LOST',
  'SYNC_ABORTED',
  // Peers and dependencies.
  'BITRIX_ERROR',
  'BITRIX_UNREACHABLE',
  'CURSOR_IGNORED',
  'OAUTH_UNAVAILABLE',
  'PORTAL_BUSY',
  'RATE_LIMITED',
  'PORTAL_UNAVAILABLE',
  'STORE_UNAVAILABLE',
  'LOCK_TIMEOUT',
  'LEASE_LOST',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof errorCodes)[number];
