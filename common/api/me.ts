import type { Lang } from '../lang.js';

// GET /api/me and GET /api/scopes (see index.ts for what these types promise).

/** The resources a level covers: every one, or the listed ids. */
export type ApiLevelResources = 'all' | string[];

/** What the signed-in user may do: the UI mirrors it, the server still decides every call. */
export interface ApiMeAccess {
  /** May open the app (allow-list). */
  open: boolean;
  /** Holds access.manage (portal admin or delegate). */
  manage: boolean;
  /** Per feature (not access.manage): the top level held and, per held level, its resources. */
  features: Record<string, { level: string | null; levels: Record<string, ApiLevelResources> }>;
}

/** GET /api/me */
export interface ApiMe {
  user: { id: string; name: string; isAdmin: boolean | null };
  portal: { domain: string; memberId: string };
  lang: Lang;
  access: ApiMeAccess;
}

/** A feature named by key, with its title in the session's language. */
export interface ApiFeatureRef {
  key: string;
  title: string;
}

/** GET /api/scopes: each requested scope, granted or not, and what a missing one disables; texts localized. */
export interface ApiScopesReport {
  /** `stored`: the portal could not be asked just now; `granted` comes from the install. */
  source: 'portal' | 'stored';
  scopes: { code: string; title: string; description: string; granted: boolean; features: ApiFeatureRef[] }[];
  unavailableFeatures: (ApiFeatureRef & { missingScopes: string[] })[];
}
