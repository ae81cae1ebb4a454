import type { AccessIndex } from './access-index.js';
import type { RoleRule } from './rules.js';

/**
 * Permission conflicts, as Bitrix24's CRM settings warn about: one user reached by several rules that give
 * different levels of the same feature (say, read for the department and edit personally). Nothing is
 * wrong with the decision — the most permissive wins — but the admin should see it.
 * Follows Bitrix24 help "Access Permissions in CRM" ("Try to avoid permission conflict").
 */
export interface Conflict {
  userId: number;
  feature: string;
  /** The level that wins (most permissive among the rules). */
  level: string;
  /** Every rule reaching the user for this feature, in policy order. */
  rules: RoleRule[];
}

/** Conflicts for each user (anything with `userId` and `codes`, e.g. from `accessCodes`). O(users × codes). */
export function conflicts(
  index: AccessIndex,
  users: Iterable<{ userId: number; codes: readonly string[] }>,
): Conflict[] {
  const found: Conflict[] = [];
  for (const user of users) {
    let byFeature: Map<string, RoleRule[]> | null = null;
    for (const code of user.codes) {
      const rules = index.rulesByCode.get(code);
      if (rules === undefined) continue;
      byFeature ??= new Map();
      for (const rule of rules) {
        const list = byFeature.get(rule.feature);
        if (list === undefined) byFeature.set(rule.feature, [rule]);
        else list.push(rule);
      }
    }
    if (byFeature === null) continue;
    for (const [featureKey, rules] of byFeature) {
      const distinct = new Set(rules.map((rule) => rule.level));
      const feature = index.features.get(featureKey);
      if (distinct.size < 2 || feature === undefined) continue;
      const level = feature.levels.filter((item) => distinct.has(item)).at(-1) ?? rules[0]?.level ?? '';
      found.push({ userId: user.userId, feature: featureKey, level, rules });
    }
  }
  return found;
}
