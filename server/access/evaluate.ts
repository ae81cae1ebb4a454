import type { AccessIndex, FeatureInfo, LevelGrant } from './access-index.js';
import { ADMIN_REASONS, DENY_FIRED, DENY_NOT_LISTED, adminGate, preRoles, topLevel } from './gate.js';
import type { Decision, RoleRule, Rule } from './rules.js';
import { SharedSubject } from './shared-subject.js';
import type { AccessRequest, Subject } from './subject.js';

/*
 * The decision itself: pure, no I/O, one map lookup per held access code. Most permissive wins: a level is
 * held if any role assignment reaching any of the user's codes confers it (for the resource, if asked).
 */

function covers(feature: FeatureInfo, grant: LevelGrant, resource: string | undefined): boolean {
  return resource === undefined || feature.resource === null || grant.all || grant.resources.has(resource);
}

function unknown(request: AccessRequest): Decision {
  return {
    allowed: false,
    level: null,
    reasons: [{ kind: 'unknown', feature: request.feature, level: request.level }],
  };
}

/** The rules conferring global level `at` on `feature` (for `resource`) to a holder of `codes`. */
function rulesAt(
  index: AccessIndex,
  codes: readonly string[],
  feature: FeatureInfo,
  at: number,
  resource: string | undefined,
): RoleRule[] {
  const rules: RoleRule[] = [];
  for (const code of codes) {
    const grant = index.byCode.get(code)?.features.get(feature.key)?.[at];
    if (grant !== undefined && covers(feature, grant, resource)) rules.push(...grant.rules);
  }
  return rules;
}

/** May `subject` use `request.level` of `request.feature` (on `request.resource`)? With the rules that decided it. */
export function evaluate(index: AccessIndex, subject: Subject, request: AccessRequest): Decision {
  const feature = index.features.get(request.feature);
  const at = index.levelIndex.get(request.level);
  if (feature === undefined || at === undefined || feature.rank[at] === -1) return unknown(request);
  if (!(subject instanceof SharedSubject)) return decide(index, subject, feature, at, request);
  const slot = feature.slot + at;
  return (
    subject.recall(index, slot, request.resource) ??
    subject.remember(index, slot, request.resource, decide(index, subject, feature, at, request))
  );
}

/** The decision on a known feature and level (global level index `at`). */
function decide(
  index: AccessIndex,
  subject: Subject,
  feature: FeatureInfo,
  at: number,
  request: AccessRequest,
): Decision {
  if (!subject.active) return DENY_FIRED;
  const admin = subject.isAdmin === true;
  // Roles decide unless the feature is gated on admins or admins get everything.
  const byRoles = !feature.adminOnly && !(admin && index.adminsGetEverything);

  // One pass over the codes answers the allow-list (first listed code), the delegation (first delegated code)
  // and the roles, which preRoles() would ask in three.
  const { resource } = request;
  let listed: Rule | undefined;
  let delegated: Rule | undefined;
  let best = -1; // global level index of the most permissive level held
  let reasons: RoleRule[] | null = null;
  for (const code of subject.codes) {
    const held = index.byCode.get(code);
    if (held === undefined) continue;
    listed ??= held.allowList;
    delegated ??= held.delegate;
    const perLevel = byRoles ? held.features.get(feature.key) : undefined;
    if (perLevel === undefined) continue;
    for (let level = 0; level < perLevel.length; level += 1) {
      const grant = perLevel[level];
      if (grant === undefined || !covers(feature, grant, resource)) continue;
      if (best === -1 || (feature.rank[level] ?? -1) > (feature.rank[best] ?? -1)) best = level;
      if (level === at) {
        if (reasons === null) reasons = [];
        for (const rule of grant.rules) reasons.push(rule);
      }
    }
  }

  if (!admin && !index.allowListEmpty && listed === undefined) return DENY_NOT_LISTED;
  if (feature.adminOnly) return adminGate(subject, feature, delegated);
  if (!byRoles) return { allowed: true, level: topLevel(feature), reasons: ADMIN_REASONS };
  // Portal admins hold the Administrator role besides whatever their codes give.
  let asAdmin = false;
  const adminLevels = byRoles && admin ? index.adminGrants.get(feature.key) : undefined;
  if (adminLevels !== undefined) {
    for (let level = 0; level < adminLevels.length; level += 1) {
      const grant = adminLevels[level];
      if (grant === undefined || !covers(feature, grant, resource)) continue;
      if (best === -1 || (feature.rank[level] ?? -1) > (feature.rank[best] ?? -1)) best = level;
      if (level === at) asAdmin = true;
    }
  }
  const level = best === -1 ? null : (index.levels[best] ?? null);
  if (reasons !== null) return { allowed: true, level, reasons };
  if (asAdmin) return { allowed: true, level, reasons: ADMIN_REASONS };
  const denied: Rule[] = best === -1 ? [] : rulesAt(index, subject.codes, feature, best, resource);
  denied.push({ kind: 'noGrant', feature: feature.key, level: request.level });
  return { allowed: false, level, reasons: denied };
}

/** Which resources `subject` may use at `level` of `feature`: 'all', or a set (possibly empty). For filtering lists. */
export function allowedResources(
  index: AccessIndex,
  subject: Subject,
  featureKey: string,
  level: string,
): 'all' | ReadonlySet<string> {
  const feature = index.features.get(featureKey);
  const at = index.levelIndex.get(level);
  if (feature === undefined || at === undefined || feature.rank[at] === -1) return new Set();
  const early = preRoles(index, subject, feature);
  if (early !== null) return early.allowed ? 'all' : new Set();
  const ids = new Set<string>();
  let any = false;
  const adminGrant = subject.isAdmin === true ? index.adminGrants.get(feature.key)?.[at] : undefined;
  if (adminGrant !== undefined) {
    if (adminGrant.all) return 'all';
    any = true;
    for (const id of adminGrant.resources) ids.add(id);
  }
  for (const code of subject.codes) {
    const grant = index.byCode.get(code)?.features.get(feature.key)?.[at];
    if (grant === undefined) continue;
    if (grant.all || feature.resource === null) return 'all';
    any = true;
    for (const id of grant.resources) ids.add(id);
  }
  return any ? ids : new Set();
}

/**
 * Keeps the items whose resource `subject` may use at `level` (a document mixing warehouses shows only the allowed
 * parts).
 */
export function filterByResource<T>(
  index: AccessIndex,
  subject: Subject,
  feature: string,
  level: string,
  items: readonly T[],
  resourceOf: (item: T) => string,
): T[] {
  const allowed = allowedResources(index, subject, feature, level);
  return allowed === 'all' ? [...items] : items.filter((item) => allowed.has(resourceOf(item)));
}
