/** A server-rendered refusal page's text. */
export interface PageText {
  title: string;
  message: string;
}

/** The refusal pages there are; several error codes share one (all "a dependency is down" codes, say). */
export type PageKey =
  | 'BAD_REQUEST'
  | 'PORTAL_NOT_ALLOWED'
  | 'PORTAL_BLOCKED'
  | 'TOKEN_NOT_VERIFIED'
  | 'USER_NOT_VERIFIED'
  | 'WRONG_CLIENT'
  | 'WRONG_PORTAL'
  | 'INSTALL_NEEDS_ADMIN'
  | 'REFRESH_TOKEN_MISSING'
  | 'INSTALL_INCOMPLETE'
  | 'NOT_INSTALLED'
  | 'INSTALL_UNFINISHED'
  | 'NEEDS_REINSTALL'
  | 'SUBSCRIPTION_EXPIRED'
  | 'BITRIX_ACCESS_DENIED'
  | 'USER_INACTIVE'
  | 'APP_ACCESS_DENIED'
  | 'UNAVAILABLE'
  | 'BUSY'
  | 'INTERNAL'
  | 'REQUEST_MESSAGE'
  | 'REQUEST_TICKET'
  | 'REQUEST_HAS_ACCESS'
  | 'REQUEST_LIMIT';
