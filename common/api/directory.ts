// GET/POST /api/sync, GET /api/directory/departments and /users (see index.ts for what these types promise).

/** How far the running sync got (no total: Bitrix24 tells it page by page). */
export interface ApiSyncProgress {
  /** `departments`, `users`, `workgroups`, `workgroup-members`. */
  phase: string;
  users: number;
  departments: number;
  workgroups: number;
  /** REST calls made so far. */
  requests: number;
  startedAt: number;
}

/** What the last completed sync did. */
export interface ApiSyncRun {
  /** `install`, `admin`, `schedule`, `open`, `event`, `manual`. */
  trigger: string;
  startedAt: number;
  finishedAt: number;
  durationMs: number;
  users: number;
  departments: number;
  workgroups: number;
  requests: number;
}

/** GET /api/sync */
export interface ApiSyncStatus {
  state: 'never' | 'running' | 'idle' | 'failed';
  /** The snapshot the directory answers serve; null before the first sync finished. */
  generation: number | null;
  /** When that snapshot was completed (ms since the epoch). */
  refreshedAt: number | null;
  /** While running. */
  progress?: ApiSyncProgress | null;
  lastRun?: ApiSyncRun | null;
  /** The code and safe message of the last failure. */
  lastError?: { code: string; message: string; at: number } | null;
  /** `missingScope` (`sonet_group`) when the portal did not grant workgroups. */
  workgroups: { available: boolean; missingScope?: string | null };
  /**
   * The current snapshot as the directory shows it: `activeUsers` is its default list (active users),
   * `users` every mirrored user (fired too), `departments` every department. Absent before the first sync.
   */
  shown?: { users: number; activeUsers: number; departments: number } | null;
}

/** POST /api/sync (202); `started` is false when a sync was already running. */
export interface ApiSyncStart {
  started: boolean;
  status: ApiSyncStatus;
}

/** A department with its sub-departments; member counts are of active users. */
export interface ApiDepartmentNode {
  id: number;
  name: string;
  sort: number;
  /** `active` is false for a fired head, whom Bitrix24 still names as the department's head. */
  head: { id: number; name: string; active: boolean } | null;
  /** Users directly in the department. */
  members: number;
  /** Users in the department or any sub-department, each counted once. */
  membersWithSubdepartments: number;
  children: ApiDepartmentNode[];
}

/** GET /api/directory/departments; empty with `generation: null` before the first sync. */
export interface ApiDepartments {
  generation: number | null;
  refreshedAt: number | null;
  tree: ApiDepartmentNode[];
}

/** A mirrored user. */
export interface ApiDirectoryUser {
  id: number;
  name: string;
  lastName: string;
  fullName: string;
  email: string | null;
  position: string;
  /** Bitrix24 USER_TYPE: `employee`, `extranet`, or another kind. */
  type: string;
  /** False for fired (deactivated) users. */
  active: boolean;
  photo: string | null;
  departments: { id: number; name: string }[];
}

/** GET /api/directory/users: one page; `total` counts every match, `nextCursor` is null on the last page. */
export interface ApiUsersPage {
  generation: number | null;
  total: number;
  nextCursor: string | null;
  users: ApiDirectoryUser[];
}
