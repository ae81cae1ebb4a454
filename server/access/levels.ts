import type { Manifest } from '../manifest.js';

/**
 * Level arithmetic over the manifest. A grant names one level; it confers that level plus every level it
 * (transitively) requires, so "edit" on a feature offering read and edit gives read and edit. If a required
 * level is not offered by the feature, the grant confers nothing: an "edit without read" is no access, as on
 * Bitrix24's widget permissions page ("If an employee has only Edit permission, access to widgets will be
 * denied"). `validatePolicy` reports such grants so the UI can refuse them.
 */

/** The manifest's level keys in order; a later level is more permissive. */
export function levelOrder(manifest: Manifest): string[] {
  return manifest.levels.map((level) => level.key);
}

/** `level` and every level it requires, transitively (cycle-safe). */
export function levelClosure(manifest: Manifest, level: string): string[] {
  const requires = new Map(manifest.levels.map((item) => [item.key, item.requires]));
  const seen = new Set<string>();
  const stack = [level];
  while (stack.length > 0) {
    const next = stack.pop();
    if (next === undefined || seen.has(next)) continue;
    seen.add(next);
    stack.push(...(requires.get(next) ?? []));
  }
  return [...seen];
}

/**
 * The levels a grant of `level` on a feature offering `featureLevels` confers, or the first level it needs
 * that the feature does not offer.
 */
export function expandGrant(
  manifest: Manifest,
  featureLevels: readonly string[],
  level: string,
): { ok: true; levels: string[] } | { ok: false; missing: string } {
  const closure = levelClosure(manifest, level);
  const missing = closure.find((item) => !featureLevels.includes(item));
  return missing === undefined ? { ok: true, levels: closure } : { ok: false, missing };
}
