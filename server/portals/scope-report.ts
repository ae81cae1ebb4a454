import type { Lang, Manifest } from '../manifest.js';

/** What the Scopes page shows: each requested scope, granted or not, and what a missing one disables. */
export interface ScopeReport {
  source: 'portal' | 'stored';
  scopes: { code: string; title: string; description: string; granted: boolean; features: { key: string; title: string }[] }[];
  unavailableFeatures: { key: string; title: string; missingScopes: string[] }[];
}

/** `user` includes `user_basic`, which includes `user_brief`. */
const implied: Record<string, string[]> = { user: ['user_basic', 'user_brief'], user_basic: ['user_brief'] };

/** True when `granted` covers `requested`, directly or through a broader scope. */
export function scopeGranted(requested: string, granted: readonly string[]): boolean {
  return granted.some((scope) => scope === requested || (implied[scope] ?? []).includes(requested));
}

/** Builds the report from the manifest and the scopes the portal granted, in the user's language. */
export function buildScopeReport(manifest: Manifest, granted: readonly string[], lang: Lang, source: ScopeReport['source']): ScopeReport {
  const feature = (key: string, title: Record<Lang, string>) => ({ key, title: title[lang] });
  return {
    source,
    scopes: manifest.scopes.map((scope) => ({
      code: scope.code,
      title: scope.title[lang],
      description: scope.description[lang],
      granted: scopeGranted(scope.code, granted),
      features: manifest.features.filter((item) => item.scopes.includes(scope.code)).map((item) => feature(item.key, item.title)),
    })),
    unavailableFeatures: manifest.features
      .map((item) => ({ ...feature(item.key, item.title), missingScopes: item.scopes.filter((scope) => !scopeGranted(scope, granted)) }))
      .filter((item) => item.missingScopes.length > 0),
  };
}
