import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { parseAccessCode } from '../common/access-codes.js';
import { bitrixScopes, placementNeeds } from './bitrix/placement-scopes.js';

export { languages, pickLang, type Lang } from '../common/lang.js';

/** Placements that open the whole app (the app page, the left menu, links into the app), never one feature. */
const APP_PLACEMENTS: ReadonlySet<string> = new Set(['DEFAULT', 'LEFT_MENU', 'REST_APP_URI']);

const text = z.object({ en: z.string().min(1), ru: z.string().min(1) });
const key = z.string().regex(/^[a-z][a-z0-9_.-]*$/, { error: 'keys are lowercase: letters, digits, _ . -' });
/**
 * A code a role may hold on a fresh install: a user, a department (with or without sub-departments) or everyone; not a
 * workgroup.
 */
const defaultCode = z.string().refine(
  (code) => {
    const kind = parseAccessCode(code)?.kind;
    return kind !== undefined && kind !== 'group';
  },
  { error: 'default codes are AU, U{id}, D{id} or DR{id}' },
);

const manifestSchema = z
  .object({
    code: key,
    title: text,
    scopes: z.array(z.object({ code: z.string().regex(/^[a-z_.]+$/), title: text, description: text })).min(1),
    levels: z.array(z.object({ key, title: text, requires: z.array(key) })).min(1),
    /** Kinds of app-side objects a level can be limited to (e.g. warehouses); optional. */
    resourceTypes: z.array(z.object({ key, title: text })).optional(),
    /** When true, portal admins hold every level of every feature without a role; otherwise features follow roles. */
    adminsGetEverything: z.boolean().optional(),
    features: z.array(
      z.object({
        key,
        title: text,
        levels: z.array(key).min(1),
        adminOnly: z.boolean(),
        scopes: z.array(z.string()),
        /** A resource type: roles may then limit this feature's levels to chosen resources of that type. */
        resource: key.optional(),
        /**
         * Bitrix24 placements (widgets) that show this feature: bound at install and update, and opening the app in
         * one of them requires the feature (its lowest level). A placement belongs to one feature at most.
         * @see https://apidocs.bitrix24.com/api-reference/widgets/placements.html
         */
        placements: z
          .array(
            z.object({
              code: z.string().regex(/^[A-Z][A-Z0-9_]*$/, { error: 'placement codes are UPPER_CASE' }),
              title: text,
            }),
          )
          .optional(),
      }),
    ),
    roles: z.array(
      z.object({
        key,
        title: text,
        grants: z.record(key, key),
        /**
         * Access codes that hold the role in the default of portals installed before fresh installs stored their
         * policy (`AU` there): a portal that never saved keeps what it had. Fresh installs use `companyDefault`.
         */
        defaultCodes: z.array(defaultCode).optional(),
        /**
         * A fresh install (and "reset to defaults") gives the role to the company structure: `DR` of every root
         * department of the directory mirror — employees, never extranet users.
         */
        companyDefault: z.boolean().optional(),
      }),
    ),
  })
  .superRefine((manifest, ctx) => {
    const problem = (message: string) => ctx.addIssue({ code: 'custom', message });
    const scopes = new Set(manifest.scopes.map((scope) => scope.code));
    const levels = new Set(manifest.levels.map((level) => level.key));
    const features = new Map(manifest.features.map((feature) => [feature.key, feature]));
    for (const level of manifest.levels) {
      for (const required of level.requires)
        if (!levels.has(required)) problem(`level ${level.key} requires unknown level ${required}`);
    }
    for (const scope of scopes)
      if (!bitrixScopes.has(scope))
        problem(`scope ${scope} is not a Bitrix24 scope (api-reference/scopes/permissions.md)`);
    const resourceTypes = new Set((manifest.resourceTypes ?? []).map((type) => type.key));
    const placementOwners = new Map<string, string>();
    for (const feature of manifest.features) {
      if (feature.resource !== undefined && !resourceTypes.has(feature.resource))
        problem(`feature ${feature.key} uses unknown resource type ${feature.resource}`);
      for (const level of feature.levels)
        if (!levels.has(level)) problem(`feature ${feature.key} uses unknown level ${level}`);
      for (const scope of feature.scopes)
        if (!scopes.has(scope)) problem(`feature ${feature.key} needs scope ${scope}, which is not requested`);
      for (const placement of feature.placements ?? []) {
        const owner = placementOwners.get(placement.code);
        if (owner !== undefined)
          problem(`placement ${placement.code} is claimed by features ${owner} and ${feature.key}; one feature only`);
        placementOwners.set(placement.code, feature.key);
        // Keycard binds these itself, and opens the whole app in them: a feature there would never be checked.
        if (APP_PLACEMENTS.has(placement.code)) {
          problem(`feature ${feature.key}: placement ${placement.code} is the app’s own, not a feature’s`);
          continue;
        }
        const needs = placementNeeds(placement.code);
        if (needs === undefined) {
          problem(`feature ${feature.key}: placement ${placement.code} is unknown (server/bitrix/placement-scopes.ts)`);
          continue;
        }
        for (const scope of needs)
          if (!scopes.has(scope))
            problem(`feature ${feature.key}: placement ${placement.code} needs scope ${scope}, which is not requested`);
      }
    }
    for (const role of manifest.roles) {
      for (const [featureKey, level] of Object.entries(role.grants)) {
        const feature = features.get(featureKey);
        if (feature === undefined) problem(`role ${role.key} grants unknown feature ${featureKey}`);
        else if (!feature.levels.includes(level))
          problem(`role ${role.key} grants ${featureKey} at level ${level}, which it does not have`);
      }
    }
    if (features.size !== manifest.features.length) problem('feature keys must be unique');
    if (scopes.size !== manifest.scopes.length) problem('scope codes must be unique');
    if (resourceTypes.size !== (manifest.resourceTypes ?? []).length) problem('resource type keys must be unique');
  });

/** The app's manifest: what it requests from Bitrix24 and what it offers to roles. */
export type Manifest = z.infer<typeof manifestSchema>;

/** Thrown when a manifest is unusable; lists every problem at once (start-up prints it as it prints config errors). */
export class ManifestError extends Error {
  readonly problems: string[];

  constructor(problems: string[], source = 'manifest') {
    super(`Invalid ${source}:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ManifestError';
    this.problems = problems;
  }
}

/**
 * A feature's lowest level: the first of its levels in the manifest's order, which lists a level after those it
 * requires. What opening a feature's tab and asking for a feature need.
 */
export function lowestLevel(manifest: Pick<Manifest, 'levels'>, feature: Pick<Manifest['features'][number], 'levels'>) {
  return manifest.levels.map((item) => item.key).find((key) => feature.levels.includes(key));
}

/** Validates a manifest object; throws one ManifestError listing every problem. */
export function parseManifest(raw: unknown): Manifest {
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    throw new ManifestError(
      parsed.error.issues.map((issue) => `${issue.path.join('.') || 'manifest'}: ${issue.message}`),
    );
  }
  return parsed.data;
}

/** Reads and validates the manifest file (start-up only). */
export function loadManifest(path: string): Manifest {
  return parseManifest(JSON.parse(readFileSync(path, 'utf8')));
}
