/**
 * A REST error answer: `{ error, error_description }` with its HTTP status.
 * @see https://apidocs.bitrix24.com/api-reference/common/system-errors.html (system errors table)
 */
export class RestError extends Error {
  readonly status: number;
  readonly code: string;
  readonly description: string;

  constructor(status: number, code: string, description: string) {
    super(`${code}: ${description}`);
    this.status = status;
    this.code = code;
    this.description = description;
  }
}

export const restErrors = {
  noAuth: () => new RestError(401, 'NO_AUTH_FOUND', 'Wrong authorization data'),
  expiredToken: () => new RestError(401, 'expired_token', 'The access token provided has expired.'),
  /** 401 in the rest module (`OAuthException`), 403 in the docs' table: `insufficientScopeStatus` chooses. */
  insufficientScope: (status: number) =>
    new RestError(
      status,
      'insufficient_scope',
      'The request requires higher privileges than provided by the access token',
    ),
  /** A removed app's token still in the portal's token cache (rest module `lib/oauth/auth.php`). */
  applicationNotFound: () => new RestError(401, 'APPLICATION_NOT_FOUND', 'Application not found'),
  /** A removed app's token the portal had to check with the OAuth server (b24pysdk `BitrixAPIErrorOAuth`). */
  applicationNotInstalled: () => new RestError(401, 'ERROR_OAUTH', 'Application not installed'),
  /** The app's subscription lapsed (b24pysdk `BitrixAPIPaymentRequired`, 401). */
  paymentRequired: () => new RestError(401, 'PAYMENT_REQUIRED', 'Subscription has been ended'),
  authorizationError: () => new RestError(401, 'authorization_error', 'Unable to authorize user'),
  userAccessError: () => new RestError(403, 'user_access_error', 'The user does not have access to the application.'),
  methodNotFound: () => new RestError(404, 'ERROR_METHOD_NOT_FOUND', 'Method not found!'),
  queryLimit: () => new RestError(503, 'QUERY_LIMIT_EXCEEDED', 'Too many requests'),
  operatingLimit: () => new RestError(429, 'OPERATION_TIME_LIMIT', 'Method is blocked due to operation time limit.'),
  /** `Bitrix\Rest\AccessException`: "Access denied!" and an optional reason, 403 (rest `accessexception.php`). */
  accessDenied: (description = 'Access denied!') => new RestError(403, 'ACCESS_DENIED', description),
  argument: (name: string) => new RestError(400, 'ERROR_ARGUMENT', `Argument '${name}' is null or empty`),
};
