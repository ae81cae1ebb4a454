import { z } from 'zod';
import type {
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
  z.object({
    error: z.string().min(1),
    message: z.string(),
  }),
);

/** GET /api/me */
export const meSchema = tiedTo<ApiMe>()(
  z.object({
    user: z.object({
      id: z.string(),
      name: z.string(),
      isAdmin: z.boolean().nullable(),
    }),
    portal: z.object({
      domain: z.string(),
      memberId: z.string(),
    }),
    lang: z.enum(languages),
    /** What the user may do in the app (issue #5); see accessSchemas.ts. */
    access: meAccessSchema,
  }),
);

export const featureRefSchema = z.object({
  key: z.string(),
  title: z.string(),
});

export const scopeInfoSchema = z.object({
  code: z.string(),
  title: z.string(),
  description: z.string(),
  granted: z.boolean(),
  /** Features that use this scope (all of them are off while it is missing). */
  features: z.array(featureRefSchema),
});

export const unavailableFeatureSchema = z.object({
  key: z.string(),
  title: z.string(),
  missingScopes: z.array(z.string()),
});

/** GET /api/scopes; texts are already localized by the server. */
export const scopesReportSchema = tiedTo<ApiScopesReport>()(
  z.object({
    /** `stored`: the portal could not be asked just now; `granted` comes from the install. */
    source: z.enum(['portal', 'stored']),
    scopes: z.array(scopeInfoSchema),
    unavailableFeatures: z.array(unavailableFeatureSchema),
  }),
);

export type Me = z.infer<typeof meSchema>;
export type FeatureRef = z.infer<typeof featureRefSchema>;
export type ScopeInfo = z.infer<typeof scopeInfoSchema>;
export type UnavailableFeature = z.infer<typeof unavailableFeatureSchema>;
export type ScopesReport = z.infer<typeof scopesReportSchema>;

// ---- Directory mirror: GET/POST /api/sync, GET /api/directory/* ----
// Optional objects are `nullish`: a server that writes `null` instead of leaving the field out is
// read the same way. Open-ended labels (sync phase, trigger, user type) are plain strings: a value
// the UI does not know is shown generically instead of failing the whole answer.

/** Sync phases the UI has a label for; any other phase is shown as "Syncing…". */
export const KNOWN_SYNC_PHASES = ['departments', 'users', 'workgroups'] as const;
export type KnownSyncPhase = (typeof KNOWN_SYNC_PHASES)[number];

export const syncPhaseSchema = z.string().min(1);

/** How far the running sync got; there is no total, Bitrix24 only tells it page by page. */
export const syncProgressSchema = z.object({
  phase: syncPhaseSchema,
  users: z.number().int().nonnegative(),
  departments: z.number().int().nonnegative(),
  workgroups: z.number().int().nonnegative(),
  /** REST calls made so far. */
  requests: z.number().int().nonnegative(),
  startedAt: z.number(),
});

export const syncRunSchema = z.object({
  /** What started it: `install`, `schedule`, `admin`, `resume`, … (not shown). */
  trigger: z.string(),
  startedAt: z.number(),
  finishedAt: z.number(),
  durationMs: z.number().nonnegative(),
  users: z.number().int().nonnegative(),
  departments: z.number().int().nonnegative(),
  workgroups: z.number().int().nonnegative(),
  requests: z.number().int().nonnegative(),
});

/** GET /api/sync */
export const syncStatusSchema = tiedTo<ApiSyncStatus>()(
  z.object({
    state: z.enum(['never', 'running', 'idle', 'failed']),
    /** Snapshot the directory endpoints serve; `null` before the first sync finished. */
    generation: z.number().int().nullable(),
    /** When that snapshot was completed (ms since the epoch). */
    refreshedAt: z.number().nullable(),
    progress: syncProgressSchema.nullish(),
    lastRun: syncRunSchema.nullish(),
    lastError: z.object({ code: z.string(), message: z.string(), at: z.number() }).nullish(),
    workgroups: z.object({
      available: z.boolean(),
      /** The scope the portal did not grant (`sonet_group`). */
      missingScope: z.string().nullish(),
    }),
  }),
);

/** POST /api/sync (202); `started` is false when a sync was already running. */
export const syncStartSchema = tiedTo<ApiSyncStart>()(
  z.object({
    started: z.boolean(),
    status: syncStatusSchema,
  }),
);

/** A department with its sub-departments; `members` counts direct members only. */
export const departmentNodeSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  sort: z.number(),
  head: z.object({ id: z.number().int(), name: z.string() }).nullable(),
  members: z.number().int().nonnegative(),
  membersWithSubdepartments: z.number().int().nonnegative(),
  get children() {
    return z.array(departmentNodeSchema);
  },
});

/** GET /api/directory/departments */
export const departmentsResponseSchema = tiedTo<ApiDepartments>()(
  z.object({
    generation: z.number().int().nullable(),
    refreshedAt: z.number().nullable(),
    tree: z.array(departmentNodeSchema),
  }),
);

export const directoryUserSchema = z.object({
  id: z.number().int(),
  name: z.string(),
  lastName: z.string(),
  fullName: z.string(),
  email: z.string().nullable(),
  position: z.string(),
  /** Bitrix24 USER_TYPE: `employee`, `extranet`, or another kind the UI shows without a badge. */
  type: z.string(),
  /** `false` for fired (deactivated) users. */
  active: z.boolean(),
  photo: z.string().nullable(),
  departments: z.array(z.object({ id: z.number().int(), name: z.string() })),
});

/** GET /api/directory/users: one page; `total` counts every match, `nextCursor` is null on the last page. */
export const usersPageSchema = tiedTo<ApiUsersPage>()(
  z.object({
    generation: z.number().int().nullable(),
    total: z.number().int().nonnegative(),
    nextCursor: z.string().nullable(),
    users: z.array(directoryUserSchema),
  }),
);

export type SyncPhase = z.infer<typeof syncPhaseSchema>;
export type SyncProgress = z.infer<typeof syncProgressSchema>;
export type SyncRun = z.infer<typeof syncRunSchema>;
export type SyncStatus = z.infer<typeof syncStatusSchema>;
export type SyncStart = z.infer<typeof syncStartSchema>;
export type DepartmentNode = z.infer<typeof departmentNodeSchema>;
export type DepartmentsResponse = z.infer<typeof departmentsResponseSchema>;
export type DirectoryUser = z.infer<typeof directoryUserSchema>;
export type UsersPage = z.infer<typeof usersPageSchema>;
