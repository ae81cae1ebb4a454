import type { Assignment, Role } from '../api/accessSchemas';
import { draftOf, grantKey, type PolicyDraft } from './draft';

/*
 * After a 409 the admin's draft was made on a policy that is no longer current. Instead of asking them
 * to redo their work, their changes (draft − base) are replayed on top of what the other admin saved
 * (theirs): additions and removals of codes and assignments, added and deleted roles, renamed roles,
 * and each grant they changed. Where both changed the same grant, theirs is replaced by the admin's own,
 * who then reviews the result and saves again.
 */

function replayList(base: readonly string[], mine: readonly string[], theirs: readonly string[]): string[] {
  const removed = new Set(base.filter((code) => !mine.includes(code)));
  const result = theirs.filter((code) => !removed.has(code));
  for (const code of mine) if (!base.includes(code) && !result.includes(code)) result.push(code);
  return result;
}

const pair = (assignment: Assignment) => `${assignment.code}\u0000${assignment.role}`;

function replayAssignments(
  base: readonly Assignment[],
  mine: readonly Assignment[],
  theirs: readonly Assignment[],
): Assignment[] {
  const minePairs = new Set(mine.map(pair));
  const basePairs = new Set(base.map(pair));
  const removed = new Set(base.map(pair).filter((key) => !minePairs.has(key)));
  const result = theirs.filter((item) => !removed.has(pair(item)));
  const resultPairs = new Set(result.map(pair));
  for (const item of mine) if (!basePairs.has(pair(item)) && !resultPairs.has(pair(item))) result.push({ ...item });
  return result;
}

function roleChanged(base: Role, mine: Role): boolean {
  if (base.title !== mine.title) return true;
  const features = new Set([...Object.keys(base.grants), ...Object.keys(mine.grants)]);
  return [...features].some((feature) => grantKey(base.grants[feature]) !== grantKey(mine.grants[feature]));
}

/** `target` with the title and grants `mine` changed relative to `base`. */
function replayRole(base: Role, mine: Role, target: Role): Role {
  const grants = { ...target.grants };
  const features = new Set([...Object.keys(base.grants), ...Object.keys(mine.grants)]);
  for (const feature of features) {
    const before = base.grants[feature];
    const after = mine.grants[feature];
    if (grantKey(before) === grantKey(after)) continue;
    if (after === undefined) delete grants[feature];
    else grants[feature] = after;
  }
  return { ...target, title: base.title === mine.title ? target.title : mine.title, grants };
}

function replayRoles(base: readonly Role[], mine: readonly Role[], theirs: readonly Role[]): Role[] {
  const baseByKey = new Map(base.map((role) => [role.key, role]));
  const mineByKey = new Map(mine.map((role) => [role.key, role]));
  const result: Role[] = [];
  for (const role of theirs) {
    const before = baseByKey.get(role.key);
    const after = mineByKey.get(role.key);
    if (before !== undefined && after === undefined && !role.builtIn) continue; // deleted by me
    result.push(before !== undefined && after !== undefined ? replayRole(before, after, role) : role);
  }
  for (const role of mine) {
    if (result.some((kept) => kept.key === role.key)) continue;
    const before = baseByKey.get(role.key);
    // Added by me, or changed by me after they deleted it: my version comes back.
    if (before === undefined || roleChanged(before, role)) result.push(role);
  }
  return result;
}

/** The admin's changes from `base` to `mine`, applied on top of `theirs`. */
export function rebaseDraft(base: PolicyDraft, mine: PolicyDraft, theirs: PolicyDraft): PolicyDraft {
  const roles = replayRoles(base.roles, mine.roles, theirs.roles);
  const roleKeys = new Set(roles.map((role) => role.key));
  return draftOf({
    allowList: replayList(base.allowList, mine.allowList, theirs.allowList),
    roles,
    // An assignment to a role that no longer exists would only be refused on Save.
    assignments: replayAssignments(base.assignments, mine.assignments, theirs.assignments).filter((item) =>
      roleKeys.has(item.role),
    ),
    delegates: replayList(base.delegates, mine.delegates, theirs.delegates),
  });
}
