import { normalizeAccessCode } from '../../server/access/codes.js';
import { expandGrant } from '../../server/access/levels.js';
import { ACCESS_MANAGE, type Policy } from '../../server/access/policy.js';
import type { Decision, RoleRule, Rule } from '../../server/access/rules.js';
import type { AccessRequest, Subject } from '../../server/access/subject.js';
import type { Manifest } from '../../server/manifest.js';

/**
 * The access rules read straight from the policy, with no index and no shortcuts: the oracle the fast
 * evaluator is checked against (same answers, same levels, same reasons in the same order).
 */

interface Feature {
  key: string;
  levels: string[];
  adminOnly: boolean;
  resource: string | null;
}

function featureOf(manifest: Manifest, key: string): Feature | undefined {
  const levels = manifest.levels.map((level) => level.key);
  if (key === ACCESS_MANAGE) return { key, levels, adminOnly: true, resource: null };
  const feature = manifest.features.find((item) => item.key === key);
  if (feature === undefined) return undefined;
  return {
    key,
    levels: levels.filter((level) => feature.levels.includes(level)),
    adminOnly: feature.adminOnly,
    resource: feature.resource ?? null,
  };
}

/** The last entry of `codes` a holder of `held` matches (a later duplicate replaces an earlier one). */
function cited(codes: readonly string[], held: string): string | undefined {
  return codes.findLast((code) => normalizeAccessCode(code) === held);
}

/** Whether `subject` may open the app, and why. */
export function referenceOpen(policy: Policy, subject: Subject): Decision {
  if (!subject.active) return { allowed: false, level: null, reasons: [{ kind: 'fired' }] };
  if (subject.isAdmin === true) return { allowed: true, level: null, reasons: [{ kind: 'admin' }] };
  if (policy.allowList.length === 0) return { allowed: true, level: null, reasons: [{ kind: 'allowListEmpty' }] };
  for (const held of subject.codes) {
    const code = cited(policy.allowList, held);
    if (code !== undefined) return { allowed: true, level: null, reasons: [{ kind: 'allowList', code }] };
  }
  return { allowed: false, level: null, reasons: [{ kind: 'notInAllowList' }] };
}

/** The rules giving `held` `level` of `feature`, in assignment order, and whether together they cover `resource`. */
function grantsOf(
  policy: Policy,
  manifest: Manifest,
  held: string,
  feature: Feature,
  level: string,
  resource: string | undefined,
): RoleRule[] {
  const rules: RoleRule[] = [];
  for (const assignment of policy.assignments) {
    if (normalizeAccessCode(assignment.code) !== held) continue;
    const role = policy.roles.findLast((item) => item.key === assignment.role);
    const grant = role?.grants[feature.key];
    if (role === undefined || grant === undefined) continue;
    const expanded = expandGrant(manifest, feature.levels, grant.level);
    if (!expanded.ok || !expanded.levels.includes(level)) continue;
    const scoped = feature.resource !== null && grant.resources !== undefined;
    if (scoped && grant.resources?.length === 0) continue;
    rules.push({
      kind: 'role',
      code: assignment.code,
      role: role.key,
      roleTitle: role.title,
      feature: feature.key,
      level: grant.level,
      resources: scoped ? [...(grant.resources ?? [])] : null,
    });
  }
  // A code's grants at one level count together: if any covers the resource, all of them are cited.
  const covered =
    resource === undefined ||
    feature.resource === null ||
    rules.some((rule) => rule.resources === null || rule.resources.includes(resource));
  return covered ? rules : [];
}

/** The decision on `request`, as the policy reads. */
export function referenceDecision(
  policy: Policy,
  manifest: Manifest,
  subject: Subject,
  request: AccessRequest,
): Decision {
  const feature = featureOf(manifest, request.feature);
  if (feature === undefined || !feature.levels.includes(request.level))
    return {
      allowed: false,
      level: null,
      reasons: [{ kind: 'unknown', feature: request.feature, level: request.level }],
    };
  const open = referenceOpen(policy, subject);
  if (!open.allowed) return open;
  const top = feature.levels.at(-1) ?? null;
  if (feature.adminOnly) {
    if (subject.isAdmin === null) return { allowed: false, level: null, reasons: [{ kind: 'adminUnknown' }] };
    if (subject.isAdmin) return { allowed: true, level: top, reasons: [{ kind: 'admin' }] };
    for (const held of subject.codes) {
      const code = cited(policy.delegates, held);
      if (code !== undefined) return { allowed: true, level: top, reasons: [{ kind: 'delegate', code }] };
    }
    return { allowed: false, level: null, reasons: [{ kind: 'adminOnly', feature: feature.key }] };
  }
  if (subject.isAdmin === true && manifest.adminsGetEverything === true)
    return { allowed: true, level: top, reasons: [{ kind: 'admin' }] };

  const rulesAt = (level: string): RoleRule[] =>
    subject.codes.flatMap((held) => grantsOf(policy, manifest, held, feature, level, request.resource));
  const asAdmin = (level: string): boolean =>
    adminRules(policy, manifest, subject, feature, level, request.resource).length > 0;
  const best = feature.levels.findLast((level) => rulesAt(level).length > 0 || asAdmin(level)) ?? null;
  const reasons = rulesAt(request.level);
  if (reasons.length > 0) return { allowed: true, level: best, reasons };
  if (asAdmin(request.level)) return { allowed: true, level: best, reasons: [{ kind: 'admin' }] };
  const denied: Rule[] = best === null ? [] : rulesAt(best);
  return {
    allowed: false,
    level: best,
    reasons: [...denied, { kind: 'noGrant', feature: feature.key, level: request.level }],
  };
}

/** The resources `subject` may use at `level` of `feature`: 'all' or the set. */
export function referenceResources(
  policy: Policy,
  manifest: Manifest,
  subject: Subject,
  featureKey: string,
  level: string,
): 'all' | Set<string> {
  const feature = featureOf(manifest, featureKey);
  if (feature === undefined || !feature.levels.includes(level)) return new Set();
  const decision = referenceDecision(policy, manifest, subject, { feature: featureKey, level });
  // An admin reason on a feature that follows roles is the implicit Administrator role, not an early answer.
  const byRoles = !feature.adminOnly && manifest.adminsGetEverything !== true;
  const early = decision.reasons.some(
    (rule) => rule.kind !== 'role' && rule.kind !== 'noGrant' && !(rule.kind === 'admin' && byRoles),
  );
  if (early) return decision.allowed ? 'all' : new Set();
  const ids = new Set<string>();
  const rules = [
    ...adminRules(policy, manifest, subject, feature, level, undefined),
    ...subject.codes.flatMap((held) => grantsOf(policy, manifest, held, feature, level, undefined)),
  ];
  for (const rule of rules) {
    if (rule.resources === null) return 'all';
    for (const id of rule.resources) ids.add(id);
  }
  return ids;
}

/** Portal admins hold the Administrator role implicitly (as in Bitrix24's CRM roles): its grants, as if assigned. */
function adminRules(
  policy: Policy,
  manifest: Manifest,
  subject: Subject,
  feature: Feature,
  level: string,
  resource: string | undefined,
): RoleRule[] {
  if (subject.isAdmin !== true) return [];
  const implicit = { ...policy, assignments: [{ code: ADMIN_HOLDER, role: 'administrator' }] };
  return grantsOf(implicit, manifest, ADMIN_HOLDER, feature, level, resource);
}

/** A code no user holds, standing for "portal admin" in adminRules. */
const ADMIN_HOLDER = 'U0';
