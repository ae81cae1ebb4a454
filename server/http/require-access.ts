import type { Request, RequestHandler } from 'express';
import { canOpen, evaluate, ACCESS_MANAGE } from '../access/index.js';
import type { AccessContext, AccessService } from '../access/access-service.js';
import { manageRequirement } from '../access/policy.js';
import { ForbiddenError } from '../errors.js';
import type { Lang, Manifest } from '../manifest.js';
import { requestContext } from './require-session.js';

/** A level of a feature, as a route requires it. */
export interface Requirement {
  feature: string;
  level: string;
}

/** What the guards need: the access inputs and the manifest the requirements name. */
export interface AccessGuardDeps {
  access: Pick<AccessService, 'context'>;
  manifest: Manifest;
}

const contexts = new WeakMap<Request, Promise<AccessContext>>();

/**
 * The access inputs of a request that passed requireSession: policy, index, mirror and subject, read once
 * per request. A store failure is a 503 (the documents layer) — a failed read never turns into a decision.
 */
export function accessContext(deps: Pick<AccessGuardDeps, 'access'>, req: Request): Promise<AccessContext> {
  let context = contexts.get(req);
  if (context === undefined) {
    const { session, installation } = requestContext(req);
    context = deps.access.context(installation.memberId, session.lang, {
      id: Number(session.userId),
      isAdmin: session.isAdmin,
    });
    contexts.set(req, context);
  }
  return context;
}

function assertKnown(manifest: Manifest, requirement: Requirement): void {
  const feature = manifest.features.find((item) => item.key === requirement.feature);
  const levels =
    feature?.levels ?? (requirement.feature === ACCESS_MANAGE ? manifest.levels.map((level) => level.key) : []);
  if (!levels.includes(requirement.level))
    throw new Error(`route requires ${requirement.feature}:${requirement.level}, which the manifest does not have`);
}

function featureTitle(manifest: Manifest, feature: string, lang: Lang): string {
  if (feature === ACCESS_MANAGE) return lang === 'ru' ? 'Управление доступом' : 'Access settings';
  return manifest.features.find((item) => item.key === feature)?.title[lang] ?? feature;
}

/**
 * Passes when the user may open the app (the allow-list, re-checked on every call: a session outlives a
 * policy change by up to 30 minutes) and, if requirements are given, holds at least one of them.
 */
function requireAccess(deps: AccessGuardDeps, anyOf: readonly Requirement[]): RequestHandler {
  for (const requirement of anyOf) assertKnown(deps.manifest, requirement);
  return async (req, _res, next) => {
    const { index, subject } = await accessContext(deps, req);
    if (!canOpen(index, subject).allowed) {
      throw new ForbiddenError('APP_ACCESS_DENIED', 'You no longer have access to this app. Ask an app administrator.');
    }
    if (anyOf.length > 0 && !anyOf.some((requirement) => evaluate(index, subject, requirement).allowed)) {
      const { session } = requestContext(req);
      const first = anyOf[0] ?? { feature: '', level: '' };
      throw new ForbiddenError(
        'FEATURE_DENIED',
        `You do not have access to ${featureTitle(deps.manifest, first.feature, session.lang)}.`,
      );
    }
    next();
  };
}

/**
 * The guards a route puts in front of itself. The server decides; the UI's `useAccess()` only mirrors the
 * decision to hide what would be refused. Requirements naming a feature or level the manifest lacks throw
 * at start-up, not at request time.
 */
export function accessGuards(deps: AccessGuardDeps): {
  requireOpen(): RequestHandler;
  requireFeature(feature: string, level: string): RequestHandler;
  requireAnyFeature(...anyOf: Requirement[]): RequestHandler;
  requireManage(): RequestHandler;
} {
  return {
    requireOpen: () => requireAccess(deps, []),
    requireFeature: (feature, level) => requireAccess(deps, [{ feature, level }]),
    requireAnyFeature: (...anyOf) => requireAccess(deps, anyOf),
    requireManage: () => requireAccess(deps, [manageRequirement(deps.manifest)]),
  };
}
