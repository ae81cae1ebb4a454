import * as d from './decode';
import type {
  ApiDepartmentNode,
  ApiDepartments,
  ApiErrorBody,
  ApiMe,
  ApiScopesReport,
  ApiSyncStart,
  ApiSyncStatus,
  ApiUsersPage,
} from '../../common/api';
import { languages } from '../../common/lang';
import { meAccessSchema } from './accessSchemas';
import { tiedTo } from './contract';

// Response shapes of the Keycard server's /api/*. Objects are not strict: a field the server adds
// later is ignored rather than breaking the UI. Each answer's schema is tied to its type in
// common/api (see contract.ts): the types there are the contract with the server, the schemas check
// answers against it at run time, and the type check fails when the two drift apart.

/** `{ "error": code, "message": text }`, the body of every non-2xx /api response. */
export const errorBodySchema = tiedTo<ApiErrorBody>()(
  d.object({
    error: d.string({ min: 1 }),
    message: d.string(),
  }),
);

/** GET /api/me */
export const meSchema = tiedTo<ApiMe>()(
  d.object({
    user: d.object({
      id: d.string(),
      name: d.string(),
      isAdmin: d.nullable(d.boolean()),
    }),
    portal: d.object({
      domain: d.string(),
      memberId: d.string(),
    }),
    lang: d.oneOf(languages),
    /** What the user may do in the app (issue #5); see accessSchemas.ts. */
    access: meAccessSchema,
  }),
);

export const featureRefSchema = d.object({
  key: d.string(),
  title: d.string(),
});

export const scopeInfoSchema = d.object({
  code: d.string(),
  title: d.string(),
  description: d.string(),
  granted: d.boolean(),
  /** Features that use this scope (all of them are off while it is missing). */
  features: d.array(featureRefSchema),
});

export const unavailableFeatureSchema = d.object({
  key: d.string(),
  title: d.string(),
  missingScopes: d.array(d.string()),
});

/** GET /api/scopes; texts are already localized by the server. */
export const scopesReportSchema = tiedTo<ApiScopesReport>()(
  d.object({
    /** `stored`: the portal could not be asked just now; `granted` comes from the install. */
    source: d.oneOf(['portal', 'stored']),
    scopes: d.array(scopeInfoSchema),
    unavailableFeatures: d.array(unavailableFeatureSchema),
  }),
);

export type Me = d.Infer<typeof meSchema>;
export type FeatureRef = d.Infer<typeof featureRefSchema>;
export type ScopeInfo = d.Infer<typeof scopeInfoSchema>;
export type UnavailableFeature = d.Infer<typeof unavailableFeatureSchema>;
export type ScopesReport = d.Infer<typeof scopesReportSchema>;

// ---- Directory mirror: GET/POST /api/sync, GET /api/directory/* ----
// Optional objects are `nullish`: a server that writes `null` instead of leaving the field out is
// read the same way. Open-ended labels (sync phase, trigger, user type) are plain strings: a value
// the UI does not know is shown generically instead of failing the whole answer.

/** Sync phases the UI has a label for; any other phase is shown as "Syncing…". */
export const KNOWN_SYNC_PHASES = ['departments', 'users', 'workgroups'] as const;
export type KnownSyncPhase = (typeof KNOWN_SYNC_PHASES)[number];

export const syncPhaseSchema = d.string({ min: 1 });

/** How far the running sync got; there is no total, Bitrix24 only tells it page by page. */
export const syncProgressSchema = d.object({
  phase: syncPhaseSchema,
  users: d.number({ int: true, min: 0 }),
  departments: d.number({ int: true, min: 0 }),
  workgroups: d.number({ int: true, min: 0 }),
  /** REST calls made so far. */
  requests: d.number({ int: true, min: 0 }),
  startedAt: d.number(),
});

export const syncRunSchema = d.object({
  /** What started it: `install`, `schedule`, `admin`, `resume`, … (not shown). */
  trigger: d.string(),
  startedAt: d.number(),
  finishedAt: d.number(),
  durationMs: d.number({ min: 0 }),
  users: d.number({ int: true, min: 0 }),
  departments: d.number({ int: true, min: 0 }),
  workgroups: d.number({ int: true, min: 0 }),
  requests: d.number({ int: true, min: 0 }),
});

/** GET /api/sync */
export const syncStatusSchema = tiedTo<ApiSyncStatus>()(
  d.object({
    state: d.oneOf(['never', 'running', 'idle', 'failed']),
    /** Snapshot the directory endpoints serve; `null` before the first sync finished. */
    generation: d.nullable(d.number({ int: true })),
    /** When that snapshot was completed (ms since the epoch). */
    refreshedAt: d.nullable(d.number()),
    progress: d.nullish(syncProgressSchema),
    lastRun: d.nullish(syncRunSchema),
    lastError: d.nullish(d.object({ code: d.string(), message: d.string(), at: d.number() })),
    workgroups: d.object({
      available: d.boolean(),
      /** The scope the portal did not grant (`sonet_group`). */
      missingScope: d.nullish(d.string()),
    }),
    shown: d.nullish(
      d.object({
        users: d.number({ int: true, min: 0 }),
        activeUsers: d.number({ int: true, min: 0 }),
        departments: d.number({ int: true, min: 0 }),
      }),
    ),
  }),
);

/** POST /api/sync (202); `started` is false when a sync was already running. */
export const syncStartSchema = tiedTo<ApiSyncStart>()(
  d.object({
    started: d.boolean(),
    status: syncStatusSchema,
  }),
);

/** A department with its sub-departments; `members` counts direct members only. */
export const departmentNodeSchema: d.Decoder<ApiDepartmentNode> = d.object({
  id: d.number({ int: true }),
  name: d.string(),
  sort: d.number(),
  head: d.nullable(d.object({ id: d.number({ int: true }), name: d.string(), active: d.boolean() })),
  members: d.number({ int: true, min: 0 }),
  membersWithSubdepartments: d.number({ int: true, min: 0 }),
  // A recursive shape needs its type written out: the contract's.
  children: d.lazy(() => d.array(departmentNodeSchema)),
});

/** GET /api/directory/departments */
export const departmentsResponseSchema = tiedTo<ApiDepartments>()(
  d.object({
    generation: d.nullable(d.number({ int: true })),
    refreshedAt: d.nullable(d.number()),
    tree: d.array(departmentNodeSchema),
  }),
);

export const directoryUserSchema = d.object({
  id: d.number({ int: true }),
  name: d.string(),
  lastName: d.string(),
  fullName: d.string(),
  email: d.nullable(d.string()),
  position: d.string(),
  /** Bitrix24 USER_TYPE: `employee`, `extranet`, or another kind the UI shows without a badge. */
  type: d.string(),
  /** `false` for fired (deactivated) users. */
  active: d.boolean(),
  photo: d.nullable(d.string()),
  departments: d.array(d.object({ id: d.number({ int: true }), name: d.string() })),
});

/** GET /api/directory/users: one page; `total` counts every match, `nextCursor` is null on the last page. */
export const usersPageSchema = tiedTo<ApiUsersPage>()(
  d.object({
    generation: d.nullable(d.number({ int: true })),
    total: d.number({ int: true, min: 0 }),
    nextCursor: d.nullable(d.string()),
    users: d.array(directoryUserSchema),
  }),
);

export type SyncPhase = d.Infer<typeof syncPhaseSchema>;
export type SyncProgress = d.Infer<typeof syncProgressSchema>;
export type SyncRun = d.Infer<typeof syncRunSchema>;
export type SyncStatus = d.Infer<typeof syncStatusSchema>;
export type SyncStart = d.Infer<typeof syncStartSchema>;
export type DepartmentNode = ApiDepartmentNode;
export type DepartmentsResponse = d.Infer<typeof departmentsResponseSchema>;
export type DirectoryUser = d.Infer<typeof directoryUserSchema>;
export type UsersPage = d.Infer<typeof usersPageSchema>;
