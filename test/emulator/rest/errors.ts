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
  insufficientScope: () =>
    new RestError(
      403,
      'insufficient_scope',
      'The request requires higher privileges than provided by the access token',
    ),
  authorizationError: () => new RestError(401, 'authorization_error', 'Unable to authorize user'),
  userAccessError: () => new RestError(403, 'user_access_error', 'The user does not have access to the application.'),
  methodNotFound: () => new RestError(404, 'ERROR_METHOD_NOT_FOUND', 'Method not found!'),
  queryLimit: () => new RestError(503, 'QUERY_LIMIT_EXCEEDED', 'Too many requests'),
  operatingLimit: () => new RestError(429, 'OPERATION_TIME_LIMIT', 'Method is blocked due to operation time limit.'),
  accessDenied: (description = 'Access denied!') => new RestError(403, 'ACCESS_DENIED', description),
  argument: (name: string) => new RestError(400, 'ERROR_ARGUMENT', `Argument '${name}' is null or empty`),
};
