import { UnavailableError } from '../errors.js';
import type { Documents } from '../store/documents.js';
import { InProcessLocks, type Locks } from '../store/locks.js';
import { ReadCache } from '../store/read-cache.js';
import type { PortalDataOwner } from './data-owner.js';
import { installationSchema, type Installation } from './installation-record.js';
import { entryOf, InstallationIndex, type IndexEntry } from './installation-index.js';
import { transition } from './installation-state.js';

/**
 * Installation records, one per portal. Every write goes through `update` and is checked against the
 * lifecycle (`transition`): no path can take an installation through a step the lifecycle does not have.
 */
export interface InstallationRepository extends PortalDataOwner {
  get(memberId: string): Promise<Installation | undefined>;
  /**
   * Reads the current record, lets `change` derive the next one from it, and writes that, one update of a
   * portal at a time: writers patch what they own on the latest record instead of saving a stale copy over
   * someone else's change (a renewed refresh token, a newly stored application token). `change` returning
   * undefined writes nothing. Throws TransitionError (nothing written) for an illegal state change.
   */
  update(
    memberId: string,
    change: (current: Installation | undefined) => Installation | undefined,
  ): Promise<Installation | undefined>;
  /** Writes `installation` over whatever is stored (same lock and lifecycle check as `update`). */
  save(installation: Installation): Promise<void>;
  /**
   * Member ids of the active installations in use: opened (or installed) since `since`, and not waiting for an
   * uninstall to be confirmed. The scheduled reconcile visits only these.
   */
  listInUse(since: number): Promise<string[]>;
  /** Every installation's index entry (state, last open, pending uninstall check), without reading the records. */
  index(): Promise<Record<string, IndexEntry>>;
  /** Builds the index from the records if the store has none yet (start-up, once). */
  ensureIndex(): Promise<void>;
}

/** Another lock holder wrote the record after this one's lease lapsed: nothing was written; try again. */
export class LeaseLostError extends UnavailableError {
  constructor() {
    super('LEASE_LOST', 'Another instance changed this portal meanwhile. Nothing was changed; try again.', {
      retryAfterSeconds: 1,
    });
  }
}

/** The repository on the documents layer: `portal:<memberId>`, parsed records cached in this process. */
export class DocumentInstallationRepository implements InstallationRepository {
  readonly #documents: Documents;
  /**
   * Every API call reads its portal's record: parsed records stay in memory (shallowly frozen against accidental
   * edits).
   */
  readonly #cache: ReadCache<Readonly<Installation> | undefined>;
  /** One read-modify-write of a portal's record at a time, across every instance sharing the locks. */
  readonly #locks: Locks;
  readonly #index: InstallationIndex;

  readonly #cacheReads: boolean;

  /** `cacheReads: false` when several instances share the store (their writes would not reach this cache). */
  constructor(deps: { documents: Documents; locks?: Locks; cacheReads?: boolean }) {
    this.#cacheReads = deps.cacheReads ?? true;
    this.#documents = deps.documents;
    this.#locks = deps.locks ?? new InProcessLocks();
    this.#cache = new ReadCache({ enabled: deps.cacheReads ?? true });
    this.#index = new InstallationIndex({ documents: deps.documents, locks: this.#locks });
  }

  async get(memberId: string): Promise<Installation | undefined> {
    const installation = await this.#cache.read(memberId, async () => {
      const stored = await this.#documents.get(key(memberId), installationSchema);
      return stored === undefined ? undefined : Object.freeze(stored);
    });
    // "No such portal" is not kept: anyone can send any member_id, and must not push real portals out.
    if (installation === undefined) this.#cache.forget(memberId);
    return installation;
  }

  update(
    memberId: string,
    change: (current: Installation | undefined) => Installation | undefined,
  ): Promise<Installation | undefined> {
    return this.#locks.withLock(memberId, 'portal', async (fence) => {
      const current = await this.get(memberId);
      const updated = change(current);
      if (updated === undefined) return undefined;
      transition(current?.state, updated.state);
      const parsed = Object.freeze(installationSchema.parse({ ...updated, fence }));
      // A holder whose lease lapsed while it worked meets the record of the holder after it: it must not write.
      // (Read again just before the write; the store has no compare-and-set, so one round trip stays open.)
      const latest = this.#cacheReads ? current : await this.#documents.get(key(memberId), installationSchema);
      if ((latest?.fence ?? 0) > fence) throw new LeaseLostError();
      await this.#cache.write(memberId, parsed, () => this.#documents.set(key(memberId), parsed));
      await this.#index.put(memberId, entryOf(parsed));
      return updated;
    });
  }

  async save(installation: Installation): Promise<void> {
    await this.update(installation.memberId, () => installation);
  }

  async listInUse(since: number): Promise<string[]> {
    return Object.entries(await this.#index.entries())
      .filter(
        ([, entry]) =>
          entry.state === 'active' &&
          entry.uninstallCheckAt === undefined &&
          // An entry from before the index knew dates counts as in use until its record is next written.
          (entry.lastOpenedAt ?? entry.createdAt ?? Number.POSITIVE_INFINITY) >= since,
      )
      .map(([memberId]) => memberId);
  }

  index(): Promise<Record<string, IndexEntry>> {
    return this.#index.entries();
  }

  ensureIndex(): Promise<void> {
    return this.#index.ensure();
  }

  async purgePortal(memberId: string): Promise<void> {
    await this.#locks.withLock(memberId, 'portal', async () => {
      try {
        await this.#documents.delete(key(memberId));
      } finally {
        this.#cache.forget(memberId);
      }
      await this.#index.put(memberId, undefined);
    });
  }
}

function key(memberId: string): string {
  return `portal:${memberId}`;
}
