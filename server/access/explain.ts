import type { AccessIndex } from './access-index.js';
import { allowedResources, evaluate } from './evaluate.js';
import { canOpen } from './gate.js';
import type { Decision, Rule } from './rules.js';
import type { Subject } from './subject.js';

/** One level a user holds on a feature, with where it applies and why. */
export interface LevelAccess {
  level: string;
  /** 'all', or the resource ids the level is limited to (resource-scoped features only). */
  resources: 'all' | string[];
  reasons: readonly Rule[];
}

/** A user's access to one feature, for the admin's "check a user" tool. */
export interface FeatureAccess {
  feature: string;
  /** Most permissive level held, or null. */
  level: string | null;
  /** Every level held, in manifest order. */
  levels: LevelAccess[];
  /** Why the lowest level is denied, when no level is held. */
  denied: readonly Rule[];
}

export interface EffectiveAccess {
  open: Decision;
  features: FeatureAccess[];
}

/** Everything `subject` may do, feature by feature (including `access.manage`), with the rules behind it. */
export function effectiveAccess(index: AccessIndex, subject: Subject): EffectiveAccess {
  const features: FeatureAccess[] = [];
  for (const feature of index.features.values()) {
    const levels: LevelAccess[] = [];
    let denied: readonly Rule[] = [];
    for (const level of feature.levels) {
      const decision = evaluate(index, subject, { feature: feature.key, level });
      if (!decision.allowed) {
        if (levels.length === 0 && denied.length === 0) denied = decision.reasons;
        continue;
      }
      const resources = allowedResources(index, subject, feature.key, level);
      levels.push({ level, resources: resources === 'all' ? 'all' : [...resources].sort(), reasons: decision.reasons });
    }
    features.push({
      feature: feature.key,
      level: levels[levels.length - 1]?.level ?? null,
      levels,
      denied: levels.length > 0 ? [] : denied,
    });
  }
  return { open: canOpen(index, subject), features };
}
