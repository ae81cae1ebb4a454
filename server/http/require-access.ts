import type { Request, RequestHandler } from 'express';
import { canOpen, evaluate, ACCESS_MANAGE } from '../access/index.js';
import type { AccessContext } from '../access/access-service.js';
import { ForbiddenError } from '../errors.js';
import type { Services } from '../services.js';
import { requestContext } from './require-session.js';
import { orUnavailable } from './store-errors.js';

/** A level of a feature, as a route requires it. */
export interface Requirement {
  feature: string;
  level: string;
}

const contexts = new WeakMap<Request, Promise<AccessContext>>();

/**
 * The access inputs of a request that passed requireSession: policy, index, mirror and subject, read once
 * per request. A store failure is a 503 — a failed read never turns into a decision, least of all a grant.
 */
export function accessContext(services: Services, req: Request): Promise<AccessContext> {
  let context = contexts.get(req);
  if (context === undefined) {
    const { session, portal } = requestContext(req);
    context = orUnavailable(services.access.context(portal.memberId, session.lang, { id: Number(session.userId), isAdmin: session.isAdmin }));
    contexts.set(req, context);
  }
  return context;
}

/** Holding `access.manage`: its top level (admins and delegates hold every level or none). */
export function manageRequirement(manifest: Services['manifest']): Requirement {
  return { feature: ACCESS_MANAGE, level: manifest.levels.at(-1)?.key ?? 'read' };
}

function assertKnown(services: Services, requirement: Requirement): void {
  const feature = services.manifest.features.find((item) => item.key === requirement.feature);
  const levels = feature?.levels ?? (requirement.feature === ACCESS_MANAGE ? services.manifest.levels.map((level) => level.key) : []);
  if (!levels.includes(requirement.level)) throw new Error(`route requires ${requirement.feature}:${requirement.level}, which the manifest does not have`);
}

function featureTitle(services: Services, feature: string, lang: 'en' | 'ru'): string {
  if (feature === ACCESS_MANAGE) return lang === 'ru' ? 'Управление доступом' : 'Access settings';
  return services.manifest.features.find((item) => item.key === feature)?.title[lang] ?? feature;
}

/**
 * Passes when the user may open the app (the allow-list, re-checked on every call: a session outlives a
 * policy change by up to 30 minutes) and, if requirements are given, holds at least one of them.
 */
function requireAccess(services: Services, anyOf: readonly Requirement[]): RequestHandler {
  for (const requirement of anyOf) assertKnown(services, requirement);
  return async (req, _res, next) => {
    const { index, subject } = await accessContext(services, req);
    if (!canOpen(index, subject).allowed) {
      throw new ForbiddenError('APP_ACCESS_DENIED', 'You no longer have access to this app. Ask an app administrator.');
    }
    if (anyOf.length > 0 && !anyOf.some((requirement) => evaluate(index, subject, requirement).allowed)) {
      const { session } = requestContext(req);
      const first = anyOf[0] ?? { feature: '', level: '' };
      throw new ForbiddenError('FEATURE_DENIED', `You do not have access to ${featureTitle(services, first.feature, session.lang)}.`);
    }
    next();
  };
}

/**
 * The guards a route puts in front of itself. The server decides; the UI's `useAccess()` only mirrors the
 * decision to hide what would be refused. Requirements naming a feature or level the manifest lacks throw
 * at start-up, not at request time.
 */
export function accessGuards(services: Services): {
  requireOpen(): RequestHandler;
  requireFeature(feature: string, level: string): RequestHandler;
  requireAnyFeature(...anyOf: Requirement[]): RequestHandler;
  requireManage(): RequestHandler;
} {
  return {
    requireOpen: () => requireAccess(services, []),
    requireFeature: (feature, level) => requireAccess(services, [{ feature, level }]),
    requireAnyFeature: (...anyOf) => requireAccess(services, anyOf),
    requireManage: () => requireAccess(services, [manageRequirement(services.manifest)]),
  };
}
