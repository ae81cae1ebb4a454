import type { Request, RequestHandler } from 'express';
import { ForbiddenError, UnauthorizedError } from '../errors.js';
import type { InstallationRepository } from '../portals/installation-repository.js';
import type { Installation } from '../portals/installation-record.js';
import type { Session, SessionTokens } from './session-tokens.js';

/** What a request that passed requireSession carries: the verified session and its installation. */
export interface RequestContext {
  session: Session;
  installation: Installation;
}

const contexts = new WeakMap<Request, RequestContext>();

/**
 * API guard: a valid session token (`Authorization: Bearer …`) whose portal is still installed and active.
 * A store failure is a 503 (the documents layer), never a pass.
 */
export function requireSession(deps: {
  sessions: SessionTokens;
  installations: Pick<InstallationRepository, 'get'>;
}): RequestHandler {
  return async (req, _res, next) => {
    const header = req.get('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (match?.[1] === undefined)
      throw new UnauthorizedError('SESSION_MISSING', 'Sign in through Bitrix24: open the app from the portal.');
    const session = await deps.sessions.verify(match[1]);
    const installation = await deps.installations.get(session.memberId);
    if (installation?.state !== 'active')
      throw new ForbiddenError('PORTAL_NOT_ACTIVE', 'The app is no longer installed on this portal.');
    contexts.set(req, { session, installation });
    next();
  };
}

/** The verified session and installation of a request that passed requireSession. */
export function requestContext(req: Request): RequestContext {
  const context = contexts.get(req);
  if (context === undefined)
    throw new UnauthorizedError('SESSION_MISSING', 'Sign in through Bitrix24: open the app from the portal.');
  return context;
}
