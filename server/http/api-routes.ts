import type { Request, Router } from 'express';
import type { AccessContext } from '../access/access-service.js';
import type { Services } from '../services.js';
import { accessContext, accessGuards } from './require-access.js';
import { requestContext, type RequestContext } from './require-session.js';

/**
 * What an app built on Keycard gets for its own API routes: the same guards Keycard's routes use, who is calling,
 * their access inputs, and the wired services (take the few you need).
 */
export interface ApiKit extends ReturnType<typeof accessGuards> {
  /** The verified session (user, language, admin status) and the installation of a request. */
  caller(req: Request): RequestContext;
  /** The request's access inputs (policy index, subject, mirror), read once per request: for per-resource checks. */
  access(req: Request): Promise<AccessContext>;
  services: Services;
}

/**
 * An app's own API routes. Each is mounted under `/api`, after Keycard's, behind the session check: a request
 * reaches it only with a valid session of an active installation. Guard every route with the kit's
 * `requireFeature(feature, level)`; a feature or level the manifest lacks throws when the app is built.
 */
export type ApiRoutes = (kit: ApiKit) => Router;

/** The kit handed to every `ApiRoutes`. */
export function apiKit(services: Services): ApiKit {
  return {
    ...accessGuards(services),
    caller: requestContext,
    access: (req) => accessContext(services, req),
    services,
  };
}
