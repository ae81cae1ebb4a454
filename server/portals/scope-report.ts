import type { Logger } from '../logger.js';
import type { Lang, Manifest } from '../manifest.js';
import { grantedScopesSchema } from '../bitrix/schemas.js';
import type { Installation } from './installation-record.js';
import type { PortalClients } from './portal-clients.js';

/** What the Scopes page shows: each requested scope, granted or not, and what a missing one disables. */
export interface ScopeReport {
  source: 'portal' | 'stored';
  scopes: {
    code: string;
    title: string;
    description: string;
    granted: boolean;
    features: { key: string; title: string }[];
  }[];
  unavailableFeatures: { key: string; title: string; missingScopes: string[] }[];
}

/** `user` includes `user_basic`, which includes `user_brief`. */
const implied: Record<string, string[]> = { user: ['user_basic', 'user_brief'], user_basic: ['user_brief'] };

/** True when `granted` covers `requested`, directly or through a broader scope. */
export function scopeGranted(requested: string, granted: readonly string[]): boolean {
  return granted.some((scope) => scope === requested || (implied[scope] ?? []).includes(requested));
}

/** Builds the report from the manifest and the scopes the portal granted, in the user's language. */
export function buildScopeReport(
  manifest: Manifest,
  granted: readonly string[],
  lang: Lang,
  source: ScopeReport['source'],
): ScopeReport {
  const feature = (key: string, title: Record<Lang, string>) => ({ key, title: title[lang] });
  return {
    source,
    scopes: manifest.scopes.map((scope) => ({
      code: scope.code,
      title: scope.title[lang],
      description: scope.description[lang],
      granted: scopeGranted(scope.code, granted),
      features: manifest.features
        .filter((item) => item.scopes.includes(scope.code))
        .map((item) => feature(item.key, item.title)),
    })),
    unavailableFeatures: manifest.features
      .map((item) => ({
        ...feature(item.key, item.title),
        missingScopes: item.scopes.filter((scope) => !scopeGranted(scope, granted)),
      }))
      .filter((item) => item.missingScopes.length > 0),
  };
}

/**
 * The Scopes page's report: what the portal grants now (`scope`), or, when it cannot be asked, what the
 * install recorded — the page still helps, and says its data may be dated.
 */
export async function reportScopes(
  deps: { clients: Pick<PortalClients, 'forPortal'>; manifest: Manifest; logger: Logger },
  installation: Pick<Installation, 'memberId' | 'scopes'>,
  lang: Lang,
): Promise<ScopeReport> {
  try {
    const client = await deps.clients.forPortal(installation.memberId);
    const granted = grantedScopesSchema.parse(await client.call('scope'));
    return buildScopeReport(deps.manifest, granted, lang, 'portal');
  } catch (error: unknown) {
    deps.logger.warn(
      { err: error, memberId: installation.memberId },
      'scope method failed; answering from the stored install',
    );
    return buildScopeReport(deps.manifest, installation.scopes, lang, 'stored');
  }
}
