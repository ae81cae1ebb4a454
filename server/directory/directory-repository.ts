import type { z } from 'zod';
import { StoreUnavailableError } from '../errors.js';
import type { Documents } from '../store/documents.js';
import { ReadCache } from '../store/read-cache.js';
import {
  chunkKinds,
  emptyMeta,
  emptyOverlay,
  metaSchema,
  overlaySchema,
  type ChunkCounts,
  type ChunkKind,
  type DirectoryMeta,
  type DirectoryOverlay,
  type PendingChunk,
} from './directory-documents.js';
import {
  departmentChunkSchema,
  groupChunkSchema,
  membersChunkSchema,
  userChunkSchema,
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
