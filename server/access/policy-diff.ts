import type { Grant, Policy } from './policy.js';

/**
 * What one save changed, as the audit log records it: one entry per added or removed code, role, grant
 * or assignment, with the before and after values. Pure; computed from the two policy documents.
 */
export type PolicyChange =
  | { kind: 'allowList' | 'delegates'; action: 'added' | 'removed'; code: string }
  | { kind: 'role'; action: 'added' | 'removed'; role: string; title: string }
  | { kind: 'role'; action: 'renamed'; role: string; before: string; after: string }
  | { kind: 'grant'; role: string; title: string; feature: string; before: Grant | null; after: Grant | null }
  | { kind: 'assignment'; action: 'added' | 'removed'; code: string; role: string; title: string };

/** The body of a policy without its version (what a save submits). */
export type PolicyContent = Omit<Policy, 'version'>;

function codeChanges(
  kind: 'allowList' | 'delegates',
  before: readonly string[],
  after: readonly string[],
): PolicyChange[] {
  const was = new Set(before);
  const now = new Set(after);
  return [
    ...after.filter((code) => !was.has(code)).map((code) => ({ kind, action: 'added' as const, code })),
    ...before.filter((code) => !now.has(code)).map((code) => ({ kind, action: 'removed' as const, code })),
  ];
}

function sameGrant(a: Grant | undefined, b: Grant | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  const left = a.resources === undefined ? undefined : [...a.resources].sort().join('\u0000');
  const right = b.resources === undefined ? undefined : [...b.resources].sort().join('\u0000');
  return a.level === b.level && left === right;
}

function roleChanges(before: PolicyContent['roles'], after: PolicyContent['roles']): PolicyChange[] {
  const changes: PolicyChange[] = [];
  const was = new Map(before.map((role) => [role.key, role]));
  const now = new Map(after.map((role) => [role.key, role]));
  for (const role of after) {
    const old = was.get(role.key);
    if (old === undefined) {
      changes.push({ kind: 'role', action: 'added', role: role.key, title: role.title });
    } else if (old.title !== role.title) {
      changes.push({ kind: 'role', action: 'renamed', role: role.key, before: old.title, after: role.title });
    }
    const features = new Set([...Object.keys(old?.grants ?? {}), ...Object.keys(role.grants)]);
    for (const feature of features) {
      const previous = old?.grants[feature];
      const next = role.grants[feature];
      if (sameGrant(previous, next)) continue;
      changes.push({
        kind: 'grant',
        role: role.key,
        title: role.title,
        feature,
        before: previous ?? null,
        after: next ?? null,
      });
    }
  }
  for (const role of before) {
    if (now.has(role.key)) continue;
    changes.push({ kind: 'role', action: 'removed', role: role.key, title: role.title });
    // What the role granted goes with it; the log keeps the "before".
    for (const [feature, grant] of Object.entries(role.grants)) {
      changes.push({ kind: 'grant', role: role.key, title: role.title, feature, before: grant, after: null });
    }
  }
  return changes;
}

function assignmentChanges(before: PolicyContent, after: PolicyContent): PolicyChange[] {
  const pair = (assignment: { code: string; role: string }) => `${assignment.code}\u0000${assignment.role}`;
  const was = new Set(before.assignments.map(pair));
  const now = new Set(after.assignments.map(pair));
  const titleOf = (policy: PolicyContent, role: string) =>
    policy.roles.find((item) => item.key === role)?.title ?? role;
  return [
    ...after.assignments
      .filter((assignment) => !was.has(pair(assignment)))
      .map((assignment) => ({
        kind: 'assignment' as const,
        action: 'added' as const,
        ...assignment,
        title: titleOf(after, assignment.role),
      })),
    ...before.assignments
      .filter((assignment) => !now.has(pair(assignment)))
      .map((assignment) => ({
        kind: 'assignment' as const,
        action: 'removed' as const,
        ...assignment,
        title: titleOf(before, assignment.role),
      })),
  ];
}

/** Every change from `before` to `after`; empty when the save changes nothing. */
export function diffPolicies(before: PolicyContent, after: PolicyContent): PolicyChange[] {
  return [
    ...codeChanges('allowList', before.allowList, after.allowList),
    ...roleChanges(before.roles, after.roles),
    ...assignmentChanges(before, after),
    ...codeChanges('delegates', before.delegates, after.delegates),
  ];
}

/** The access codes a change names (for the audit log's "changes touching this code" filter). */
export function codesOf(change: PolicyChange): string[] {
  return change.kind === 'allowList' || change.kind === 'delegates' || change.kind === 'assignment'
    ? [change.code]
    : [];
}
