import { z } from 'zod';
import type { Documents } from '../store/documents.js';
import type { Locks } from '../store/locks.js';
import { installationSchema, type Installation } from './installation-record.js';
import { installationStates } from './installation-state.js';

/** What the background work needs to know of an installation without reading its record. */
const entrySchema = z.object({
  state: z.enum(installationStates),
  /** When someone last opened the app (the reconcile visits only portals in use). */
  lastOpenedAt: z.number().optional(),
  /** When it was installed: a portal nobody has opened yet is in use from then. */
  createdAt: z.number().optional(),
  /** When an unconfirmed uninstall is next checked with Bitrix24. */
  uninstallCheckAt: z.number().optional(),
});
export type IndexEntry = z.infer<typeof entrySchema>;

const indexSchema = z.object({ entries: z.record(z.string(), entrySchema) });

const KEY = 'portal-index';

/** The index entry of a record (what the index keeps of it). */
export function entryOf(installation: Installation): IndexEntry {
  return {
    state: installation.state,
    createdAt: installation.createdAt,
    ...(installation.lastOpenedAt === undefined ? {} : { lastOpenedAt: installation.lastOpenedAt }),
    ...(installation.uninstall === undefined ? {} : { uninstallCheckAt: installation.uninstall.nextCheckAt }),
  };
}

function sameEntry(a: IndexEntry | undefined, b: IndexEntry | undefined): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

/**
 * One document listing every installation with what the scheduled work needs (state, last open, pending
 * uninstall check), so no instance has to walk the whole store. Changed only under its own lock (a read-modify-
 * write of a shared document must not lose a concurrent writer's entry), and only when an entry changes.
 * Written after the record, under the record's lock: a crash in between leaves that one entry behind until
 * the record's next write. A store from before the index has none: `ensure` builds it once from the records.
 */
export class InstallationIndex {
  readonly #documents: Documents;
  readonly #locks: Locks;

  constructor(deps: { documents: Documents; locks: Locks }) {
    this.#documents = deps.documents;
    this.#locks = deps.locks;
  }

  async entries(): Promise<Record<string, IndexEntry>> {
    return (await this.#documents.get(KEY, indexSchema))?.entries ?? {};
  }

  /** Records `entry` for `memberId` (undefined: the installation is gone); nothing is written when it is unchanged. */
  async put(memberId: string, entry: IndexEntry | undefined): Promise<void> {
    await this.#locks.withLock('_all', 'installation-index', async () => {
      const entries = await this.entries();
      if (sameEntry(entries[memberId], entry)) return;
      if (entry === undefined) delete entries[memberId];
      else entries[memberId] = entry;
      await this.#documents.set(KEY, { entries });
    });
  }

  /** Builds the index from the records when there is none (a walk of the whole store, once). */
  async ensure(): Promise<void> {
    // Under the lock, so no entry put meanwhile is lost; puts wait for the walk.
    await this.#locks.withLock('_all', 'installation-index', async () => {
      if ((await this.#documents.getRaw(KEY)) !== undefined) return;
      const entries: Record<string, IndexEntry> = {};
      for await (const [key, raw] of this.#documents.scan('portal:')) {
        const installation = installationSchema.safeParse(raw);
        if (installation.success && key === `portal:${installation.data.memberId}`) {
          entries[installation.data.memberId] = entryOf(installation.data);
        }
      }
      await this.#documents.set(KEY, { entries });
    });
  }
}
