import { z } from 'zod';
import {
  userTupleSchema,
  type DepartmentTuple,
  type GroupTuple,
  type MembersTuple,
  type UserTuple,
} from './records.js';

/** The documents of a portal's mirror as stored: the meta document (generations, build, runs) and the overlay. */

export const syncTriggers = ['install', 'admin', 'schedule', 'open', 'event', 'manual'] as const;
export type SyncTrigger = (typeof syncTriggers)[number];

export const syncPhases = ['departments', 'users', 'workgroups', 'workgroup-members'] as const;
export type SyncPhase = (typeof syncPhases)[number];

export const chunkKinds = ['d', 'u', 'g', 'm'] as const;
export type ChunkKind = (typeof chunkKinds)[number];

const count = z.number().int().nonnegative();
const chunkCountsSchema = z.object({ d: count, u: count, g: count, m: count });
export type ChunkCounts = z.infer<typeof chunkCountsSchema>;

const countsSchema = z.object({ users: count, departments: count, workgroups: count });
export type DirectoryCounts = z.infer<typeof countsSchema>;

const workgroupsSchema = z.object({ available: z.boolean(), missingScope: z.string().optional() });
export type WorkgroupAvailability = z.infer<typeof workgroupsSchema>;

/** Where a phase stands: offset paging uses `start`/`total`, the user cursor `afterId`. */
const cursorSchema = z.object({
  start: count,
  total: count.nullable(),
  afterId: count,
  /** Users are paged by ID cursor unless the portal ignored it once. */
  userPaging: z.enum(['cursor', 'offset']),
});
export type PhaseCursor = z.infer<typeof cursorSchema>;

const buildSchema = z.object({
  generation: z.number().int().positive(),
  /** Instance running it; with `leaseUntil` it keeps two syncs of a portal from running at once. */
  owner: z.string(),
  leaseUntil: z.number(),
  trigger: z.enum(syncTriggers),
  startedAt: z.number(),
  /** When the checkpoint was last written; too old a checkpoint is not resumed. */
  checkpointAt: z.number(),
  phase: z.enum(syncPhases),
  cursor: cursorSchema,
  chunks: chunkCountsSchema,
  counts: countsSchema,
  /** HTTP requests made by the build so far (all runs of it). */
  requests: count,
  emailAllowed: z.boolean(),
  workgroups: workgroupsSchema,
});
export type SyncBuild = z.infer<typeof buildSchema>;

const currentSchema = z.object({
  generation: z.number().int().positive(),
  startedAt: z.number(),
  completedAt: z.number(),
  chunks: chunkCountsSchema,
  counts: countsSchema,
  emailAllowed: z.boolean(),
  workgroups: workgroupsSchema,
});
export type CurrentGeneration = z.infer<typeof currentSchema>;

const lastRunSchema = z.object({
  trigger: z.enum(syncTriggers),
  generation: z.number().int().positive(),
  startedAt: z.number(),
  finishedAt: z.number(),
  durationMs: count,
  users: count,
  departments: count,
  workgroups: count,
  requests: count,
  resumed: z.boolean(),
});
export type LastRun = z.infer<typeof lastRunSchema>;

const lastErrorSchema = z.object({ code: z.string(), message: z.string(), at: z.number() });
export type LastError = z.infer<typeof lastErrorSchema>;

export const metaSchema = z.object({
  nextGeneration: z.number().int().positive(),
  current: currentSchema.nullable(),
  build: buildSchema.nullable(),
  lastRun: lastRunSchema.nullable(),
  lastError: lastErrorSchema.nullable(),
});
export type DirectoryMeta = z.infer<typeof metaSchema>;

export const emptyMeta = (): DirectoryMeta => ({
  nextGeneration: 1,
  current: null,
  build: null,
  lastRun: null,
  lastError: null,
});

export const overlaySchema = z.object({
  /** Bumped on every write, so cached snapshots know they are stale. */
  rev: count,
  users: z.record(z.string(), z.object({ at: z.number(), row: userTupleSchema })),
});
export type DirectoryOverlay = z.infer<typeof overlaySchema>;

export const emptyOverlay = (): DirectoryOverlay => ({ rev: 0, users: {} });

interface ChunkRows {
  d: DepartmentTuple[];
  u: UserTuple[];
  g: GroupTuple[];
  m: MembersTuple[];
}

/** The rows one request brought, to be written as the build's next chunk of their kind. */
export type PendingChunk = { [K in ChunkKind]: { kind: K; rows: ChunkRows[K] } }[ChunkKind];
