import type { CurrentGeneration, DirectoryOverlay, WorkgroupAvailability } from './directory-documents.js';
import type { DirectoryRepository } from './directory-repository.js';
import { decodeDepartment, decodeGroup, decodeMembers, decodeUser, type DirectoryUser } from './records.js';
import { buildSnapshot, emptySnapshot, type DirectorySnapshot } from './snapshot.js';

/** Overlay entries that apply on top of a generation: those made after it started (older ones are in it). */
export function overlayUsers(overlay: DirectoryOverlay, current: CurrentGeneration | null): DirectoryUser[] {
  const since = current?.startedAt ?? Number.NEGATIVE_INFINITY;
  return Object.values(overlay.users)
    .filter((entry) => entry.at >= since)
    .map((entry) => decodeUser(entry.row));
}

interface Cached {
  generation: number | null;
  rev: number;
  snapshot: DirectorySnapshot;
}

/**
 * Snapshots per portal, keyed by generation and overlay revision. A new generation is loaded from its
 * chunks once (concurrent readers share the load); an overlay change on the same generation only swaps
 * the users map, so an ONUSERADD does not reload 50k users. At most `capacity` portals stay cached
 * (least recently used goes first).
 */
export class SnapshotCache {
  readonly #store: DirectoryRepository;
  readonly #capacity: number;
  readonly #cached = new Map<string, Cached>();
  readonly #loading = new Map<string, { generation: number; promise: Promise<DirectorySnapshot> }>();

  constructor(store: DirectoryRepository, capacity: number) {
    this.#store = store;
    this.#capacity = capacity;
  }

  async get(
    memberId: string,
    current: CurrentGeneration | null,
    overlay: DirectoryOverlay,
    workgroups: () => Promise<WorkgroupAvailability>,
  ): Promise<DirectorySnapshot> {
    const generation = current?.generation ?? null;
    const cached = this.#cached.get(memberId);
    if (cached?.generation === generation && cached.rev === overlay.rev) {
      this.#touch(memberId, cached);
      return cached.snapshot;
    }
    let base: DirectorySnapshot;
    if (cached !== undefined && cached.generation === generation) base = cached.snapshot;
    else if (current === null) base = emptySnapshot(memberId, await workgroups());
    else base = await this.#load(memberId, current);
    const snapshot = withUsers(base, overlayUsers(overlay, current));
    this.#touch(memberId, { generation, rev: overlay.rev, snapshot });
    return snapshot;
  }

  forget(memberId: string): void {
    this.#cached.delete(memberId);
    this.#loading.delete(memberId);
  }

  #touch(memberId: string, entry: Cached): void {
    this.#cached.delete(memberId);
    this.#cached.set(memberId, entry);
    while (this.#cached.size > this.#capacity) {
      const oldest = this.#cached.keys().next();
      if (oldest.done === true) break;
      this.#cached.delete(oldest.value);
    }
  }

  #load(memberId: string, current: CurrentGeneration): Promise<DirectorySnapshot> {
    const loading = this.#loading.get(memberId);
    if (loading?.generation === current.generation) return loading.promise;
    const promise = this.#read(memberId, current).finally(() => {
      if (this.#loading.get(memberId)?.promise === promise) this.#loading.delete(memberId);
    });
    this.#loading.set(memberId, { generation: current.generation, promise });
    return promise;
  }

  async #read(memberId: string, current: CurrentGeneration): Promise<DirectorySnapshot> {
    const { generation, chunks } = current;
    const users: DirectoryUser[] = [];
    for (let index = 0; index < chunks.u; index++)
      for (const row of await this.#store.userChunk(memberId, generation, index)) users.push(decodeUser(row));
    const departments = [];
    for (let index = 0; index < chunks.d; index++)
      for (const row of await this.#store.departmentChunk(memberId, generation, index))
        departments.push(decodeDepartment(row));
    const groups = [];
    const members = [];
    if (current.workgroups.available) {
      for (let index = 0; index < chunks.g; index++)
        for (const row of await this.#store.groupChunk(memberId, generation, index)) groups.push(decodeGroup(row));
      for (let index = 0; index < chunks.m; index++)
        for (const row of await this.#store.membersChunk(memberId, generation, index)) members.push(decodeMembers(row));
    }
    return buildSnapshot({
      memberId,
      generation,
      refreshedAt: current.completedAt,
      workgroups: current.workgroups,
      users,
      departments,
      groups,
      members,
    });
  }
}

/** The same snapshot with some users replaced or added (everything else shared). */
function withUsers(base: DirectorySnapshot, updates: readonly DirectoryUser[]): DirectorySnapshot {
  if (updates.length === 0) return base;
  const users = new Map(base.users);
  for (const user of updates) users.set(user.id, user);
  return { ...base, users };
}
