import { z } from 'zod';
import { StoreUnavailableError } from '../errors.js';
import type { Documents } from '../store/documents.js';
import { ReadCache } from '../store/read-cache.js';
import {
  departmentChunkSchema,
  groupChunkSchema,
  membersChunkSchema,
  userChunkSchema,
  userTupleSchema,
  type DepartmentTuple,
  type GroupTuple,
  type MembersTuple,
  type UserTuple,
} from './records.js';

/*
 * Storage layout on the documents layer, one document per thing:
 *
 *   directory:<memberId>:meta                 current generation, the build in progress (lease +
 *                                             checkpoint), last run, last error
 *   directory:<memberId>:g<gen>:<kind>:<n>    chunk n of a generation: d departments, u users,
 *                                             g workgroups, m workgroup members; one per REST batch
 *   directory:<memberId>:overlay              incremental updates (ONUSERADD, per-open refresh) since
 *                                             the generation started, changed only under a lock
 *
 * Readers load only the chunks of `current`; a build writes chunks of its own generation and becomes
 * current by one write of the meta document. Chunks of the previous generation are deleted afterwards.
 */

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

const metaSchema = z.object({
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

const overlaySchema = z.object({
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

/** The directory documents of every portal: meta, overlay, and the chunks of each generation. */
export interface DirectoryRepository {
  /** The meta as stored now (the lease, the flip and the overlay update decide on it). */
  meta(memberId: string): Promise<DirectoryMeta>;
  /** The meta as this process last read or wrote it (read-only: for finding the snapshot). */
  currentMeta(memberId: string): Promise<Readonly<DirectoryMeta>>;
  putMeta(memberId: string, meta: DirectoryMeta): Promise<void>;
  overlay(memberId: string): Promise<DirectoryOverlay>;
  /** The overlay as this process last read or wrote it (read-only: for building the snapshot). */
  currentOverlay(memberId: string): Promise<Readonly<DirectoryOverlay>>;
  putOverlay(memberId: string, overlay: DirectoryOverlay): Promise<void>;
  /** Drops what this process remembers of the portal's meta and overlay; the next reads go to the store. */
  forgetCurrent(memberId: string): void;
  putChunk(memberId: string, generation: number, index: number, chunk: PendingChunk): Promise<void>;
  /** Rows of one chunk; a missing chunk is a store failure (only complete generations and live builds are read). */
  userChunk(memberId: string, generation: number, index: number): Promise<UserTuple[]>;
  departmentChunk(memberId: string, generation: number, index: number): Promise<DepartmentTuple[]>;
  groupChunk(memberId: string, generation: number, index: number): Promise<GroupTuple[]>;
  membersChunk(memberId: string, generation: number, index: number): Promise<MembersTuple[]>;
  /** Deletes every chunk of a generation (`counts`: how many of each kind were written). */
  deleteGeneration(memberId: string, generation: number, counts: ChunkCounts): Promise<void>;
  deleteMeta(memberId: string): Promise<void>;
  deleteOverlay(memberId: string): Promise<void>;
}

/** The repository on the documents layer. */
export class DocumentDirectoryRepository implements DirectoryRepository {
  readonly #documents: Documents;
  /**
   * Meta and overlay are read on every API call to find the current snapshot: `currentMeta`/`currentOverlay`
   * answer from memory. `meta`/`overlay` always read the store — the lease, the flip and the overlay update
   * decide on them, and another instance may have written since.
   */
  readonly #metas: ReadCache<DirectoryMeta>;
  readonly #overlays: ReadCache<DirectoryOverlay>;

  /** `cacheReads: false` when several instances share the store (their writes would not reach these caches). */
  constructor(deps: { documents: Documents; cacheReads?: boolean }) {
    this.#documents = deps.documents;
    this.#metas = new ReadCache({ enabled: deps.cacheReads ?? true });
    this.#overlays = new ReadCache({ enabled: deps.cacheReads ?? true });
  }

  async meta(memberId: string): Promise<DirectoryMeta> {
    return (await this.#documents.get(metaKey(memberId), metaSchema)) ?? emptyMeta();
  }

  currentMeta(memberId: string): Promise<Readonly<DirectoryMeta>> {
    return this.#metas.read(memberId, () => this.meta(memberId));
  }

  async putMeta(memberId: string, meta: DirectoryMeta): Promise<void> {
    const parsed = metaSchema.parse(meta);
    await this.#metas.write(memberId, structuredClone(parsed), () => this.#documents.set(metaKey(memberId), parsed));
  }

  async overlay(memberId: string): Promise<DirectoryOverlay> {
    return (await this.#documents.get(overlayKey(memberId), overlaySchema)) ?? emptyOverlay();
  }

  forgetCurrent(memberId: string): void {
    this.#metas.forget(memberId);
    this.#overlays.forget(memberId);
  }

  currentOverlay(memberId: string): Promise<Readonly<DirectoryOverlay>> {
    return this.#overlays.read(memberId, () => this.overlay(memberId));
  }

  async putOverlay(memberId: string, overlay: DirectoryOverlay): Promise<void> {
    await this.#overlays.write(memberId, structuredClone(overlay), () =>
      this.#documents.set(overlayKey(memberId), overlay),
    );
  }

  async putChunk(memberId: string, generation: number, index: number, chunk: PendingChunk): Promise<void> {
    await this.#documents.set(chunkKey(memberId, generation, chunk.kind, index), { rows: chunk.rows });
  }

  userChunk(memberId: string, generation: number, index: number): Promise<UserTuple[]> {
    return this.#chunk(chunkKey(memberId, generation, 'u', index), userChunkSchema);
  }

  departmentChunk(memberId: string, generation: number, index: number): Promise<DepartmentTuple[]> {
    return this.#chunk(chunkKey(memberId, generation, 'd', index), departmentChunkSchema);
  }

  groupChunk(memberId: string, generation: number, index: number): Promise<GroupTuple[]> {
    return this.#chunk(chunkKey(memberId, generation, 'g', index), groupChunkSchema);
  }

  membersChunk(memberId: string, generation: number, index: number): Promise<MembersTuple[]> {
    return this.#chunk(chunkKey(memberId, generation, 'm', index), membersChunkSchema);
  }

  async #chunk<T>(key: string, schema: z.ZodType<{ rows: T[] }>): Promise<T[]> {
    const chunk = await this.#documents.get(key, schema);
    if (chunk === undefined)
      throw new StoreUnavailableError(undefined, { cause: new Error(`directory chunk ${key} is missing`) });
    return chunk.rows;
  }

  async deleteGeneration(memberId: string, generation: number, counts: ChunkCounts): Promise<void> {
    const keys: string[] = [];
    for (const kind of chunkKinds)
      for (let index = 0; index < counts[kind]; index++) keys.push(chunkKey(memberId, generation, kind, index));
    await this.#documents.deleteMany(keys);
  }

  async deleteMeta(memberId: string): Promise<void> {
    try {
      await this.#documents.delete(metaKey(memberId));
    } finally {
      this.#metas.forget(memberId);
    }
  }

  async deleteOverlay(memberId: string): Promise<void> {
    try {
      await this.#documents.delete(overlayKey(memberId));
    } finally {
      this.#overlays.forget(memberId);
    }
  }
}

function metaKey(memberId: string): string {
  return `directory:${memberId}:meta`;
}

function overlayKey(memberId: string): string {
  return `directory:${memberId}:overlay`;
}

function chunkKey(memberId: string, generation: number, kind: ChunkKind, index: number): string {
  return `directory:${memberId}:g${generation}:${kind}:${index}`;
}
