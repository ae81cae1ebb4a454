import { parseAccessCode, type ParsedAccessCode } from '../../common/access-codes.js';
import type { Lang } from '../manifest.js';
import { userView } from '../directory/queries.js';
import type { DirectorySnapshot } from '../directory/snapshot.js';
import { selfAndAncestors } from '../directory/user-codes.js';
import { mirroredCodes, type AccessContext } from './access-service.js';
import { codeNames, type CodeName } from './code-names.js';
import { conflicts, type Narrower } from './conflicts.js';
import type { RoleRule } from './rules.js';

/** The most rule pairs one answer lists (each is one row, however many people it affects). */
const MAX_GROUPS = 200;

/** `GET /api/access/conflicts`: pairs of rules in conflict, most people first. */
export interface ConflictReport {
  /** Rule pairs found. */
  total: number;
  /** People affected by at least one pair. */
  people: number;
  truncated: boolean;
  groups: {
    feature: string;
    overridden: RoleRule;
    winner: RoleRule;
    count: number;
    sample: { id: number; fullName: string }[];
  }[];
  names: Record<string, CodeName>;
}

/** Rule pairs where a narrower rule's lower level is overridden, on the policy and mirror of `context`. */
export function conflictReport(context: AccessContext, lang: Lang): ConflictReport {
  const { index, snapshot } = context;
  const users =
    index.rulesByCode.size === 0
      ? []
      : [...snapshot.users.values()]
          .filter((user) => user.active)
          .map((user) => ({ userId: user.id, codes: mirroredCodes(snapshot, user.id) }));
  const found = conflicts(index, users, narrowerIn(snapshot));
  const listed = found.groups.slice(0, MAX_GROUPS);
  const cited = new Set(listed.flatMap((group) => [group.overridden.code, group.winner.code]));
  return {
    total: found.groups.length,
    people: found.people,
    truncated: found.groups.length > listed.length,
    groups: listed.map((group) => ({
      ...group,
      sample: group.sample.map((id) => {
        const user = snapshot.users.get(id);
        return { id, fullName: user === undefined ? `#${id}` : userView(snapshot, user).fullName };
      }),
    })),
    names: codeNames(snapshot, cited, lang),
  };
}

/**
 * Nesting of the codes one person holds: personally ⊂ anything else ⊂ all users; a department's own members
 * ⊂ it with its sub-departments ⊂ a department above it; a workgroup's owner ⊂ its moderators ⊂ its members.
 * A department and a workgroup do not nest, nor do two departments side by side.
 */
export function narrowerIn(snapshot: DirectorySnapshot): Narrower {
  const ancestry = new Map<number, readonly number[]>();
  const above = (id: number): readonly number[] => {
    let chain = ancestry.get(id);
    if (chain === undefined) {
      chain = snapshot.departments.has(id) ? selfAndAncestors(snapshot, id) : [id];
      ancestry.set(id, chain);
    }
    return chain;
  };
  return (a, b) => {
    const narrow = parseAccessCode(a);
    const wide = parseAccessCode(b);
    if (narrow === null || wide === null || sameCode(narrow, wide)) return false;
    if (wide.kind === 'allUsers') return true;
    if (narrow.kind === 'user') return wide.kind !== 'user';
    if (wide.kind === 'departmentTree' && (narrow.kind === 'department' || narrow.kind === 'departmentTree'))
      return above(narrow.id).includes(wide.id);
    if (narrow.kind === 'group' && wide.kind === 'group' && narrow.id === wide.id)
      return GROUP_RANK[narrow.groupRole ?? 'K'] < GROUP_RANK[wide.groupRole ?? 'K'];
    return false;
  };
}

const GROUP_RANK = { A: 0, E: 1, K: 2 } as const;

function sameCode(a: ParsedAccessCode, b: ParsedAccessCode): boolean {
  if (a.kind === 'allUsers' || b.kind === 'allUsers') return a.kind === b.kind;
  if (a.kind === 'group' && b.kind === 'group') return a.id === b.id && (a.groupRole ?? 'K') === (b.groupRole ?? 'K');
  return a.kind === b.kind && a.id === b.id;
}
