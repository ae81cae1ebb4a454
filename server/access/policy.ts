import { z } from 'zod';
import type { Lang, Manifest } from '../manifest.js';

/**
 * The access policy of one portal, stored as one document (so a save is one compare-and-swap on `version`).
 * Everything refers to the manifest by key and to people by Bitrix24 access code.
 */

const key = z.string().min(1).max(100);
const code = z.string().min(1).max(40);

/** A role's grant for one feature: the highest level it gives and, for resource-scoped features, which resources. */
export const grantSchema = z.object({
  level: key,
  /** Resource ids (e.g. warehouse ids) the level is limited to; absent = all resources of the feature's type. */
  resources: z.array(z.string().min(1).max(100)).optional(),
});

export const roleSchema = z.object({
  key,
  title: z.string().trim().min(1).max(200),
  /** Built-in roles (from the manifest) can be edited but not deleted. */
  builtIn: z.boolean(),
  grants: z.record(key, grantSchema),
});

export const policySchema = z.object({
  /** Codes that may open the app; empty = everyone Bitrix24 lets in. */
  allowList: z.array(code),
  roles: z.array(roleSchema),
  /** Which role each code holds; a code may hold several roles. */
  assignments: z.array(z.object({ code, role: key })),
  /** Codes an admin delegated the built-in `access.manage` to. */
  delegates: z.array(code),
  /**
   * Roles waiting to be given to the company structure (`DR` of each root department) until the directory mirror
   * knows the roots: set by a fresh install and "reset to defaults", turned into assignments by AccessService.
   * While it waits nobody but portal admins holds these roles — never `AU` instead.
   */
  companyRoles: z.array(key).optional(),
  /**
   * Features whose Administrator grant a save decided (save-policy.ts `knownFeatures`). One an app update added and
   * no save has decided is new: portal admins hold its shipped Administrator grant (access-index.ts), employees
   * nothing until an admin grants it. Absent on policies saved before this was kept.
   */
  features: z.array(key).optional(),
  /** Incremented on every save; the store compares it to refuse lost updates. */
  version: z.number().int().nonnegative(),
});

export type Grant = z.infer<typeof grantSchema>;
export type Role = z.infer<typeof roleSchema>;
export type Policy = z.infer<typeof policySchema>;

/**
 * Features whose Administrator grant the policy has decided: those its saves recorded (`features`); on a policy saved
 * before they were recorded, those any of its roles names — a feature no role names is one it predates.
 */
export function decidedFeatures(policy: Pick<Policy, 'features' | 'roles'>): ReadonlySet<string> {
  return new Set(policy.features ?? policy.roles.flatMap((role) => Object.keys(role.grants)));
}

/** The built-in feature that lets a user manage access (roles, assignments, allow-list). Only admins and delegates. */
export const ACCESS_MANAGE = 'access.manage';

/** Holding `access.manage`: its top level (admins and delegates hold every level or none). */
export function manageRequirement(manifest: Pick<Manifest, 'levels'>): { feature: string; level: string } {
  return { feature: ACCESS_MANAGE, level: manifest.levels.at(-1)?.key ?? 'read' };
}

/** The built-in role portal admins hold implicitly, as in Bitrix24's CRM access permissions. */
export const ADMIN_ROLE = 'administrator';

function builtInRoles(manifest: Manifest, lang: Lang): Role[] {
  return manifest.roles.map((role) => ({
    key: role.key,
    title: role.title[lang],
    builtIn: true,
    grants: Object.fromEntries(Object.entries(role.grants).map(([feature, level]) => [feature, { level }])),
  }));
}

/**
 * The policy of a portal that never stored one: installed before fresh installs stored theirs. Kept as it was
 * (the manifest's `defaultCodes`, `AU` in the sample), so no existing portal's access changes silently; an admin
 * moves to the company default with "reset to defaults", which shows who loses what first.
 */
export function defaultPolicy(manifest: Manifest, lang: Lang = 'en'): Policy {
  return {
    allowList: [],
    roles: builtInRoles(manifest, lang),
    assignments: manifest.roles.flatMap((role) => (role.defaultCodes ?? []).map((code) => ({ code, role: role.key }))),
    delegates: [],
    version: 0,
  };
}

/** Whether `title` is one of the manifest's titles of built-in role `key` (in any language): it was not renamed. */
function manifestTitle(manifest: Pick<Manifest, 'roles'>, key: string, title: string): Lang | null {
  const builtIn = manifest.roles.find((role) => role.key === key);
  if (builtIn === undefined) return null;
  const langs: Lang[] = ['en', 'ru'];
  return langs.find((lang) => builtIn.title[lang] === title) ?? null;
}

/**
 * The policy as people read it: a built-in role the admin has not renamed is titled in the reader's language (the
 * stored title is in the language of whoever saved first), and grants of features the manifest no longer has (an
 * app update removed them; they grant nothing) are left out, so the editor shows and saves only what works.
 */
export function presentPolicy(policy: Policy, manifest: Pick<Manifest, 'roles' | 'features'>, lang: Lang): Policy {
  const features = new Set(manifest.features.map((feature) => feature.key));
  return {
    ...policy,
    roles: policy.roles.map((role) => {
      const builtIn = manifest.roles.find((item) => item.key === role.key);
      const localized =
        role.builtIn && builtIn !== undefined && manifestTitle(manifest, role.key, role.title) !== null
          ? builtIn.title[lang]
          : role.title;
      const grants = Object.fromEntries(Object.entries(role.grants).filter(([feature]) => features.has(feature)));
      return { ...role, title: localized, grants };
    }),
  };
}

/**
 * The policy of a fresh install and of "reset to defaults": open to everyone Bitrix24 lets in, the built-in roles,
 * the `companyDefault` roles waiting for the company structure (employees, not extranet users), nothing for `AU`.
 */
export function freshPolicyContent(manifest: Manifest, lang: Lang = 'en'): Omit<Policy, 'version'> {
  return {
    allowList: [],
    roles: builtInRoles(manifest, lang),
    assignments: [],
    delegates: [],
    companyRoles: manifest.roles.filter((role) => role.companyDefault === true).map((role) => role.key),
  };
}

/**
 * A save of `next` over `stored`: a built-in role keeps its stored title when both are the manifest's own titles,
 * so an admin reading in another language saves no rename.
 */
export function keepBuiltInTitles<P extends Pick<Policy, 'roles'>>(
  next: P,
  stored: Pick<Policy, 'roles'>,
  manifest: Pick<Manifest, 'roles'>,
): P {
  return {
    ...next,
    roles: next.roles.map((role) => {
      const before = stored.roles.find((item) => item.key === role.key);
      const unchanged =
        role.builtIn &&
        before !== undefined &&
        manifestTitle(manifest, role.key, role.title) !== null &&
        manifestTitle(manifest, role.key, before.title) !== null;
      return unchanged ? { ...role, title: before.title } : role;
    }),
  };
}

/**
 * `policy` with its waiting company roles given to `DR{root}` of each root department; unchanged while no root is
 * known (before the first sync, or a mirror without departments): fail closed, never `AU`.
 */
export function withCompanyRoots(policy: Omit<Policy, 'version'>, roots: readonly number[]): Omit<Policy, 'version'> {
  const waiting = policy.companyRoles ?? [];
  if (waiting.length === 0 || roots.length === 0) return policy;
  const { companyRoles: _done, ...rest } = policy;
  const have = new Set(policy.assignments.map((item) => `${item.code} ${item.role}`));
  const added = waiting.flatMap((role) => roots.map((root) => ({ code: `DR${root}`, role })));
  return { ...rest, assignments: [...policy.assignments, ...added.filter((a) => !have.has(`${a.code} ${a.role}`))] };
}
