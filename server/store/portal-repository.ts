import type { Keyv } from 'keyv';
import { portalSchema, type Portal } from '../portals/portal.js';

/** Anything that keeps per-portal data; the uninstall with "clear data" asks each of them to forget a portal. */
export interface PortalDataOwner {
  purgePortal(memberId: string): Promise<void>;
}

/** Installation records, one document per portal keyed by member id. */
export class PortalRepository implements PortalDataOwner {
  readonly #keyv: Keyv;

  constructor(keyv: Keyv) {
    this.#keyv = keyv;
  }

  async get(memberId: string): Promise<Portal | undefined> {
    const raw: unknown = await this.#keyv.get(key(memberId));
    if (raw === undefined || raw === null) return undefined;
    return portalSchema.parse(raw);
  }

  async save(portal: Portal): Promise<void> {
    await this.#keyv.set(key(portal.memberId), portalSchema.parse(portal));
  }

  async purgePortal(memberId: string): Promise<void> {
    await this.#keyv.delete(key(memberId));
  }
}

function key(memberId: string): string {
  return `portal:${memberId}`;
}
