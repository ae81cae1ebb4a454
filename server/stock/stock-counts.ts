import { z } from 'zod';
import type { PortalDataOwner } from '../portals/data-owner.js';
import type { Documents } from '../store/documents.js';
import type { Locks } from '../store/locks.js';

/**
 * The counts editors changed in the sample stock, per portal: item SKU → warehouse id → quantity. One small
 * document per portal, changed under the portal's lock, so two editors saving at once lose neither count.
 * What was never edited comes from sample-stock.ts.
 */

const countsSchema = z.object({
  counts: z.record(z.string(), z.record(z.string(), z.number().int().nonnegative())),
});

export type StockCounts = Readonly<Record<string, Readonly<Record<string, number>>>>;

export class StockCountRepository implements PortalDataOwner {
  readonly #documents: Documents;
  readonly #locks: Locks;

  constructor(deps: { documents: Documents; locks: Locks }) {
    this.#documents = deps.documents;
    this.#locks = deps.locks;
  }

  /** The edited counts of the portal (empty until someone edits one). */
  async get(memberId: string): Promise<StockCounts> {
    return (await this.#documents.get(key(memberId), countsSchema))?.counts ?? {};
  }

  /** Sets one item's count in one warehouse. */
  async set(memberId: string, sku: string, warehouse: string, quantity: number): Promise<StockCounts> {
    return this.#locks.withLock(memberId, 'stock', async () => {
      const counts = { ...(await this.get(memberId)) };
      counts[sku] = { ...counts[sku], [warehouse]: quantity };
      await this.#documents.set(key(memberId), { counts });
      return counts;
    });
  }

  async purgePortal(memberId: string): Promise<void> {
    await this.#locks.withLock(memberId, 'stock', () => this.#documents.delete(key(memberId)));
  }
}

function key(memberId: string): string {
  return `stock:counts:${memberId}`;
}
