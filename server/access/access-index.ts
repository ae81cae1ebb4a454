import type { Manifest } from '../manifest.js';
import { normalizeAccessCode } from './codes.js';
import { expandGrant } from './levels.js';
import { ACCESS_MANAGE, ADMIN_ROLE, decidedFeatures, type Grant, type Policy } from './policy.js';
import type { RoleRule, Rule } from './rules.js';

/**
 * The precomputed form of a policy that `evaluate()` reads. Built once per (policy, manifest) version, in
 * O(assignments × grants × levels); a decision then costs one map lookup per access code the user holds, which
 * answers the allow-list, the delegation and the roles at once.
 */

/** What one access code holds at one level of one feature, merged over all its role assignments. */
export interface LevelGrant {
  /** Some grant covers every resource (or the feature is not resource-scoped). */
  all: boolean;
  /** Union of the resources granted when `all` is false. */
  resources: Set<string>;
  /** The assignments conferring this level. */
  rules: RoleRule[];
}

/** Everything the policy gives one access code. */
export interface CodeGrants {
  /** The allow-list entry citing this code, if any. */
  allowList: Rule | undefined;
  /** The delegation of `access.manage` citing this code, if any. */
  delegate: Rule | undefined;
  /** Feature → per global level index, what the code holds. */
  features: ReadonlyMap<string, readonly (LevelGrant | undefined)[]>;
}

/** A feature as the evaluator sees it. */
export interface FeatureInfo {
  key: string;
  /** The feature's levels in manifest order (later = more permissive); index into `levels` of the index. */
  levels: readonly string[];
  /** Global level index → position in the feature's order, or -1 if the feature does not offer it. */
  rank: readonly number[];
  adminOnly: boolean;
  /** Resource type, or null if the feature is not resource-scoped. */
  resource: string | null;
  /** Where the feature's requests start in a numbering of (feature, level) pairs: `slot + ` global level index. */
  slot: number;
}

export interface AccessIndex {
  version: number;
  /** Global level key → index. */
  levelIndex: ReadonlyMap<string, number>;
  levels: readonly string[];
  features: ReadonlyMap<string, FeatureInfo>;
  adminsGetEverything: boolean;
  allowListEmpty: boolean;
  /** Code (as users hold it) → what the policy gives it; rules are prebuilt so deciding allocates nothing for them. */
  byCode: ReadonlyMap<string, CodeGrants>;
  /** Code → every role rule assigned to it (for conflicts and explanations). */
  rulesByCode: ReadonlyMap<string, readonly RoleRule[]>;
  /**
   * What the Administrator role gives, per feature and global level index: portal admins hold it implicitly, as
   * in Bitrix24's CRM access permissions (the role as the policy has it; its `rules` stay empty, the decision
   * cites `admin`).
   */
  adminGrants: ReadonlyMap<string, readonly (LevelGrant | undefined)[]>;
}

type Features = Map<string, (LevelGrant | undefined)[]>;

function featureInfos(manifest: Manifest, levels: readonly string[]): Map<string, FeatureInfo> {
  const infos = new Map<string, FeatureInfo>();
  const info = (key: string, offered: readonly string[], adminOnly: boolean, resource: string | null): FeatureInfo => {
    const ordered = levels.filter((level) => offered.includes(level));
    const rank = levels.map((level) => ordered.indexOf(level));
    return { key, levels: ordered, rank, adminOnly, resource, slot: infos.size * levels.length };
  };
  for (const feature of manifest.features) {
    infos.set(feature.key, info(feature.key, feature.levels, feature.adminOnly, feature.resource ?? null));
  }
  // access.manage is all-or-nothing: every manifest level, admins and delegates only.
  infos.set(ACCESS_MANAGE, info(ACCESS_MANAGE, levels, true, null));
  return infos;
}

/**
 * What portal admins hold through the built-in Administrator role: the stored role's grants, plus the manifest's
 * Administrator grant of every feature the policy predates — a portal whose policy was saved before an app update
 * added a feature (`group_access`, say) must not hide that feature from its admins. A feature the policy decided
 * (`decidedFeatures`) is read as stored: an admin who set it to "no access" keeps that. Employees get a new feature
 * only when an admin grants it (their roles are read as stored).
 */
function adminRoleGrants(policy: Policy, manifest: Manifest): Record<string, Grant> {
  const stored = policy.roles.find((role) => role.key === ADMIN_ROLE)?.grants ?? {};
  const shipped = manifest.roles.find((role) => role.key === ADMIN_ROLE)?.grants ?? {};
  const known = decidedFeatures(policy);
  const grants: Record<string, Grant> = { ...stored };
  for (const [feature, level] of Object.entries(shipped))
    if (!(feature in grants) && !known.has(feature)) grants[feature] = { level };
  return grants;
}

/**
 * Builds the index. Tolerant of references the manifest no longer has (a feature removed in an app update):
 * they are skipped, never granted; `validatePolicy` is where they are reported.
 */
export function buildIndex(policy: Policy, manifest: Manifest): AccessIndex {
  const levels = manifest.levels.map((level) => level.key);
  const levelIndex = new Map(levels.map((level, i) => [level, i]));
  const features = featureInfos(manifest, levels);
  const roles = new Map(policy.roles.map((role) => [role.key, role]));

  const byCode = new Map<string, { allowList: Rule | undefined; delegate: Rule | undefined; features: Features }>();
  const grantsOf = (held: string) => {
    let grants = byCode.get(held);
    if (grants === undefined)
      byCode.set(held, (grants = { allowList: undefined, delegate: undefined, features: new Map() }));
    return grants;
  };
  // A later entry citing the same held code replaces an earlier one.
  for (const code of policy.allowList)
    grantsOf(normalizeAccessCode(code)).allowList = Object.freeze({ kind: 'allowList', code });
  for (const code of policy.delegates)
    grantsOf(normalizeAccessCode(code)).delegate = Object.freeze({ kind: 'delegate', code });
  const rulesByCode = new Map<string, RoleRule[]>();
  for (const assignment of policy.assignments) {
    const role = roles.get(assignment.role);
    if (role === undefined) continue;
    for (const [featureKey, grant] of Object.entries(role.grants)) {
      const feature = features.get(featureKey);
      if (feature === undefined || featureKey === ACCESS_MANAGE) continue;
      const expanded = expandGrant(manifest, feature.levels, grant.level);
      if (!expanded.ok) continue;
      const scoped = feature.resource !== null && grant.resources !== undefined;
      if (scoped && grant.resources?.length === 0) continue; // limited to nothing: confers nothing
      const rule: RoleRule = Object.freeze({
        kind: 'role',
        code: assignment.code,
        role: role.key,
        roleTitle: role.title,
        feature: featureKey,
        level: grant.level,
        resources: scoped ? Object.freeze([...(grant.resources ?? [])]) : null,
      });
      // Keyed by the code users hold: a policy saved before plain `SG{id}` was stored as `SG{id}_K` still works.
      const held = normalizeAccessCode(assignment.code);
      const codeRules = rulesByCode.get(held) ?? [];
      codeRules.push(rule);
      rulesByCode.set(held, codeRules);

      const codeFeatures = grantsOf(held).features;
      let perLevel = codeFeatures.get(featureKey);
      if (perLevel === undefined) codeFeatures.set(featureKey, (perLevel = levels.map(() => undefined)));
      for (const level of expanded.levels) {
        const at = levelIndex.get(level);
        if (at === undefined) continue;
        const grantAt = perLevel[at] ?? { all: false, resources: new Set<string>(), rules: [] };
        perLevel[at] = grantAt;
        grantAt.rules.push(rule);
        if (rule.resources === null) grantAt.all = true;
        else for (const resource of rule.resources) grantAt.resources.add(resource);
      }
    }
  }

  const adminGrants: Features = new Map();
  for (const [featureKey, grant] of Object.entries(adminRoleGrants(policy, manifest))) {
    const feature = features.get(featureKey);
    if (feature === undefined || feature.adminOnly) continue;
    const expanded = expandGrant(manifest, feature.levels, grant.level);
    if (!expanded.ok) continue;
    const all = feature.resource === null || grant.resources === undefined;
    if (!all && grant.resources?.length === 0) continue; // limited to nothing: confers nothing
    const perLevel: (LevelGrant | undefined)[] = levels.map(() => undefined);
    for (const level of expanded.levels) {
      const at = levelIndex.get(level);
      if (at !== undefined) perLevel[at] = { all, resources: new Set(all ? [] : grant.resources), rules: [] };
    }
    adminGrants.set(featureKey, perLevel);
  }

  return {
    version: policy.version,
    adminGrants,
    levelIndex,
    levels,
    features,
    adminsGetEverything: manifest.adminsGetEverything === true,
    allowListEmpty: policy.allowList.length === 0,
    byCode,
    rulesByCode,
  };
}
