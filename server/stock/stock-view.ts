import type { Lang } from '../manifest.js';
import { allowedResources, type AccessIndex, type Subject } from '../access/index.js';
import type { ResourceCatalog } from './resource-catalog.js';
import { sampleItems } from './sample-stock.js';

/** `GET /api/stock`'s answer. */
export interface StockView {
  warehouses: { id: string; name: string; canEdit: boolean }[];
  items: { sku: string; name: string; quantities: Record<string, number> }[];
}

/**
 * The sample resource-scoped feature: only the warehouses the user may read, and of every item only the
 * quantities in those warehouses (an item stocked nowhere visible is left out), as Bitrix24's inventory
 * permissions show a document mixing warehouses.
 */
export async function stockView(
  deps: { resources: ResourceCatalog },
  memberId: string,
  access: { index: AccessIndex; subject: Subject },
  lang: Lang,
): Promise<StockView> {
  // The warehouses roles name come from the resource catalog; the items are the sample's own data.
  const catalog = await deps.resources.list(memberId, 'warehouse', lang);
  const readable = allowedResources(access.index, access.subject, 'stock', 'read');
  const editable = allowedResources(access.index, access.subject, 'stock', 'edit');
  const may = (allowed: 'all' | ReadonlySet<string>, id: string) => allowed === 'all' || allowed.has(id);
  const warehouses = catalog.filter((warehouse) => may(readable, warehouse.id));
  const items = sampleItems
    .map((item) => ({
      sku: item.sku,
      name: item.name[lang],
      quantities: Object.fromEntries(Object.entries(item.quantities).filter(([id]) => may(readable, id))),
    }))
    .filter((item) => Object.keys(item.quantities).length > 0);
  return {
    warehouses: warehouses.map((warehouse) => ({
      id: warehouse.id,
      name: warehouse.name,
      canEdit: may(editable, warehouse.id),
    })),
    items,
  };
}
