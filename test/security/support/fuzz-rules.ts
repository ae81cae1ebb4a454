import type { Grant, Policy } from '../../../server/access/policy.js';
import { loadManifest } from '../../../server/manifest.js';
import { sampleWarehouses } from '../../../server/stock/sample-stock.js';
import type { FakeUser } from './fake-bitrix24.js';

/*
 * The access rules of DESIGN.md and the README, written out again for the fuzz's model (deliberately not the
 * server's evaluator: the fuzz compares the two). Only what the fuzz needs: no department tree (the fuzz never
 * runs a full sync, so the mirror holds only users fetched one by one and no departments), no workgroups.
 */

export const manifest = loadManifest('test/support/manifest-every-kind.json');

/** A policy as a save submits it and the store keeps it (without its version). */
export type PolicyContent = Omit<Policy, 'version'>;

/** A session's claims, as the model knows them. */
export interface Who {
  userId: number;
  isAdmin: boolean | null;
}

/** `SG{id}` from the access dialog means the group's members and is stored as `SG{id}_K` (README, access control). */
export function normalizeCode(code: string): string {
  return /^SG[1-9]\d*$/.test(code) ? `${code}_K` : code;
}

/**
 * The codes a user holds: a user the mirror does not know yet holds `U{id}` and `AU` (Bitrix24 has just confirmed
 * them active); a mirrored one their own codes (`IU` once in a department, `D`/`DR` of each department — the
 * fuzz's mirror has no department tree, so no ancestors); a fired one none at all.
 */
export function heldCodes(userId: number, mirrored: FakeUser | undefined): { active: boolean; codes: string[] } {
  if (mirrored === undefined) return { active: true, codes: [`U${userId}`, 'AU'] };
  if (!mirrored.active) return { active: false, codes: [] };
  const codes = [`U${userId}`];
  if (mirrored.departments.length > 0) codes.push(`IU${userId}`);
  for (const department of mirrored.departments) codes.push(`D${department}`, `DR${department}`);
  codes.push('AU');
  return { active: true, codes };
}

const listed = (list: readonly string[], codes: readonly string[]) =>
  list.some((code) => codes.includes(normalizeCode(code)));

/** The allow-list: fired never, portal admins always, everyone when it is empty, else a held code on it. */
export function mayOpen(policy: PolicyContent, who: Who, held: { active: boolean; codes: string[] }): boolean {
  if (!held.active) return false;
  if (who.isAdmin === true) return true;
  return policy.allowList.length === 0 || listed(policy.allowList, held.codes);
}

/** `access.manage`: portal admins and delegates who may open the app; an unknown admin status is a deny. */
export function mayManage(policy: PolicyContent, who: Who, held: { active: boolean; codes: string[] }): boolean {
  if (!mayOpen(policy, who, held) || who.isAdmin === null) return false;
  return who.isAdmin || listed(policy.delegates, held.codes);
}

/** The levels a grant of `level` confers: it and every level it requires; nothing if the feature lacks one. */
function conferred(featureLevels: readonly string[], level: string): string[] {
  const closure = new Set<string>();
  const stack = [level];
  while (stack.length > 0) {
    const next = stack.pop();
    if (next === undefined || closure.has(next)) continue;
    closure.add(next);
    stack.push(...(manifest.levels.find((item) => item.key === next)?.requires ?? []));
  }
  return [...closure].every((item) => featureLevels.includes(item)) ? [...closure] : [];
}

/** The built-in role portal admins hold implicitly, besides whatever their codes are assigned (issue 13). */
export const ADMIN_ROLE = 'administrator';

/**
 * The grants a user reaches for `feature` (several roles: the most permissive wins, so all are kept): those of the
 * roles assigned to their codes, and for a portal admin (`isAdmin` true, not unknown) the Administrator role's as
 * the policy has it, as in Bitrix24's CRM access permissions.
 */
function grantsFor(policy: PolicyContent, who: Who, codes: readonly string[], feature: string): Grant[] {
  const grants: Grant[] = [];
  if (who.isAdmin === true) {
    const grant = policy.roles.find((role) => role.key === ADMIN_ROLE)?.grants[feature];
    if (grant !== undefined) grants.push(grant);
  }
  for (const assignment of policy.assignments) {
    if (!codes.includes(normalizeCode(assignment.code))) continue;
    const grant = policy.roles.find((role) => role.key === assignment.role)?.grants[feature];
    if (grant !== undefined) grants.push(grant);
  }
  return grants;
}

/**
 * Whether a user holds `level` of a feature: the allow-list first; admin-only features for admins and delegates
 * (the Administrator role does not widen them); the rest by roles — a portal admin's include the Administrator role
 * (the manifest does not give admins everything). A grant limited to no resources confers nothing.
 */
export function mayUse(
  policy: PolicyContent,
  who: Who,
  held: { active: boolean; codes: string[] },
  feature: string,
  level: string,
): boolean {
  const info = manifest.features.find((item) => item.key === feature);
  if (info === undefined || !mayOpen(policy, who, held)) return false;
  if (info.adminOnly) return mayManage(policy, who, held);
  return grantsFor(policy, who, held.codes, feature).some(
    (grant) =>
      conferred(info.levels, grant.level).includes(level) &&
      !(info.resource !== undefined && grant.resources?.length === 0),
  );
}

/** The warehouses a user may see at `level` of `stock`, in catalog order. */
export function stockWarehouses(
  policy: PolicyContent,
  who: Who,
  held: { active: boolean; codes: string[] },
  level: string,
): string[] {
  if (!mayUse(policy, who, held, 'stock', level)) return [];
  const ids = new Set<string>();
  for (const grant of grantsFor(policy, who, held.codes, 'stock')) {
    if (!conferred(['read', 'edit'], grant.level).includes(level)) continue;
    if (grant.resources === undefined) return sampleWarehouses.map((warehouse) => warehouse.id);
    for (const id of grant.resources) ids.add(id);
  }
  return sampleWarehouses.map((warehouse) => warehouse.id).filter((id) => ids.has(id));
}

/**
 * A save changes nothing when every list holds the same codes, every role the same title and grants (resources
 * as sets) and the same role–code pairs are assigned: order is not a change (README: "a save that changes nothing
 * is not an entry").
 */
export function sameContent(a: PolicyContent, b: PolicyContent): boolean {
  const canonical = (policy: PolicyContent) =>
    JSON.stringify({
      allowList: [...policy.allowList].sort(),
      delegates: [...policy.delegates].sort(),
      roles: [...policy.roles]
        .sort((x, y) => x.key.localeCompare(y.key))
        .map((role) => ({
          key: role.key,
          title: role.title,
          grants: Object.entries(role.grants)
            .sort(([x], [y]) => x.localeCompare(y))
            .map(([feature, grant]) => [feature, grant.level, grant.resources?.slice().sort() ?? null]),
        })),
      assignments: policy.assignments.map((item) => `${item.code} ${item.role}`).sort(),
    });
  return canonical(a) === canonical(b);
}

/** The access codes a save added to or removed from the allow-list, the delegates and the assignments. */
export function codeChanges(before: PolicyContent, after: PolicyContent): string[] {
  const diff = (kind: string, was: readonly string[], now: readonly string[]) => [
    ...now.filter((code) => !was.includes(code)).map((code) => `${kind} added ${code}`),
    ...was.filter((code) => !now.includes(code)).map((code) => `${kind} removed ${code}`),
  ];
  const pairs = (policy: PolicyContent) => policy.assignments.map((item) => `${item.code} ${item.role}`);
  return [
    ...diff('allowList', before.allowList, after.allowList),
    ...diff('delegates', before.delegates, after.delegates),
    ...diff('assignment', pairs(before), pairs(after)),
  ].sort();
}

/** Whether two sets of delegates differ (order is not a change). */
export function delegatesChanged(before: readonly string[], after: readonly string[]): boolean {
  return [...new Set(before)].sort().join(' ') !== [...new Set(after)].sort().join(' ');
}

/**
 * A fresh install's policy (DESIGN.md, "Safe defaults"; server `freshPolicyContent`): open to everyone Bitrix24 lets
 * in, the manifest's built-in roles with their grants, no assignment (never `AU`), no delegates, and the
 * `companyDefault` roles waiting for the company structure. Stored by the installer of a fresh install, of a
 * reinstall after "clear data", and again by a reinstall over a default nobody saved over.
 *
 * The waiting roles become assignments to `DR{root}` only once the mirror knows the root departments (a finished
 * full sync); the fuzz never runs one (its mirror has no generation and no departments), so they keep waiting and
 * give nobody anything: fail closed. (The manifest the fuzz runs has no `companyDefault` role anyway.)
 */
export function freshPolicy(): PolicyContent {
  return {
    allowList: [],
    roles: builtInRoles(),
    assignments: [],
    delegates: [],
    companyRoles: manifest.roles.filter((role) => role.companyDefault === true).map((role) => role.key),
  };
}

/**
 * The policy of a portal that has none stored (server `defaultPolicy`): the legacy default of portals installed
 * before fresh installs stored theirs — the manifest's `defaultCodes` (`AU` → Manager here), no waiting roles. In
 * the fuzz, what the store answers for a portal purged by an uninstall with "clear data" until it is reinstalled.
 */
export function legacyPolicy(): PolicyContent {
  return {
    allowList: [],
    roles: builtInRoles(),
    assignments: manifest.roles.flatMap((role) => (role.defaultCodes ?? []).map((code) => ({ code, role: role.key }))),
    delegates: [],
  };
}

/** The ETag the store answers for a portal with no policy stored (version 0, no revision). */
export const LEGACY_ETAG = '"0-default"';

function builtInRoles(): PolicyContent['roles'] {
  return manifest.roles.map((role) => ({
    key: role.key,
    title: role.title.en,
    builtIn: true,
    grants: Object.fromEntries(Object.entries(role.grants).map(([feature, level]) => [feature, { level }])),
  }));
}
