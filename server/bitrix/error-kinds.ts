/**
 * What a Bitrix24 error code means to Keycard: the one vocabulary every caller decides on (retry, wait,
 * refuse the user, mark the installation) instead of lists of codes of its own.
 * @see https://apidocs.bitrix24.com/api-reference/common/error-codes.html
 * @see https://apidocs.bitrix24.com/settings/oauth/index.html (OAuth server errors)
 */
export type BitrixErrorKind =
  /** The token is not (or no longer) good for this portal and app. */
  | 'token_rejected'
  /** The app is not installed on the portal (any more): it was removed. */
  | 'app_not_installed'
  /** The token belongs to a deactivated (fired) user. */
  | 'user_inactive'
  /** Bitrix24's own app access setting does not let this user use the app. */
  | 'user_denied'
  /** The portal did not grant the scope the method needs, or refuses the object to the app. */
  | 'no_scope'
  /** The portal's request bucket is full (503): wait and repeat. */
  | 'rate_limited'
  /** The method used up its operating time (429): wait for its window. */
  | 'operation_limit'
  /** A paid app whose subscription lapsed: the OAuth server issues no tokens. */
  | 'payment_required'
  /** Bitrix24 failed on its side; the same request may succeed later. */
  | 'transient'
  /** Repeating the request cannot help. */
  | 'permanent';

/** Codes as Bitrix24 spells them (compared case-insensitively: it mixes `expired_token` and `QUERY_LIMIT_EXCEEDED`). */
const KINDS: Readonly<Record<string, BitrixErrorKind>> = {
  // A removed app's token: the portal answers from its token cache (module rest/lib/oauth/auth.php), the OAuth
  // server's app.info says NOT_INSTALLED (b24pysdk errors/oauth.py BitrixOAuthNotInstalled).
  application_not_found: 'app_not_installed',
  not_installed: 'app_not_installed',
  no_auth_found: 'token_rejected',
  invalid_token: 'token_rejected',
  expired_token: 'token_rejected',
  invalid_grant: 'token_rejected',
  invalid_client: 'token_rejected',
  wrong_client: 'token_rejected',
  authorization_error: 'user_inactive',
  user_access_error: 'user_denied',
  insufficient_scope: 'no_scope',
  access_denied: 'no_scope',
  query_limit_exceeded: 'rate_limited',
  operation_time_limit: 'operation_limit',
  payment_required: 'payment_required',
  overload_limit: 'transient',
  invalid_credentials: 'permanent',
  wrong_auth_type: 'permanent',
  error_method_not_found: 'permanent',
};

/**
 * The kind of `code` answered with HTTP `status`. A code the table does not know is judged by its status:
 * 503 is the portal's "too many requests", 429 its operating limit, other 5xx and no status (a command that
 * failed inside a batch) are worth another try, a 4xx is not.
 */
export function kindOfCode(code: string, status: number, description?: string): BitrixErrorKind {
  // The portal relays the OAuth server's refusal as ERROR_OAUTH; "Application not installed" is a removed app
  // (module rest/install/components/bitrix/app.layout/component.php; b24pysdk BitrixAPIErrorOAuth).
  if (code.toLowerCase() === 'error_oauth') {
    return /application not installed/i.test(description ?? '') ? 'app_not_installed' : 'permanent';
  }
  const known = KINDS[code.toLowerCase()];
  if (known !== undefined) return known;
  return kindOfStatus(status);
}

/** The kind of an HTTP status without a Bitrix24 code. */
export function kindOfStatus(status: number): BitrixErrorKind {
  if (status === 503) return 'rate_limited';
  if (status === 429) return 'operation_limit';
  if (status === 0 || status >= 500) return 'transient';
  return 'permanent';
}
