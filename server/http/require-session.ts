import type { Request, RequestHandler } from 'express';
import { ForbiddenError, UnauthorizedError, UnavailableError } from '../errors.js';
import type { Portal } from '../portals/portal.js';
import type { Services } from '../services.js';
import type { Session } from './session-tokens.js';

const contexts = new WeakMap<Request, { session: Session; portal: Portal }>();

/**
 * API guard: a valid session token (`Authorization: Bearer …`) whose portal is still installed and active.
 * A store failure is a 503, never a pass.
 */
export function requireSession(services: Services): RequestHandler {
  return async (req, _res, next) => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (match?.[1] === undefined) throw new UnauthorizedError('SESSION_MISSING', 'Sign in through Bitrix24: open the app from the portal.');
    const session = await services.sessions.verify(match[1]);
    let portal: Portal | undefined;
    try {
      portal = await services.portals.get(session.memberId);
    } catch (error: unknown) {
      throw new UnavailableError('STORE_UNAVAILABLE', 'Keycard is temporarily unavailable.', { cause: error });
    }
    if (portal?.state !== 'active') throw new ForbiddenError('PORTAL_NOT_ACTIVE', 'The app is no longer installed on this portal.');
    contexts.set(req, { session, portal });
    next();
  };
}

/** The verified session and portal of a request that passed requireSession. */
export function requestContext(req: Request): { session: Session; portal: Portal } {
  const context = contexts.get(req);
  if (context === undefined) throw new UnauthorizedError('SESSION_MISSING', 'Sign in through Bitrix24: open the app from the portal.');
  return context;
}
