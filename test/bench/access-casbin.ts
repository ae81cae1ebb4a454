/**
 * The access policy as a node-casbin expert would model it for speed, and how a request is put to it.
 *
 * node-casbin's `privateEnforce` (coreEnforcer.js) evaluates the matcher once per `p` line whenever the matcher
 * names a `p.` field, so a role model with one policy line per (role, feature, level) pays for every line on
 * every request. This model keeps permissions in the role graph instead, and its matcher names no `p.` field:
 * one evaluation per request, a few `g()` walks of the graph.
 *
 * The graph mirrors the directory: `U{id}` → its codes (`IU`, `D`, workgroup codes, `AU`); `D{id}` → `DR{id}`;
 * `DR{child}` → `DR{parent}` (the department tree by role inheritance); `SG{id}_A` → `_E` → `_K`. Then
 * policy codes → `role:{key}` (for assignments), `@open` (allow-list) and `@delegate`; a role → the
 * permissions it grants, `{feature}:{level}` with levels already expanded (edit → read too); a
 * resource-scoped grant → `{feature}:{level}@{resource}` or `@*` for all, each → `{feature}:{level}` ("at
 * least one resource"). `@admin-only` → the admin-only features' permissions.
 *
 * The request carries the session's admin flag (`1`, `0`, `?` for unknown), which the directory does not
 * hold. A portal admin skips the allow-list; admin-only permissions go to admins and, when the admin status
 * is known, to delegates; role grants never reach them.
 */
import { normalizeAccessCode } from '../../server/access/codes.js';
import { expandGrant } from '../../server/access/levels.js';
import { ACCESS_MANAGE, type Policy } from '../../server/access/policy.js';
import type { AccessRequest } from '../../server/access/subject.js';
import { ancestors } from '../../server/directory/user-codes.js';
import type { DirectorySnapshot } from '../../server/directory/snapshot.js';
import type { Manifest } from '../../server/manifest.js';

export const CASBIN_MODEL = `
[request_definition]
r = sub, perm, wild, adm
[policy_definition]
p = sub, perm
[role_definition]
g = _, _
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = (r.adm == "1" || g(r.sub, "@open")) && (g(r.sub, r.perm) || r.wild != r.perm && g(r.sub, r.wild) || \
r.adm != "?" && g("@admin-only", r.perm) && (r.adm == "1" || g(r.sub, "@delegate")))
`;

/** Longest chain: U → D → DR × 8 → role → permission@resource → permission. */
export const CASBIN_MAX_HIERARCHY = 16;

/** The grouping lines (`g` rules) of the directory and the policy. */
export function casbinGroupings(snapshot: DirectorySnapshot, policy: Policy, manifest: Manifest): string[][] {
  const rules: string[][] = [];
  for (const department of snapshot.departments.values()) {
    rules.push([`D${department.id}`, `DR${department.id}`]);
    const [parent] = ancestors(snapshot, department.id);
    if (parent !== undefined) rules.push([`DR${department.id}`, `DR${parent}`]);
  }
  for (const group of snapshot.groups.values()) {
    rules.push([`SG${group.id}_A`, `SG${group.id}_E`], [`SG${group.id}_E`, `SG${group.id}_K`]);
  }
  for (const user of snapshot.users.values()) {
    // Fired users hold no codes: with no links they reach nothing.
    if (!user.active) continue;
    const sub = `U${user.id}`;
    rules.push([sub, 'AU']);
    if (user.departments.length > 0) rules.push([sub, `IU${user.id}`]);
    for (const department of [...user.departments, ...(snapshot.headOf.get(user.id) ?? [])])
      rules.push([sub, `D${department}`]);
    for (const [group, role] of snapshot.groupRoles.get(user.id) ?? []) rules.push([sub, `SG${group}_${role}`]);
  }

  const features = new Map(manifest.features.map((feature) => [feature.key, feature]));
  const roles = new Map(policy.roles.map((role) => [role.key, role]));
  for (const { code, role } of policy.assignments)
    if (roles.has(role)) rules.push([normalizeAccessCode(code), `role:${role}`]);
  const wildcards = new Set<string>();
  for (const role of policy.roles) {
    for (const [key, grant] of Object.entries(role.grants)) {
      const feature = features.get(key);
      if (feature === undefined || feature.adminOnly) continue;
      const expanded = expandGrant(manifest, feature.levels, grant.level);
      if (!expanded.ok) continue;
      for (const level of expanded.levels) {
        const permission = `${key}:${level}`;
        if (feature.resource === undefined) rules.push([`role:${role.key}`, permission]);
        else if (grant.resources === undefined) {
          rules.push([`role:${role.key}`, `${permission}@*`]);
          wildcards.add(permission);
        } else
          for (const resource of new Set(grant.resources)) {
            rules.push([`role:${role.key}`, `${permission}@${resource}`], [`${permission}@${resource}`, permission]);
          }
      }
    }
  }
  for (const permission of wildcards) rules.push([`${permission}@*`, permission]);
  const allowList = policy.allowList.length === 0 ? ['AU'] : policy.allowList;
  for (const code of allowList) rules.push([normalizeAccessCode(code), '@open']);
  for (const code of policy.delegates) rules.push([normalizeAccessCode(code), '@delegate']);
  const levels = manifest.levels.map((level) => level.key);
  for (const feature of [...manifest.features.filter((f) => f.adminOnly), { key: ACCESS_MANAGE, levels }])
    for (const level of feature.levels) rules.push(['@admin-only', `${feature.key}:${level}`]);
  return dedupe(rules);
}

/** A resource's permission is reachable from two grants of one role (limited and for all): one link each. */
function dedupe(rules: string[][]): string[][] {
  const seen = new Set<string>();
  return rules.filter((rule) => {
    const key = rule.join('\u0000');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Puts a request to casbin: subject, permission, its all-resources form, the session's admin flag. */
export function casbinRequester(
  manifest: Manifest,
): (userId: number, isAdmin: boolean | null, request: AccessRequest) => string[] {
  const scopedFeatures = new Set(manifest.features.filter((f) => f.resource !== undefined).map((f) => f.key));
  return (userId, isAdmin, request) => {
    const base = `${request.feature}:${request.level}`;
    // As in Keycard, a resource named on a feature that is not resource-scoped is ignored.
    const scoped = request.resource !== undefined && scopedFeatures.has(request.feature);
    const perm = scoped ? `${base}@${request.resource}` : base;
    return [`U${userId}`, perm, scoped ? `${base}@*` : perm, isAdmin === null ? '?' : isAdmin ? '1' : '0'];
  };
}
