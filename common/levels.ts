/**
 * Level arithmetic over the manifest. A grant names one level; it confers that level plus every level it
 * (transitively) requires, so "edit" on a feature offering read and edit gives read and edit. If a required
 * level is not offered by the feature, the grant confers nothing: an "edit without read" is no access, as on
 * Bitrix24's widget permissions page ("If an employee has only Edit permission, access to widgets will be
 * denied"). The server's policy validator reports such grants; the UI does not offer them.
 */

/** One level of the manifest: its key and the levels it needs. */
export interface LevelRule {
  readonly key: string;
  readonly requires: readonly string[];
}

/**
 * What the level rules need of a manifest (the server's Manifest and the UI's AccessManifest both fit): its levels,
 * least permissive first.
 */
export interface LevelRules<L extends LevelRule = LevelRule> {
  readonly levels: readonly L[];
}

/** `level` and every level it requires, transitively (cycle-safe). */
export function levelClosure(rules: LevelRules, level: string): string[] {
  const requires = new Map(rules.levels.map((item) => [item.key, item.requires]));
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
  rules: LevelRules,
  featureLevels: readonly string[],
  level: string,
): { ok: true; levels: string[] } | { ok: false; missing: string } {
  const closure = levelClosure(rules, level);
  const missing = closure.find((item) => !featureLevels.includes(item));
  return missing === undefined ? { ok: true, levels: closure } : { ok: false, missing };
}

/**
 * The levels a role may grant on a feature offering `feature.levels`: those whose grant confers something. Least
 * permissive first.
 */
export function offeredLevels<L extends LevelRule>(
  rules: LevelRules<L>,
  feature: { readonly levels: readonly string[] },
): L[] {
  return rules.levels.filter((level) => expandGrant(rules, feature.levels, level.key).ok);
}

/** The most permissive level a role may grant on the feature ("Select all permissions"), or null. */
export function topOfferedLevel(rules: LevelRules, feature: { readonly levels: readonly string[] }): string | null {
  return offeredLevels(rules, feature).at(-1)?.key ?? null;
}
