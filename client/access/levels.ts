import type { AccessManifest, ManifestFeature, ManifestLevel } from '../api/accessSchemas'

/*
 * Level arithmetic over the manifest, as the server does it (server/access/levels.ts): a grant of a level
 * confers it and every level it requires. A level that requires one the feature does not offer would
 * confer nothing ("If an employee has only Edit permission, access to widgets will be denied"), so it is
 * not offered at all.
 */

/** `level` and every level it requires, transitively (cycle-safe). */
export function levelClosure(manifest: AccessManifest, level: string): string[] {
  const requires = new Map(manifest.levels.map((item) => [item.key, item.requires]))
  const seen = new Set<string>()
  const stack = [level]
  while (stack.length > 0) {
    const next = stack.pop()
    if (next === undefined || seen.has(next)) continue
    seen.add(next)
    stack.push(...(requires.get(next) ?? []))
  }
  return [...seen]
}

/** The levels a role may grant on `feature`, least permissive first. */
export function offeredLevels(manifest: AccessManifest, feature: ManifestFeature): ManifestLevel[] {
  return manifest.levels.filter(
    (level) => feature.levels.includes(level.key) && levelClosure(manifest, level.key).every((needed) => feature.levels.includes(needed))
  )
}

/** The most permissive level a role may grant on `feature` ("Select all permissions"). */
export function topOfferedLevel(manifest: AccessManifest, feature: ManifestFeature): string | null {
  return offeredLevels(manifest, feature).at(-1)?.key ?? null
}
