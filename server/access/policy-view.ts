import type { DirectorySnapshot } from '../directory/snapshot.js';
import type { Lang, Manifest } from '../manifest.js';
import type { ResourceCatalog } from '../stock/resource-catalog.js';
import { codeNames, type CodeName } from './code-names.js';
import type { StoredPolicy } from './policy-repository.js';
import { presentPolicy } from './policy.js';

/** The manifest as the policy editor needs it, in the user's language, with the resources of each type. */
export async function manifestView(manifest: Manifest, resources: ResourceCatalog, memberId: string, lang: Lang) {
  return {
    levels: manifest.levels.map((level) => ({ key: level.key, title: level.title[lang], requires: level.requires })),
    features: manifest.features.map((feature) => ({
      key: feature.key,
      title: feature.title[lang],
      levels: feature.levels,
      adminOnly: feature.adminOnly,
      resource: feature.resource ?? null,
    })),
    resourceTypes: await Promise.all(
      (manifest.resourceTypes ?? []).map(async (type) => ({
        key: type.key,
        title: type.title[lang],
        resources: await resources.list(memberId, type.key, lang),
      })),
    ),
    builtInRoles: manifest.roles.map((role) => role.key),
  };
}

/** Every access code a policy names. */
export function policyCodes(stored: StoredPolicy): Set<string> {
  const { policy } = stored;
  return new Set([
    ...policy.allowList,
    ...policy.delegates,
    ...policy.assignments.map((assignment) => assignment.code),
  ]);
}

/** The body of GET/PUT /api/access/policy (and of a 409's `current`). */
export interface PolicyView {
  policy: StoredPolicy['policy'];
  etag: string;
  manifest: Awaited<ReturnType<typeof manifestView>>;
  names: Record<string, CodeName>;
}

/**
 * The policy with what the editor needs to show it: the manifest in the reader's language and the names of its codes.
 */
export async function policyView(
  stored: StoredPolicy,
  context: {
    manifest: Manifest;
    resources: ResourceCatalog;
    snapshot: DirectorySnapshot;
    memberId: string;
    lang: Lang;
  },
): Promise<PolicyView> {
  return {
    policy: presentPolicy(stored.policy, context.manifest, context.lang),
    etag: stored.etag,
    manifest: await manifestView(context.manifest, context.resources, context.memberId, context.lang),
    names: codeNames(context.snapshot, policyCodes(stored), context.lang),
  };
}
