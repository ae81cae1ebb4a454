import type { Manifest } from '../manifest.js';
import { ALL_USERS, isAccessCode, normalizeAccessCode } from './codes.js';
import { expandGrant } from './levels.js';
import { ACCESS_MANAGE, policySchema, type Policy } from './policy.js';

/** One thing wrong with a policy; `message` names the offending code, role, feature, level or resource. */
export interface PolicyProblem {
  path: string;
  message: string;
}

/** What exists on the portal right now, when known (from the directory mirror and the app's own data). */
export interface KnownEntities {
  /** Every access code the mirror can produce (`AU` is always known). */
  codes?: ReadonlySet<string>;
  /** Resource type → ids that exist (e.g. warehouse ids). */
  resources?: ReadonlyMap<string, ReadonlySet<string>>;
}

function checkCode(code: string, path: string, known: KnownEntities, problems: PolicyProblem[]): void {
  if (!isAccessCode(code)) problems.push({ path, message: `${code} is not an access code Keycard understands` });
  else if (known.codes !== undefined && code !== ALL_USERS && !known.codes.has(code)) {
    problems.push({ path, message: `access code ${code} names no user, department or workgroup in the directory` });
  }
}

function crossCheck(policy: Policy, manifest: Manifest, known: KnownEntities): PolicyProblem[] {
  const problems: PolicyProblem[] = [];
  const features = new Map(manifest.features.map((feature) => [feature.key, feature]));
  const roleKeys = new Set<string>();
  for (const list of ['allowList', 'delegates'] as const) {
    const seen = new Set<string>();
    policy[list].forEach((code, i) => {
      checkCode(code, `${list}.${i}`, known, problems);
      if (seen.has(code)) problems.push({ path: `${list}.${i}`, message: `${code} is listed twice` });
      seen.add(code);
    });
  }

  const titles = new Map<string, number>();
  policy.roles.forEach((role, r) => {
    // Two roles of one name cannot be told apart in the matrix, the assignments or the audit log.
    const title = role.title.trim().toLocaleLowerCase();
    const first = titles.get(title);
    if (first === undefined) titles.set(title, r);
    else
      problems.push({
        path: `roles.${r}.title`,
        message: `role name ${role.title} is used twice`,
      });
    if (roleKeys.has(role.key))
      problems.push({ path: `roles.${r}.key`, message: `role key ${role.key} is used twice` });
    roleKeys.add(role.key);
    if (role.builtIn && !manifest.roles.some((builtIn) => builtIn.key === role.key)) {
      problems.push({
        path: `roles.${r}.builtIn`,
        message: `role ${role.key} is marked built-in but the manifest has no such role`,
      });
    }
    for (const [featureKey, grant] of Object.entries(role.grants)) {
      const path = `roles.${r}.grants.${featureKey}`;
      const feature = features.get(featureKey);
      if (feature === undefined) {
        const why = featureKey === ACCESS_MANAGE ? ' (access.manage is delegated, not granted by roles)' : '';
        problems.push({ path, message: `role ${role.key} grants unknown feature ${featureKey}${why}` });
        continue;
      }
      if (!feature.levels.includes(grant.level)) {
        problems.push({
          path: `${path}.level`,
          message: `role ${role.key} grants ${featureKey} at level ${grant.level}, which it does not have`,
        });
        continue;
      }
      const expanded = expandGrant(manifest, feature.levels, grant.level);
      if (!expanded.ok) {
        problems.push({
          path: `${path}.level`,
          message: `role ${role.key} grants ${featureKey} at level ${grant.level}, which requires ${expanded.missing} that ${featureKey} does not offer`,
        });
      }
      if (grant.resources === undefined) continue;
      if (feature.resource === undefined) {
        problems.push({
          path: `${path}.resources`,
          message: `role ${role.key} limits ${featureKey} to resources, but ${featureKey} has none`,
        });
        continue;
      }
      if (grant.resources.length === 0) {
        // "Limited to no warehouse" gives nothing: the admin meant to remove the grant or forgot to pick.
        problems.push({
          path: `${path}.resources`,
          message: `role ${role.key} limits ${featureKey} to no ${feature.resource}: choose at least one, or remove the grant`,
        });
        continue;
      }
      const existing = known.resources?.get(feature.resource);
      for (const id of grant.resources) {
        if (existing !== undefined && !existing.has(id)) {
          problems.push({
            path: `${path}.resources`,
            message: `role ${role.key} limits ${featureKey} to unknown ${feature.resource} ${id}`,
          });
        }
      }
    }
  });
  for (const builtIn of manifest.roles) {
    if (!policy.roles.some((role) => role.key === builtIn.key && role.builtIn)) {
      problems.push({ path: 'roles', message: `built-in role ${builtIn.key} is missing` });
    }
  }

  (policy.companyRoles ?? []).forEach((role, i) => {
    if (!roleKeys.has(role))
      problems.push({ path: `companyRoles.${i}`, message: `the company default names unknown role ${role}` });
  });

  const pairs = new Set<string>();
  policy.assignments.forEach((assignment, i) => {
    checkCode(assignment.code, `assignments.${i}.code`, known, problems);
    if (!roleKeys.has(assignment.role))
      problems.push({
        path: `assignments.${i}.role`,
        message: `${assignment.code} is assigned unknown role ${assignment.role}`,
      });
    const pair = `${assignment.code} ${assignment.role}`;
    if (pairs.has(pair))
      problems.push({
        path: `assignments.${i}`,
        message: `${assignment.code} is assigned role ${assignment.role} twice`,
      });
    pairs.add(pair);
  });
  return problems;
}

/** Parses a stored or submitted policy and checks it against the manifest (and the directory, if given). */
export function parsePolicy(
  raw: unknown,
  manifest: Manifest,
  known: KnownEntities = {},
): { ok: true; policy: Policy } | { ok: false; problems: PolicyProblem[] } {
  const parsed = policySchema.safeParse(raw);
  if (!parsed.success) {
    return {
      ok: false,
      problems: parsed.error.issues.map((issue) => ({
        path: issue.path.join('.') || 'policy',
        message: issue.message,
      })),
    };
  }
  const policy = withNormalizedCodes(parsed.data);
  const problems = crossCheck(policy, manifest, known);
  return problems.length === 0 ? { ok: true, policy } : { ok: false, problems };
}

/** Every code as rules store it (a plain workgroup code means all its members: `SG5` → `SG5_K`). */
function withNormalizedCodes(policy: Policy): Policy {
  return {
    ...policy,
    allowList: policy.allowList.map(normalizeAccessCode),
    delegates: policy.delegates.map(normalizeAccessCode),
    assignments: policy.assignments.map((assignment) => ({
      ...assignment,
      code: normalizeAccessCode(assignment.code),
    })),
  };
}

/** Every problem with `raw` as a policy, all at once (empty = valid). */
export function validatePolicy(raw: unknown, manifest: Manifest, known: KnownEntities = {}): PolicyProblem[] {
  const result = parsePolicy(raw, manifest, known);
  return result.ok ? [] : result.problems;
}
