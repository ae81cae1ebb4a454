import { ACCESS_MANAGE, canOpen, effectiveAccess, evaluate, type AccessIndex, type Subject } from '../../access/index.js';
import { codeNames, type CodeName } from '../../access/code-names.js';
import type { StoredPolicy } from '../../access/policy-store.js';
import type { DirectorySnapshot } from '../../directory/snapshot.js';
import type { Lang, Manifest } from '../../manifest.js';
import type { ResourceCatalog } from '../../stock/resource-catalog.js';
import { manageRequirement } from '../require-access.js';

/** What the UI learns about its own user's access from `/api/me` (the server still decides every call). */
export interface AccessSummary {
  open: boolean;
  manage: boolean;
  features: Record<string, { level: string | null; levels: Record<string, 'all' | string[]> }>;
}

/**
 * Summaries per policy index and user: the UI asks `/api/me` often and the answer changes only with the
 * policy (a new index) or the user's codes and status. Weakly held, so an old index takes its entries with it.
 */
const summaries = new WeakMap<AccessIndex, Map<string, AccessSummary>>();
const MAX_SUMMARIES_PER_INDEX = 5000;

export function accessSummary(index: AccessIndex, subject: Subject, manifest: Manifest): AccessSummary {
  let byUser = summaries.get(index);
  if (byUser === undefined) summaries.set(index, (byUser = new Map()));
  const key = `${subject.userId}|${String(subject.active)}|${String(subject.isAdmin)}|${subject.codes.join(',')}`;
  const known = byUser.get(key);
  if (known !== undefined) return known;
  const summary = summarize(index, subject, manifest);
  if (byUser.size >= MAX_SUMMARIES_PER_INDEX) byUser.clear();
  byUser.set(key, summary);
  return summary;
}

function summarize(index: AccessIndex, subject: Subject, manifest: Manifest): AccessSummary {
  const features: AccessSummary['features'] = {};
  for (const feature of effectiveAccess(index, subject).features) {
    if (feature.feature === ACCESS_MANAGE) continue;
    features[feature.feature] = { level: feature.level, levels: Object.fromEntries(feature.levels.map((held) => [held.level, held.resources])) };
  }
  return { open: canOpen(index, subject).allowed, manage: evaluate(index, subject, manageRequirement(manifest)).allowed, features };
}

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
  return new Set([...policy.allowList, ...policy.delegates, ...policy.assignments.map((assignment) => assignment.code)]);
}

/** The body of GET/PUT /api/access/policy (and of a 409's `current`). */
export async function policyView(
  stored: StoredPolicy,
  context: { manifest: Manifest; resources: ResourceCatalog; snapshot: DirectorySnapshot; memberId: string; lang: Lang },
): Promise<{ policy: StoredPolicy['policy']; etag: string; manifest: Awaited<ReturnType<typeof manifestView>>; names: Record<string, CodeName> }> {
  return {
    policy: stored.policy,
    etag: stored.etag,
    manifest: await manifestView(context.manifest, context.resources, context.memberId, context.lang),
    names: codeNames(context.snapshot, policyCodes(stored), context.lang),
  };
}
