import type { Manifest } from '../manifest.js';
import type { AccessIndex } from './access-index.js';
import { evaluate } from './evaluate.js';
import { effectiveAccess } from './explain.js';
import { canOpen } from './gate.js';
import { ACCESS_MANAGE, manageRequirement } from './policy.js';
import type { Subject } from './subject.js';

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
    features[feature.feature] = {
      level: feature.level,
      levels: Object.fromEntries(feature.levels.map((held) => [held.level, held.resources])),
    };
  }
  return {
    open: canOpen(index, subject).allowed,
    manage: evaluate(index, subject, manageRequirement(manifest)).allowed,
    features,
  };
}
