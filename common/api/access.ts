import type { ApiErrorBody } from './errors.js';
import type { ApiLevelResources } from './me.js';

// /api/access/policy, /check and /conflicts, /api/audit and the sample /api/stock (see index.ts for what these
// types promise).

/** A rule or change of a kind added after this contract: a client shows it generically. */
export interface ApiUnlistedKind {
  kind: string;
}

/** A role's grant on one feature: the top level and, for resource-scoped features, which resources (absent: all). */
export interface ApiGrant {
  level: string;
  resources?: string[];
}

export interface ApiRole {
  key: string;
  title: string;
  /** Built-in roles (from the manifest) can be edited but not deleted. */
  builtIn: boolean;
  grants: Record<string, ApiGrant>;
}

/** The access policy of the portal. */
export interface ApiPolicy {
  /** Codes that may open the app; empty = everyone Bitrix24 lets in. */
  allowList: string[];
  roles: ApiRole[];
  assignments: { code: string; role: string }[];
  /** Codes holding access.manage; only portal admins may change this list. */
  delegates: string[];
  version: number;
}

/** The manifest as the policy editor needs it, in the session's language, with the resources of each type. */
export interface ApiAccessManifest {
  /** Least permissive first. */
  levels: { key: string; title: string; requires: string[] }[];
  /** `resource`: the resource type the feature is scoped by; the server sends null for none. */
  features: { key: string; title: string; levels: string[]; adminOnly: boolean; resource?: string | null }[];
  resourceTypes: { key: string; title: string; resources: { id: string; name: string }[] }[];
  builtInRoles: string[];
}

/** What an access code stands for, in the session's language. */
export interface ApiCodeName {
  title: string;
  /** A `CodeKind` of common/access-codes.ts: `user`, `department`, `departmentTree`, `group`, `allUsers`, `unknown`. */
  kind: string;
  /** Workgroup codes only: owner (A), moderators (E), members (K); absent = every member. */
  groupRole?: 'A' | 'E' | 'K';
}

export type ApiCodeNames = Record<string, ApiCodeName>;

/** GET /api/access/policy and a successful PUT (its `etag` is also the ETag header, sent back as If-Match). */
export interface ApiPolicyResponse {
  policy: ApiPolicy;
  etag: string;
  manifest: ApiAccessManifest;
  names: ApiCodeNames;
}

/** One problem of a policy that failed validation. */
export interface ApiPolicyProblem {
  path: string;
  message: string;
}

/** 400 `INVALID_POLICY` of PUT /api/access/policy: every problem at once; nothing was saved. */
export interface ApiInvalidPolicyBody extends ApiErrorBody {
  problems: ApiPolicyProblem[];
}

/** 409 `POLICY_CHANGED` of PUT /api/access/policy: someone saved first; `current` is what they saved. */
export interface ApiPolicyChangedBody extends ApiErrorBody {
  current: ApiPolicyResponse;
}

// ---- GET /api/access/check, /api/access/conflicts ----

/** A role held through an access code, granting `level` (and what it requires) on `feature`. */
export interface ApiRoleRule {
  kind: 'role';
  code: string;
  role: string;
  roleTitle: string;
  feature: string;
  level: string;
  /** The resources the grant is limited to; null = all (or the feature is not resource-scoped). */
  resources: string[] | null;
}

/** The rules a decision cites (server/access/rules.ts). */
export type ApiKnownRule =
  | { kind: 'fired' }
  | { kind: 'admin' }
  | { kind: 'adminUnknown' }
  | { kind: 'allowListEmpty' }
  | { kind: 'allowList'; code: string }
  | { kind: 'notInAllowList' }
  | { kind: 'adminOnly'; feature: string }
  | { kind: 'delegate'; code: string }
  | ApiRoleRule
  | { kind: 'noGrant'; feature: string; level: string }
  | { kind: 'unknown'; feature: string; level: string };

export type ApiRule = ApiKnownRule | ApiUnlistedKind;

/** The answer to "may this user open the app?". */
export interface ApiDecision {
  allowed: boolean;
  level: string | null;
  reasons: ApiRule[];
}

/** A user's access to one feature: every level held (in manifest order) with where and why, or why not. */
export interface ApiFeatureAccess {
  feature: string;
  level: string | null;
  levels: { level: string; resources: ApiLevelResources; reasons: ApiRule[] }[];
  /** Why the lowest level is denied, when no level is held. */
  denied: ApiRule[];
}

/** GET /api/access/check?user=ID */
export interface ApiAccessCheck {
  /** The user's directory view (the server sends all of ApiDirectoryUser; these are the fields promised). */
  user: {
    id: number | string;
    fullName: string;
    position?: string | null;
    active: boolean;
    departments: { id: number | string; name: string }[];
  };
  /** `unknown`: Keycard has not seen this user open the app as an admin. */
  adminStatus: 'admin' | 'notAdmin' | 'unknown';
  codes: string[];
  /** Every feature, access.manage included. */
  access: { open: ApiDecision; features: ApiFeatureAccess[] };
  names: ApiCodeNames;
}

/** GET /api/placements/group-access/:groupId — the workgroup tab (placement SONET_GROUP_DETAIL_TAB). */
export interface ApiGroupAccess {
  group: { id: number; name: string; project: boolean };
  /** Owner (A), moderators (E), members (K), in that order; each with "check a user"'s answer. */
  members: { role: 'A' | 'E' | 'K'; check: ApiAccessCheck }[];
  /** More people are in the group than listed. */
  truncated: boolean;
  manifest: ApiAccessManifest;
}

/**
 * GET /api/access/conflicts: pairs of rules where a narrower rule (personal, a department inside another) gives
 * less than a broader one, so it does nothing for the people both reach; most people first, at most 200 pairs.
 */
export interface ApiConflicts {
  /** Rule pairs found. */
  total: number;
  /** People affected by at least one pair. */
  people: number;
  truncated: boolean;
  groups: {
    feature: string;
    /** The narrower rule, whose lower level does not take effect. */
    overridden: ApiRule;
    /** The broader rule, whose higher level wins. */
    winner: ApiRule;
    count: number;
    /** The first few people affected. */
    sample: { id: number | string; fullName: string }[];
  }[];
  names: ApiCodeNames;
}

// ---- GET /api/audit, GET /api/stock ----

/** A grant before or after a change; `resources` absent or null = all. */
export interface ApiGrantState {
  level: string;
  resources?: string[] | null;
}

/** One change of an audited save (server/access/policy-diff.ts). */
export type ApiKnownAuditChange =
  | { kind: 'allowList' | 'delegates'; action: 'added' | 'removed'; code: string }
  | { kind: 'role'; action: 'added' | 'removed'; role: string; title: string }
  | { kind: 'role'; action: 'renamed'; role: string; before: string; after: string }
  | {
      kind: 'grant';
      role: string;
      title: string;
      feature: string;
      before: ApiGrantState | null;
      after: ApiGrantState | null;
    }
  | { kind: 'assignment'; action: 'added' | 'removed'; code: string; role: string; title: string };

export type ApiAuditChange = ApiKnownAuditChange | ApiUnlistedKind;

/** One save of the policy: who, when (ms since the epoch), and every change; `id` is the version as a string. */
export interface ApiAuditEntry {
  id: string;
  version: number;
  at: number;
  actor: { id: string; name: string };
  changes: ApiAuditChange[];
  /** Set when the save approved an access request (entries from before requests have none). */
  source?: { kind: 'request'; id: string; name: string } | undefined;
}

/** GET /api/audit: newest first; `nextCursor` is null on the last page. */
export interface ApiAuditPage {
  entries: ApiAuditEntry[];
  nextCursor: string | null;
  names: ApiCodeNames;
}

/** GET /api/audit/filters: who made changes and which codes the log cites, sorted by name. */
export interface ApiAuditFilters {
  actors: { id: string; name: string }[];
  codes: { code: string; name: ApiCodeName }[];
}

/** GET /api/stock: only the warehouses the user may read, and quantities only for them. */
export interface ApiStock {
  warehouses: { id: string; name: string; canEdit: boolean }[];
  items: { sku: string; name: string; quantities: Record<string, number> }[];
}

// ---- POST /api/access/policy/impact (issue 13) ----

/** People who would lose opening the app (`feature: 'open'`, `level: null`) or a level of a feature. */
export interface ApiImpactLoss {
  feature: string;
  level: string | null;
  count: number;
  /** The user asking is among them. */
  includesYou: boolean;
  /** A few full names, the asker first. */
  names: string[];
}

/** What saving a draft would take from whom; `locksYouOut`: the save would be refused (409 SAVE_LOCKS_YOU_OUT). */
export interface ApiPolicyImpact {
  losses: ApiImpactLoss[];
  locksYouOut: boolean;
  deletedRoles: { key: string; title: string }[];
}
