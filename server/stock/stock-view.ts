import type { Lang } from '../manifest.js';
import { allowedResources, type AccessIndex, type Subject } from '../access/index.js';
import { ForbiddenError, NotFoundError } from '../errors.js';
import type { ResourceCatalog } from './resource-catalog.js';
import { sampleItems } from './sample-stock.js';
import type { StockCountRepository, StockCounts } from './stock-counts.js';

/** `GET /api/stock`'s answer. */
export interface StockView {
  warehouses: { id: string; name: string; canEdit: boolean }[];
  items: { sku: string; name: string; quantities: Record<string, number> }[];
}

export interface StockDeps {
  resources: ResourceCatalog;
  stockCounts: Pick<StockCountRepository, 'get' | 'set'>;
}

type Access = { index: AccessIndex; subject: Subject };

const may = (allowed: 'all' | ReadonlySet<string>, id: string) => allowed === 'all' || allowed.has(id);

/**
 * The sample resource-scoped feature: only the warehouses the user may read, and of every item only the
 * quantities in those warehouses (an item stocked nowhere visible is left out), as Bitrix24's inventory
 * permissions show a document mixing warehouses. Counts editors changed replace the sample's.
 */
export async function stockView(deps: StockDeps, memberId: string, access: Access, lang: Lang): Promise<StockView> {
  // The warehouses roles name come from the resource catalog; the items are the sample's own data.
  const [catalog, counts] = await Promise.all([
    deps.resources.list(memberId, 'warehouse', lang),
    deps.stockCounts.get(memberId),
  ]);
  return render(catalog, counts, access, lang);
}

/**
 * Sets one item's count in one warehouse, for a user whose roles give `stock: edit` on that warehouse (the
 * route already refused anyone without edit on any of them). Answers the stock as the user now sees it.
 */
export async function setStockCount(
  deps: StockDeps,
  memberId: string,
  access: Access,
  lang: Lang,
  change: { sku: string; warehouse: string; quantity: number },
): Promise<StockView> {
  const catalog = await deps.resources.list(memberId, 'warehouse', lang);
  const item = sampleItems.find((candidate) => candidate.sku === change.sku);
  if (item === undefined || !catalog.some((warehouse) => warehouse.id === change.warehouse))
    throw new NotFoundError('NOT_FOUND', 'There is no such item or warehouse.');
  if (!may(allowedResources(access.index, access.subject, 'stock', 'edit'), change.warehouse))
    throw new ForbiddenError('FEATURE_DENIED', 'Your roles do not let you edit the stock of this warehouse.');
  const counts = await deps.stockCounts.set(memberId, change.sku, change.warehouse, change.quantity);
  return render(catalog, counts, access, lang);
}

function render(
  catalog: readonly { id: string; name: string }[],
  counts: StockCounts,
  access: Access,
  lang: Lang,
): StockView {
  const readable = allowedResources(access.index, access.subject, 'stock', 'read');
  const editable = allowedResources(access.index, access.subject, 'stock', 'edit');
  const warehouses = catalog.filter((warehouse) => may(readable, warehouse.id));
  const items = sampleItems
    .map((item) => ({
      sku: item.sku,
      name: item.name[lang],
      quantities: Object.fromEntries(
        Object.entries({ ...item.quantities, ...counts[item.sku] }).filter(([id]) => may(readable, id)),
      ),
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
