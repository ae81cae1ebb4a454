import type { AccessIndex } from './access-index.js';
import type { RoleRule } from './rules.js';

/**
 * Permission conflicts, as Bitrix24's CRM settings warn about ("minimum permissions are set for the department,
 * and maximum permissions for the employee personally"): rules that give one person different levels of a
 * feature where the outcome surprises. The most permissive level wins, so a rule aimed *more narrowly* at a
 * person (personally, at their department, at a workgroup's owner) that gives *less* than a broader rule does
 * nothing for them — the admin meant to restrict them and did not. The opposite case, a narrower rule giving
 * more (an elevated role on top of the default role of everyone), is what the admin asked for and is not
 * reported; neither are rules of the same breadth (two departments a person belongs to).
 * Follows Bitrix24 help "Access Permissions in CRM" ("Try to avoid permission conflict").
 */

/** Whether access code `a` reaches, for this person, a strict subset of whom `b` reaches (e.g. `U5` ⊂ `D3` ⊂ `AU`). */
export type Narrower = (a: string, b: string) => boolean;

/** One pair of rules in conflict and how many people it affects. */
export interface ConflictGroup {
  feature: string;
  /** The narrower rule whose lower level does not take effect. */
  overridden: RoleRule;
  /** The broader rule whose higher level wins (the first such rule in policy order). */
  winner: RoleRule;
  /** People the pair affects. */
  count: number;
  /** The first few of them (user ids), for the admin to check one. */
  sample: number[];
}

/** At most this many users are named per group. */
const SAMPLE = 3;

/**
 * Conflicting rule pairs over `users` (anything with `userId` and `codes`, e.g. from `accessCodes`), most people
 * first. O(users × codes × rules per feature²); the rule lists per user and feature are short.
 */
export function conflicts(
  index: AccessIndex,
  users: Iterable<{ userId: number; codes: readonly string[] }>,
  narrower: Narrower,
): { groups: ConflictGroup[]; people: number } {
  const groups = new Map<RoleRule, Map<RoleRule, ConflictGroup>>();
  let people = 0;
  const byFeature = new Map<string, RoleRule[]>();
  for (const user of users) {
    byFeature.clear();
    for (const code of user.codes) {
      const rules = index.rulesByCode.get(code);
      if (rules === undefined) continue;
      for (const rule of rules) {
        const list = byFeature.get(rule.feature);
        if (list === undefined) byFeature.set(rule.feature, [rule]);
        else list.push(rule);
      }
    }
    let affected = false;
    for (const [featureKey, rules] of byFeature) {
      if (rules.length < 2) continue;
      const feature = index.features.get(featureKey);
      if (feature === undefined) continue;
      const rank = (rule: RoleRule) => feature.levels.indexOf(rule.level);
      for (const overridden of rules) {
        const winner = rules.find(
          (other) =>
            rank(other) > rank(overridden) && overlaps(other, overridden) && narrower(overridden.code, other.code),
        );
        if (winner === undefined) continue;
        affected = true;
        let byWinner = groups.get(overridden);
        if (byWinner === undefined) groups.set(overridden, (byWinner = new Map()));
        const group = byWinner.get(winner);
        if (group === undefined) {
          byWinner.set(winner, { feature: featureKey, overridden, winner, count: 1, sample: [user.userId] });
        } else {
          group.count += 1;
          if (group.sample.length < SAMPLE) group.sample.push(user.userId);
        }
      }
    }
    if (affected) people += 1;
  }
  const all = [...groups.values()].flatMap((byWinner) => [...byWinner.values()]);
  all.sort((a, b) => b.count - a.count);
  return { groups: all, people };
}

/** Whether the winner's level applies to some of the resources the overridden rule covers. */
function overlaps(winner: RoleRule, overridden: RoleRule): boolean {
  if (winner.resources === null || overridden.resources === null) return true;
  return winner.resources.some((resource) => overridden.resources?.includes(resource) === true);
}
