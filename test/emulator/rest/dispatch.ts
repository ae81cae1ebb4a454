import { bump } from '../counters.js';
import { chargeOperating } from '../operating-limit.js';
import type { Portal } from '../portal.js';
import type { AccessGrant } from '../tokens.js';
import { RestError, restErrors } from './errors.js';
import type { Params } from './params.js';
import { methods } from './registry.js';
import { timeBlock } from './time.js';
import type { CallOutcome, MethodContext } from './types.js';

function failure(portal: Portal, error: RestError): CallOutcome {
  bump(portal.counters.errors, error.code);
  if (error.code === 'OPERATION_TIME_LIMIT') portal.counters.operatingLimited++;
  return { ok: false, status: error.status, error: error.code, description: error.description };
}

/**
 * A removed app's token (rest module `lib/oauth/auth.php` onRestCheckAuth): while the portal still has it in its
 * token cache (`CACHE_TTL` 3600 s; modelled as "issued less than `tokenCacheSeconds` ago") the app record is found
 * inactive, 401 APPLICATION_NOT_FOUND; otherwise the portal asks the OAuth server and passes on its 401 ERROR_OAUTH
 * "Application not installed" (b24pysdk `errors/__init__.py` BitrixAPIApplicationNotFound / BitrixAPIErrorOAuth).
 * Both come before `expired_token`, as in the module.
 */
function removedAppError(portal: Portal, grant: AccessGrant): RestError {
  const cached = portal.clock.now() - grant.issuedAt < portal.behaviour.tokenCacheMs;
  return cached ? restErrors.applicationNotFound() : restErrors.applicationNotInstalled();
}

/**
 * Runs one REST method with the checks of the portal's rest module, in its order: token known
 * (NO_AUTH_FOUND), app not removed (APPLICATION_NOT_FOUND / ERROR_OAUTH), subscription (PAYMENT_REQUIRED), not
 * expired (expired_token), method exists, scope granted (insufficient_scope), user
 * active (authorization_error), user allowed by the app access setting (user_access_error, admins always
 * pass), method-level admin check, operating limit (OPERATION_TIME_LIMIT). The leaky bucket is checked by
 * the HTTP layer, once per request.
 * @see https://apidocs.bitrix24.com/api-reference/common/system-errors.html
 */
export function callMethod(
  portal: Portal,
  rawMethod: string,
  params: Params,
  token: string | undefined,
  inBatch = false,
): CallOutcome {
  const method = rawMethod.toLowerCase().replace(/\.json$/, '');
  portal.counters.restCalls++;
  bump(portal.counters.byMethod, method);
  if (inBatch) portal.counters.batchCommands++;
  try {
    const grant = token === undefined || token === '' ? undefined : portal.tokens.access(token);
    if (token === undefined || grant === undefined) throw restErrors.noAuth();
    const status = portal.tokenStatus(grant);
    if (status === 'forgotten') throw restErrors.noAuth();
    if (status === 'removed') throw removedAppError(portal, grant);
    // Where the portal checks the subscription is not known; before expiry is a guess (b24pysdk: 401).
    if (portal.subscriptionExpired) throw restErrors.paymentRequired();
    if (portal.tokens.isExpired(grant)) throw restErrors.expiredToken();
    const definition = methods.get(method);
    if (definition === undefined) throw restErrors.methodNotFound();
    if (inBatch && definition.notInBatch) {
      throw new RestError(405, 'ERROR_BATCH_METHOD_NOT_ALLOWED', 'Method is not allowed for batch usage');
    }
    if (definition.scopes.length > 0 && !portal.hasScope(...definition.scopes)) {
      throw restErrors.insufficientScope(portal.behaviour.insufficientScopeStatus);
    }
    const user = portal.directory.user(grant.userId);
    if (user === undefined || !user.active) throw restErrors.authorizationError();
    if (!portal.userHasAppAccess(user)) throw restErrors.userAccessError();
    // rest module `lib/api/placement.php` checkPermission: `throw new AccessException()`, i.e. "Access denied!".
    if (definition.adminOnly && !user.admin) throw restErrors.accessDenied();
    const operated = portal.operating !== null && !definition.skipOperating;
    if (operated && portal.operating?.isBlocked(method)) throw restErrors.operatingLimit();

    const started = portal.clock.now();
    const context: MethodContext = {
      portal,
      user,
      token,
      call: (subMethod, subParams) => callMethod(portal, subMethod, subParams, token, true),
    };
    const output = definition.handler(context, params);
    const cost = portal.operatingCost;
    const seconds = definition.skipOperating
      ? 0
      : cost.perCallSeconds +
        (output.rows ?? 0) * cost.perRowSeconds +
        (output.counted ?? 0) * cost.perCountedRowSeconds +
        (output.skipped ?? 0) * cost.perSkippedRowSeconds;
    if (operated) portal.operating?.add(method, seconds);
    chargeOperating(portal, seconds);
    const outcome: CallOutcome = { ok: true, result: output.result, time: timeBlock(portal, method, started, seconds) };
    if (output.total !== undefined) outcome.total = output.total;
    if (output.next !== undefined) outcome.next = output.next;
    return outcome;
  } catch (error: unknown) {
    if (error instanceof RestError) return failure(portal, error);
    throw error;
  }
}
