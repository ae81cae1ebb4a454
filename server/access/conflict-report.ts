import type { Lang } from '../manifest.js';
import { userView } from '../directory/queries.js';
import { mirroredCodes, type AccessContext } from './access-service.js';
import { codeNames, type CodeName } from './code-names.js';
import { conflicts } from './conflicts.js';
import type { RoleRule } from './rules.js';

/** The most conflicts one answer lists (a policy of a few rules can reach tens of thousands of users). */
const MAX_CONFLICTS = 500;

export interface ConflictReport {
  total: number;
  truncated: boolean;
  conflicts: { user: { id: number; fullName: string }; feature: string; level: string; rules: RoleRule[] }[];
  names: Record<string, CodeName>;
}

/** Active users reached by rules giving different levels of a feature, on the policy and mirror of `context`. */
export function conflictReport(context: AccessContext, lang: Lang): ConflictReport {
  const { index, snapshot } = context;
  const users =
    index.rulesByCode.size === 0
      ? []
      : [...snapshot.users.values()]
          .filter((user) => user.active)
          .map((user) => ({ userId: user.id, codes: mirroredCodes(snapshot, user.id) }));
  const found = conflicts(index, users);
  const listed = found.slice(0, MAX_CONFLICTS);
  const cited = new Set(listed.flatMap((conflict) => conflict.rules.map((rule) => rule.code)));
  return {
    total: found.length,
    truncated: found.length > listed.length,
    conflicts: listed.map((conflict) => {
      const user = snapshot.users.get(conflict.userId);
      return {
        user: {
          id: conflict.userId,
          fullName: user === undefined ? `#${conflict.userId}` : userView(snapshot, user).fullName,
        },
        feature: conflict.feature,
        level: conflict.level,
        rules: conflict.rules,
      };
    }),
    names: codeNames(snapshot, cited, lang),
  };
}
