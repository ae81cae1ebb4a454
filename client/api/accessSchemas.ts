import { z } from 'zod';
import type {
  ApiAccessCheck,
  ApiAuditPage,
  ApiConflicts,
  ApiErrorBody,
  ApiInvalidPolicyBody,
  ApiKnownAuditChange,
  ApiKnownRule,
  ApiPolicyChangedBody,
  ApiPolicyResponse,
  ApiStock,
} from '../../common/api';
import { tiedTo } from './contract';

// Response shapes of the access API (issue #5): /api/me's `access`, /api/access/*, /api/audit and the
// sample /api/stock. Like schemas.ts, objects are not strict and open-ended labels (code kinds, rule
// and change kinds) fall back to a generic form instead of failing the whole answer; each answer's
// schema is tied to its type in common/api (see contract.ts).

/** User ids are strings in /api/me and numbers in the directory; the UI keeps them as strings. */
const idSchema = z.union([z.string(), z.number()]).transform(String);

/** The resources a level covers: every one, or the listed ids. */
export const levelResourcesSchema = z.union([z.literal('all'), z.array(z.string())]);

/** One feature in /api/me: the top level held and, per held level, its resources. */
export const meFeatureAccessSchema = z.object({
  level: z.string().nullable(),
  levels: z.record(z.string(), levelResourcesSchema),
});

/** `access` of GET /api/me: what the signed-in user may do. */
export const meAccessSchema = z.object({
  /** May open the app (allow-list); false → the UI shows the "no access" notice. */
  open: z.boolean(),
  /** Holds access.manage (portal admin or delegate). */
  manage: z.boolean(),
  features: z.record(z.string(), meFeatureAccessSchema),
});

/** What an access code stands for, in the session's language. */
export const codeNameSchema = z.object({
  title: z.string(),
  /** `user | department | departmentTree | group | allUsers | unknown`; another value is shown as unknown. */
  kind: z.string(),
});
export const namesSchema = z.record(z.string(), codeNameSchema);

export const grantSchema = z.object({
  level: z.string(),
  /** Resource ids the level is limited to; absent = all resources of the feature's type. */
  resources: z.array(z.string()).optional(),
});

export const roleSchema = z.object({
  key: z.string().min(1),
  title: z.string(),
  /** Built-in roles (from the manifest) can be edited but not deleted. */
  builtIn: z.boolean(),
  grants: z.record(z.string(), grantSchema),
});

export const assignmentSchema = z.object({ code: z.string(), role: z.string() });

export const policySchema = z.object({
  /** Codes that may open the app; empty = everyone Bitrix24 lets in. */
  allowList: z.array(z.string()),
  roles: z.array(roleSchema),
  assignments: z.array(assignmentSchema),
  /** Codes holding access.manage; only portal admins may change this list. */
  delegates: z.array(z.string()),
  version: z.number().int(),
});

export const manifestLevelSchema = z.object({
  key: z.string(),
  title: z.string(),
  requires: z.array(z.string()),
});

export const manifestFeatureSchema = z.object({
  key: z.string(),
  title: z.string(),
  levels: z.array(z.string()),
  adminOnly: z.boolean(),
  /** The resource type the feature is scoped by (`warehouse`), if any. */
  resource: z.string().nullish(),
});

export const resourceTypeSchema = z.object({
  key: z.string(),
  title: z.string(),
  resources: z.array(z.object({ id: z.string(), name: z.string() })),
});

export const accessManifestSchema = z.object({
  /** In order: a later level is more permissive. */
  levels: z.array(manifestLevelSchema),
  features: z.array(manifestFeatureSchema),
  resourceTypes: z.array(resourceTypeSchema),
  builtInRoles: z.array(z.string()),
});

/** GET /api/access/policy and a successful PUT. */
export const policyResponseSchema = tiedTo<ApiPolicyResponse>()(
  z.object({
    policy: policySchema,
    /** Sent back as If-Match; the same as the ETag header. */
    etag: z.string().min(1),
    manifest: accessManifestSchema,
    names: namesSchema,
  }),
);

export const policyProblemSchema = z.object({ path: z.string(), message: z.string() });

/** Extra fields of a 400 INVALID_POLICY. */
export const invalidPolicyBodySchema = tiedTo<Omit<ApiInvalidPolicyBody, keyof ApiErrorBody>>()(
  z.object({ problems: z.array(policyProblemSchema) }),
);

/** Extra fields of a 409 POLICY_CHANGED: what the other admin saved. */
export const policyChangedBodySchema = tiedTo<Omit<ApiPolicyChangedBody, keyof ApiErrorBody>>()(
  z.object({ current: policyResponseSchema }),
);

const roleRuleSchema = z.object({
  kind: z.literal('role'),
  code: z.string(),
  role: z.string(),
  roleTitle: z.string(),
  feature: z.string(),
  level: z.string(),
  resources: z.array(z.string()).nullable(),
});

const knownRuleSchema = tiedTo<ApiKnownRule>()(
  z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('fired') }),
    z.object({ kind: z.literal('admin') }),
    z.object({ kind: z.literal('adminUnknown') }),
    z.object({ kind: z.literal('allowListEmpty') }),
    z.object({ kind: z.literal('allowList'), code: z.string() }),
    z.object({ kind: z.literal('notInAllowList') }),
    z.object({ kind: z.literal('adminOnly'), feature: z.string() }),
    z.object({ kind: z.literal('delegate'), code: z.string() }),
    roleRuleSchema,
    z.object({ kind: z.literal('noGrant'), feature: z.string(), level: z.string() }),
    z.object({ kind: z.literal('unknown'), feature: z.string(), level: z.string() }),
  ]),
);

/** The rule behind a decision (server/access/rules.ts); a kind this UI does not know becomes `other`. */
export const ruleSchema = z.union([
  knownRuleSchema,
  z.object({ kind: z.string() }).transform((rule) => ({ kind: 'other' as const, name: rule.kind })),
]);

export const decisionLevelSchema = z.object({
  level: z.string(),
  resources: levelResourcesSchema,
  reasons: z.array(ruleSchema),
});

/** GET /api/access/check?user=ID */
export const accessCheckSchema = tiedTo<ApiAccessCheck>()(
  z.object({
    user: z.object({
      id: idSchema,
      fullName: z.string(),
      position: z.string().nullish(),
      active: z.boolean(),
      departments: z.array(z.object({ id: idSchema, name: z.string() })),
    }),
    /** `unknown`: Keycard has not seen this user open the app as an admin. */
    adminStatus: z.enum(['admin', 'notAdmin', 'unknown']),
    codes: z.array(z.string()),
    access: z.object({
      open: z.object({ allowed: z.boolean(), level: z.string().nullable(), reasons: z.array(ruleSchema) }),
      /** Every feature, `access.manage` included. */
      features: z.array(
        z.object({
          feature: z.string(),
          level: z.string().nullable(),
          levels: z.array(decisionLevelSchema),
          denied: z.array(ruleSchema),
        }),
      ),
    }),
    names: namesSchema,
  }),
);

/** GET /api/access/conflicts */
export const conflictsSchema = tiedTo<ApiConflicts>()(
  z.object({
    total: z.number().int().nonnegative(),
    truncated: z.boolean(),
    conflicts: z.array(
      z.object({
        user: z.object({ id: idSchema, fullName: z.string() }),
        feature: z.string(),
        /** The level that wins (the most permissive). */
        level: z.string().nullable(),
        rules: z.array(ruleSchema),
      }),
    ),
    names: namesSchema,
  }),
);

export const grantStateSchema = z.object({ level: z.string(), resources: z.array(z.string()).nullish() });

const action = z.enum(['added', 'removed']);

const knownAuditChangeSchema = tiedTo<ApiKnownAuditChange>()(
  z.union([
    z.object({ kind: z.enum(['allowList', 'delegates']), action, code: z.string() }),
    z.object({
      kind: z.literal('role'),
      action: z.literal('renamed'),
      role: z.string(),
      before: z.string(),
      after: z.string(),
    }),
    z.object({ kind: z.literal('role'), action, role: z.string(), title: z.string() }),
    z.object({
      kind: z.literal('grant'),
      role: z.string(),
      title: z.string(),
      feature: z.string(),
      before: grantStateSchema.nullable(),
      after: grantStateSchema.nullable(),
    }),
    z.object({ kind: z.literal('assignment'), action, code: z.string(), role: z.string(), title: z.string() }),
  ]),
);

/** One change of an audited save; an unknown kind becomes `other`. */
export const auditChangeSchema = z.union([
  knownAuditChangeSchema,
  z.object({ kind: z.string() }).transform((change) => ({ kind: 'other' as const, name: change.kind })),
]);

export const auditEntrySchema = z.object({
  id: idSchema,
  version: z.number().int(),
  /** ms since the epoch */
  at: z.number(),
  actor: z.object({ id: idSchema, name: z.string() }),
  changes: z.array(auditChangeSchema),
});

/** GET /api/audit: newest first; `nextCursor` is null on the last page. */
export const auditPageSchema = tiedTo<ApiAuditPage>()(
  z.object({
    entries: z.array(auditEntrySchema),
    nextCursor: z.string().nullable(),
    names: namesSchema,
  }),
);

/** GET /api/stock: only the warehouses the user may read, and quantities only for them. */
export const stockSchema = tiedTo<ApiStock>()(
  z.object({
    warehouses: z.array(z.object({ id: z.string(), name: z.string(), canEdit: z.boolean() })),
    items: z.array(z.object({ sku: z.string(), name: z.string(), quantities: z.record(z.string(), z.number()) })),
  }),
);

export type LevelResources = z.infer<typeof levelResourcesSchema>;
export type MeAccess = z.infer<typeof meAccessSchema>;
export type CodeName = z.infer<typeof codeNameSchema>;
export type Names = z.infer<typeof namesSchema>;
export type Grant = z.infer<typeof grantSchema>;
export type Role = z.infer<typeof roleSchema>;
export type Assignment = z.infer<typeof assignmentSchema>;
export type Policy = z.infer<typeof policySchema>;
export type ManifestLevel = z.infer<typeof manifestLevelSchema>;
export type ManifestFeature = z.infer<typeof manifestFeatureSchema>;
export type ResourceType = z.infer<typeof resourceTypeSchema>;
export type AccessManifest = z.infer<typeof accessManifestSchema>;
export type PolicyResponse = z.infer<typeof policyResponseSchema>;
export type PolicyProblem = z.infer<typeof policyProblemSchema>;
export type Rule = z.infer<typeof ruleSchema>;
export type RoleRule = z.infer<typeof roleRuleSchema>;
export type DecisionLevel = z.infer<typeof decisionLevelSchema>;
export type AccessCheck = z.infer<typeof accessCheckSchema>;
export type Conflicts = z.infer<typeof conflictsSchema>;
export type GrantState = z.infer<typeof grantStateSchema>;
export type AuditChange = z.infer<typeof auditChangeSchema>;
export type AuditEntry = z.infer<typeof auditEntrySchema>;
export type AuditPage = z.infer<typeof auditPageSchema>;
export type Stock = z.infer<typeof stockSchema>;
