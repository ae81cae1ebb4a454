import * as d from './decode';
import type {
  ApiAccessCheck,
  ApiGroupAccess,
  ApiAuditFilters,
  ApiAuditPage,
  ApiConflicts,
  ApiErrorBody,
  ApiInvalidPolicyBody,
  ApiKnownAuditChange,
  ApiKnownRule,
  ApiPolicyChangedBody,
  ApiPolicyImpact,
  ApiPolicyResponse,
  ApiStock,
} from '../../common/api';
import { tiedTo } from './contract';

// Response shapes of the access API (issue #5): /api/me's `access`, /api/access/*, /api/audit and the
// sample /api/stock. Like schemas.ts, objects are not strict and open-ended labels (code kinds, rule
// and change kinds) fall back to a generic form instead of failing the whole answer; each answer's
// schema is tied to its type in common/api (see contract.ts).

/** User ids are strings in /api/me and numbers in the directory; the UI keeps them as strings. */
const idSchema = d.map(d.union([d.string(), d.number()]), String);

/** The resources a level covers: every one, or the listed ids. */
export const levelResourcesSchema = d.union([d.oneOf(['all']), d.array(d.string())]);

/** One feature in /api/me: the top level held and, per held level, its resources. */
export const meFeatureAccessSchema = d.object({
  level: d.nullable(d.string()),
  levels: d.record(levelResourcesSchema),
});

/** `access` of GET /api/me: what the signed-in user may do. */
export const meAccessSchema = d.object({
  /** May open the app (allow-list); false → the UI shows the "no access" notice. */
  open: d.boolean(),
  /** Holds access.manage (portal admin or delegate). */
  manage: d.boolean(),
  features: d.record(meFeatureAccessSchema),
});

/** What an access code stands for, in the session's language. */
export const codeNameSchema = d.object({
  title: d.string(),
  /** `user | department | departmentTree | group | allUsers | unknown`; another value is shown as unknown. */
  kind: d.string(),
});
export const namesSchema = d.record(codeNameSchema);

export const grantSchema = d.object({
  level: d.string(),
  /** Resource ids the level is limited to; absent = all resources of the feature's type. */
  resources: d.optional(d.array(d.string())),
});

export const roleSchema = d.object({
  key: d.string({ min: 1 }),
  title: d.string(),
  /** Built-in roles (from the manifest) can be edited but not deleted. */
  builtIn: d.boolean(),
  grants: d.record(grantSchema),
});

export const assignmentSchema = d.object({ code: d.string(), role: d.string() });

export const policySchema = d.object({
  /** Codes that may open the app; empty = everyone Bitrix24 lets in. */
  allowList: d.array(d.string()),
  roles: d.array(roleSchema),
  assignments: d.array(assignmentSchema),
  /** Codes holding access.manage; only portal admins may change this list. */
  delegates: d.array(d.string()),
  version: d.number({ int: true }),
});

export const manifestLevelSchema = d.object({
  key: d.string(),
  title: d.string(),
  requires: d.array(d.string()),
});

export const manifestFeatureSchema = d.object({
  key: d.string(),
  title: d.string(),
  levels: d.array(d.string()),
  adminOnly: d.boolean(),
  /** The resource type the feature is scoped by (`warehouse`), if any. */
  resource: d.nullish(d.string()),
});

export const resourceTypeSchema = d.object({
  key: d.string(),
  title: d.string(),
  resources: d.array(d.object({ id: d.string(), name: d.string() })),
});

export const accessManifestSchema = d.object({
  /** In order: a later level is more permissive. */
  levels: d.array(manifestLevelSchema),
  features: d.array(manifestFeatureSchema),
  resourceTypes: d.array(resourceTypeSchema),
  builtInRoles: d.array(d.string()),
});

/** GET /api/access/policy and a successful PUT. */
export const policyResponseSchema = tiedTo<ApiPolicyResponse>()(
  d.object({
    policy: policySchema,
    /** Sent back as If-Match; the same as the ETag header. */
    etag: d.string({ min: 1 }),
    manifest: accessManifestSchema,
    names: namesSchema,
  }),
);

export const policyProblemSchema = d.object({ path: d.string(), message: d.string() });

/** Extra fields of a 400 INVALID_POLICY. */
export const policyImpactSchema = tiedTo<ApiPolicyImpact>()(
  d.object({
    losses: d.array(
      d.object({
        feature: d.string(),
        level: d.nullable(d.string()),
        count: d.number({ int: true }),
        includesYou: d.boolean(),
        names: d.array(d.string()),
      }),
    ),
    locksYouOut: d.boolean(),
    deletedRoles: d.array(d.object({ key: d.string(), title: d.string() })),
  }),
);
export type PolicyImpact = d.Infer<typeof policyImpactSchema>;

export const invalidPolicyBodySchema = tiedTo<Omit<ApiInvalidPolicyBody, keyof ApiErrorBody>>()(
  d.object({ problems: d.array(policyProblemSchema) }),
);

/** Extra fields of a 409 POLICY_CHANGED: what the other admin saved. */
export const policyChangedBodySchema = tiedTo<Omit<ApiPolicyChangedBody, keyof ApiErrorBody>>()(
  d.object({ current: policyResponseSchema }),
);

const roleRuleSchema = d.object({
  kind: d.oneOf(['role']),
  code: d.string(),
  role: d.string(),
  roleTitle: d.string(),
  feature: d.string(),
  level: d.string(),
  resources: d.nullable(d.array(d.string())),
});

const knownRuleSchema = tiedTo<ApiKnownRule>()(
  d.union([
    d.object({ kind: d.oneOf(['fired']) }),
    d.object({ kind: d.oneOf(['admin']) }),
    d.object({ kind: d.oneOf(['adminUnknown']) }),
    d.object({ kind: d.oneOf(['allowListEmpty']) }),
    d.object({ kind: d.oneOf(['allowList']), code: d.string() }),
    d.object({ kind: d.oneOf(['notInAllowList']) }),
    d.object({ kind: d.oneOf(['adminOnly']), feature: d.string() }),
    d.object({ kind: d.oneOf(['delegate']), code: d.string() }),
    roleRuleSchema,
    d.object({ kind: d.oneOf(['noGrant']), feature: d.string(), level: d.string() }),
    d.object({ kind: d.oneOf(['unknown']), feature: d.string(), level: d.string() }),
  ]),
);

/** The rule behind a decision (server/access/rules.ts); a kind this UI does not know becomes `other`. */
export const ruleSchema = d.union([
  knownRuleSchema,
  d.map(d.object({ kind: d.string() }), (rule) => ({ kind: 'other' as const, name: rule.kind })),
]);

export const decisionLevelSchema = d.object({
  level: d.string(),
  resources: levelResourcesSchema,
  reasons: d.array(ruleSchema),
});

/** GET /api/access/check?user=ID */
export const accessCheckSchema = tiedTo<ApiAccessCheck>()(
  d.object({
    user: d.object({
      id: idSchema,
      fullName: d.string(),
      position: d.nullish(d.string()),
      active: d.boolean(),
      departments: d.array(d.object({ id: idSchema, name: d.string() })),
    }),
    /** `unknown`: Keycard has not seen this user open the app as an admin. */
    adminStatus: d.oneOf(['admin', 'notAdmin', 'unknown']),
    codes: d.array(d.string()),
    access: d.object({
      open: d.object({ allowed: d.boolean(), level: d.nullable(d.string()), reasons: d.array(ruleSchema) }),
      /** Every feature, `access.manage` included. */
      features: d.array(
        d.object({
          feature: d.string(),
          level: d.nullable(d.string()),
          levels: d.array(decisionLevelSchema),
          denied: d.array(ruleSchema),
        }),
      ),
    }),
    names: namesSchema,
  }),
);

/** GET /api/access/conflicts */
export const conflictsSchema = tiedTo<ApiConflicts>()(
  d.object({
    total: d.number({ int: true, min: 0 }),
    people: d.number({ int: true, min: 0 }),
    truncated: d.boolean(),
    groups: d.array(
      d.object({
        feature: d.string(),
        overridden: ruleSchema,
        winner: ruleSchema,
        count: d.number({ int: true, min: 0 }),
        sample: d.array(d.object({ id: idSchema, fullName: d.string() })),
      }),
    ),
    names: namesSchema,
  }),
);

export const grantStateSchema = d.object({ level: d.string(), resources: d.nullish(d.array(d.string())) });

const action = d.oneOf(['added', 'removed']);

const knownAuditChangeSchema = tiedTo<ApiKnownAuditChange>()(
  d.union([
    d.object({ kind: d.oneOf(['allowList', 'delegates']), action, code: d.string() }),
    d.object({
      kind: d.oneOf(['role']),
      action: d.oneOf(['renamed']),
      role: d.string(),
      before: d.string(),
      after: d.string(),
    }),
    d.object({ kind: d.oneOf(['role']), action, role: d.string(), title: d.string() }),
    d.object({
      kind: d.oneOf(['grant']),
      role: d.string(),
      title: d.string(),
      feature: d.string(),
      before: d.nullable(grantStateSchema),
      after: d.nullable(grantStateSchema),
    }),
    d.object({ kind: d.oneOf(['assignment']), action, code: d.string(), role: d.string(), title: d.string() }),
  ]),
);

/** One change of an audited save; an unknown kind becomes `other`. */
export const auditChangeSchema = d.union([
  knownAuditChangeSchema,
  d.map(d.object({ kind: d.string() }), (change) => ({ kind: 'other' as const, name: change.kind })),
]);

export const auditEntrySchema = d.object({
  id: idSchema,
  version: d.number({ int: true }),
  /** ms since the epoch */
  at: d.number(),
  actor: d.object({ id: idSchema, name: d.string() }),
  changes: d.array(auditChangeSchema),
  /** An approved access request; absent on older entries and ordinary saves. */
  source: d.optional(d.object({ kind: d.oneOf(['request']), id: d.string(), name: d.string() })),
});

/** GET /api/audit: newest first; `nextCursor` is null on the last page. */
export const auditPageSchema = tiedTo<ApiAuditPage>()(
  d.object({
    entries: d.array(auditEntrySchema),
    nextCursor: d.nullable(d.string()),
    names: namesSchema,
  }),
);

/** GET /api/audit/filters: the people who made changes and the codes the log cites, by name. */
export const auditFiltersSchema = tiedTo<ApiAuditFilters>()(
  d.object({
    actors: d.array(d.object({ id: d.string(), name: d.string() })),
    codes: d.array(d.object({ code: d.string(), name: codeNameSchema })),
  }),
);

/** GET /api/stock: only the warehouses the user may read, and quantities only for them. */
export const stockSchema = tiedTo<ApiStock>()(
  d.object({
    warehouses: d.array(d.object({ id: d.string(), name: d.string(), canEdit: d.boolean() })),
    items: d.array(d.object({ sku: d.string(), name: d.string(), quantities: d.record(d.number()) })),
  }),
);

export type LevelResources = d.Infer<typeof levelResourcesSchema>;
export type MeAccess = d.Infer<typeof meAccessSchema>;
export type CodeName = d.Infer<typeof codeNameSchema>;
export type Names = d.Infer<typeof namesSchema>;
export type Grant = d.Infer<typeof grantSchema>;
export type Role = d.Infer<typeof roleSchema>;
export type Assignment = d.Infer<typeof assignmentSchema>;
export type Policy = d.Infer<typeof policySchema>;
export type ManifestLevel = d.Infer<typeof manifestLevelSchema>;
export type ManifestFeature = d.Infer<typeof manifestFeatureSchema>;
export type ResourceType = d.Infer<typeof resourceTypeSchema>;
export type AccessManifest = d.Infer<typeof accessManifestSchema>;
export type PolicyResponse = d.Infer<typeof policyResponseSchema>;
export type PolicyProblem = d.Infer<typeof policyProblemSchema>;
export type Rule = d.Infer<typeof ruleSchema>;
export type RoleRule = d.Infer<typeof roleRuleSchema>;
export type DecisionLevel = d.Infer<typeof decisionLevelSchema>;
/** GET /api/placements/group-access/:groupId */
export const groupAccessSchema = tiedTo<ApiGroupAccess>()(
  d.object({
    group: d.object({ id: d.number({ int: true, min: 1 }), name: d.string(), project: d.boolean() }),
    members: d.array(d.object({ role: d.oneOf(['A', 'E', 'K']), check: accessCheckSchema })),
    truncated: d.boolean(),
    manifest: accessManifestSchema,
  }),
);
export type GroupAccess = d.Infer<typeof groupAccessSchema>;
export type AccessCheck = d.Infer<typeof accessCheckSchema>;
export type Conflicts = d.Infer<typeof conflictsSchema>;
export type GrantState = d.Infer<typeof grantStateSchema>;
export type AuditChange = d.Infer<typeof auditChangeSchema>;
export type AuditEntry = d.Infer<typeof auditEntrySchema>;
export type AuditPage = d.Infer<typeof auditPageSchema>;
export type AuditFilters = d.Infer<typeof auditFiltersSchema>;
export type Stock = d.Infer<typeof stockSchema>;
