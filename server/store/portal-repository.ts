import type { Keyv } from 'keyv';
import { portalSchema, type Portal } from '../portals/portal.js';
import { InProcessLocks, type Locks } from './locks.js';
import { ReadCache } from './read-cache.js';

/** Anything that keeps per-portal data; the uninstall with "clear data" asks each of them to forget a portal. */
export interface PortalDataOwner {
  purgePortal(memberId: string): Promise<void>;
}

/** Installation records, one document per portal keyed by member id. */
export class PortalRepository implements PortalDataOwner {
  readonly #keyv: Keyv;
  /** Every API call reads its portal's record: parsed records stay in memory (shallowly frozen against accidental edits). */
  readonly #cache: ReadCache<Readonly<Portal> | undefined>;
  /** One read-modify-write of a portal's record at a time, across every instance sharing the locks. */
  readonly #locks: Locks;

  /** `cacheReads: false` when several instances share the store (their writes would not reach this cache). */
  constructor(keyv: Keyv, options: { cacheReads?: boolean; locks?: Locks } = {}) {
    this.#keyv = keyv;
    this.#locks = options.locks ?? new InProcessLocks();
    this.#cache = new ReadCache({ enabled: options.cacheReads ?? true });
  }

  async get(memberId: string): Promise<Portal | undefined> {
    const portal = await this.#cache.read(memberId, async () => {
      const raw: unknown = await this.#keyv.get(key(memberId));
      return raw === undefined || raw === null ? undefined : Object.freeze(portalSchema.parse(raw));
    });
    // "No such portal" is not kept: anyone can send any member_id, and must not push real portals out.
    if (portal === undefined) this.#cache.forget(memberId);
    return portal;
  }

  async save(portal: Portal): Promise<void> {
    const parsed = Object.freeze(portalSchema.parse(portal));
    await this.#cache.write(portal.memberId, parsed, () => this.#keyv.set(key(portal.memberId), parsed));
  }

  /**
   * Reads the current record, lets `change` derive the next one from it, and writes that, one update of a
   * portal at a time: writers patch what they own on the latest record instead of saving a stale copy over
   * someone else's change (a renewed refresh token, a newly stored application token). `change` returning
   * undefined writes nothing.
   */
  update(memberId: string, change: (current: Portal | undefined) => Portal | undefined): Promise<Portal | undefined> {
    return this.#locks.withLock(memberId, 'portal', async () => {
      const updated = change(await this.get(memberId));
      if (updated !== undefined) await this.save(updated);
      return updated;
    });
  }

  async purgePortal(memberId: string): Promise<void> {
    try {
      await this.#keyv.delete(key(memberId));
    } finally {
      this.#cache.forget(memberId);
    }
  }
}

function key(memberId: string): string {
  return `portal:${memberId}`;
}
