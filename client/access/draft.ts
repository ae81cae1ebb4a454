import type { AccessManifest, Assignment, Grant, Policy, Role } from '../api/accessSchemas';
import { topOfferedLevel } from '../../common/levels';

/*
 * The policy as the admin edits it before Save. Every operation is a pure function returning a new
 * draft, so the editor can compare it with what the server has, and a failed save loses nothing.
 */

/** What PUT /api/access/policy takes: the policy without its version. */
export interface PolicyDraft {
  allowList: string[];
  roles: Role[];
  assignments: Assignment[];
  delegates: string[];
}

/** The two plain lists of codes. */
export type CodeListKey = 'allowList' | 'delegates';

/** A deep copy of a policy's editable part. */
export function draftOf(policy: Policy | PolicyDraft): PolicyDraft {
  return {
    allowList: [...policy.allowList],
    roles: policy.roles.map((role) => ({ ...role, grants: copyGrants(role.grants) })),
    assignments: policy.assignments.map((assignment) => ({ ...assignment })),
    delegates: [...policy.delegates],
  };
}

function copyGrants(grants: Record<string, Grant>): Record<string, Grant> {
  return Object.fromEntries(Object.entries(grants).map(([feature, grant]) => [feature, copyGrant(grant)]));
}

function copyGrant(grant: Grant): Grant {
  return grant.resources === undefined
    ? { level: grant.level }
    : { level: grant.level, resources: [...grant.resources] };
}

/** A grant in one canonical form (sorted resources), for comparing. */
export function grantKey(grant: Grant | undefined): string {
  if (grant === undefined) return '';
  return JSON.stringify([grant.level, grant.resources === undefined ? null : [...grant.resources].sort()]);
}

function roleKey(role: Role): string {
  const grants = Object.keys(role.grants)
    .sort()
    .map((feature) => [feature, grantKey(role.grants[feature])]);
  return JSON.stringify([role.key, role.title, role.builtIn, grants]);
}

/** Whether two drafts would save the same policy (grant order and resource order do not matter). */
export function sameDraft(a: PolicyDraft, b: PolicyDraft): boolean {
  const canonical = (draft: PolicyDraft) =>
    JSON.stringify([
      draft.allowList,
      draft.roles.map(roleKey),
      draft.assignments.map((item) => [item.code, item.role]),
      draft.delegates,
    ]);
  return canonical(a) === canonical(b);
}

/** Appends the codes the list does not hold yet. */
export function addCodes(draft: PolicyDraft, list: CodeListKey, codes: readonly string[]): PolicyDraft {
  const next = [...draft[list]];
  for (const code of codes) if (!next.includes(code)) next.push(code);
  return { ...draft, [list]: next };
}

export function removeCode(draft: PolicyDraft, list: CodeListKey, code: string): PolicyDraft {
  return { ...draft, [list]: draft[list].filter((item) => item !== code) };
}

function mapRole(draft: PolicyDraft, key: string, change: (role: Role) => Role): PolicyDraft {
  return { ...draft, roles: draft.roles.map((role) => (role.key === key ? change(role) : role)) };
}

/** Sets (or, with `null`, removes) a role's grant on a feature. */
export function setGrant(draft: PolicyDraft, roleKey: string, feature: string, grant: Grant | null): PolicyDraft {
  return mapRole(draft, roleKey, (role) => {
    const grants = { ...role.grants };
    if (grant === null) delete grants[feature];
    else grants[feature] = copyGrant(grant);
    return { ...role, grants };
  });
}

/** A key no role of the draft uses; random, so two admins adding roles at once do not collide. */
export function newRoleKey(draft: PolicyDraft, random: () => number = Math.random): string {
  for (;;) {
    const key = `role-${Math.floor(random() * 36 ** 6)
      .toString(36)
      .padStart(6, '0')}`;
    if (!draft.roles.some((role) => role.key === key)) return key;
  }
}

export function addRole(draft: PolicyDraft, key: string, title: string): PolicyDraft {
  return { ...draft, roles: [...draft.roles, { key, title, builtIn: false, grants: {} }] };
}

/**
 * A new role with the source's permissions, right after it (Bitrix24's "Copy role"); assignments are not copied.
 * Only what the matrix shows is copied: grants of features the manifest has and roles decide (not admin-only
 * ones), limited to resources that still exist — nothing the admin cannot see comes along.
 */
export function copyRole(
  draft: PolicyDraft,
  sourceKey: string,
  key: string,
  title: string,
  manifest: AccessManifest,
): PolicyDraft {
  const index = draft.roles.findIndex((role) => role.key === sourceKey);
  const source = draft.roles[index];
  if (source === undefined) return draft;
  const grants: Record<string, Grant> = {};
  for (const feature of manifest.features) {
    const grant = source.grants[feature.key];
    if (grant === undefined || feature.adminOnly) continue;
    const existing = manifest.resourceTypes.find((type) => type.key === feature.resource)?.resources;
    grants[feature.key] =
      grant.resources === undefined || existing === undefined
        ? copyGrant(grant)
        : { level: grant.level, resources: grant.resources.filter((id) => existing.some((item) => item.id === id)) };
  }
  const roles = [...draft.roles];
  roles.splice(index + 1, 0, { key, title, builtIn: false, grants });
  return { ...draft, roles };
}

/** Role names compare without case and surrounding spaces (the server refuses two roles of one name). */
export function sameTitle(a: string, b: string): boolean {
  return a.trim().toLocaleLowerCase() === b.trim().toLocaleLowerCase();
}

/** Whether a role other than `key` is called `title`. */
export function titleTaken(draft: PolicyDraft, key: string, title: string): boolean {
  return draft.roles.some((role) => role.key !== key && sameTitle(role.title, title));
}

/** `first` if no role has that name, else `numbered(2)`, `numbered(3)`, … whichever is free. */
export function freeTitle(draft: PolicyDraft, first: string, numbered: (n: number) => string): string {
  if (!titleTaken(draft, '', first)) return first;
  for (let n = 2; ; n += 1) if (!titleTaken(draft, '', numbered(n))) return numbered(n);
}

export function renameRole(draft: PolicyDraft, key: string, title: string): PolicyDraft {
  return mapRole(draft, key, (role) => ({ ...role, title }));
}

/** Deletes a role with its assignments; built-in roles stay (the server refuses to lose them). */
export function deleteRole(draft: PolicyDraft, key: string): PolicyDraft {
  if (draft.roles.some((role) => role.key === key && role.builtIn)) return draft;
  return {
    ...draft,
    roles: draft.roles.filter((role) => role.key !== key),
    assignments: draft.assignments.filter((assignment) => assignment.role !== key),
  };
}

/**
 * "Select all permissions": the top level on every feature a role can grant, on all resources.
 * Admin-only features are left as they are: roles do not decide them.
 */
export function selectAll(draft: PolicyDraft, key: string, manifest: AccessManifest): PolicyDraft {
  return mapRole(draft, key, (role) => {
    const grants = { ...role.grants };
    for (const feature of manifest.features) {
      if (feature.adminOnly) continue;
      const top = topOfferedLevel(manifest, feature);
      if (top !== null) grants[feature.key] = { level: top };
    }
    return { ...role, grants };
  });
}

/** "Unselect all permissions": no grant on any feature a role decides. */
export function unselectAll(draft: PolicyDraft, key: string, manifest: AccessManifest): PolicyDraft {
  return mapRole(draft, key, (role) => {
    const grants = { ...role.grants };
    for (const feature of manifest.features) if (!feature.adminOnly) delete grants[feature.key];
    return { ...role, grants };
  });
}

/** Assigns a role to the codes that do not hold it yet. */
export function assignRole(draft: PolicyDraft, roleKey: string, codes: readonly string[]): PolicyDraft {
  const assignments = [...draft.assignments];
  for (const code of codes) {
    if (!assignments.some((item) => item.code === code && item.role === roleKey))
      assignments.push({ code, role: roleKey });
  }
  return { ...draft, assignments };
}

export function unassignRole(draft: PolicyDraft, roleKey: string, code: string): PolicyDraft {
  return { ...draft, assignments: draft.assignments.filter((item) => !(item.code === code && item.role === roleKey)) };
}
