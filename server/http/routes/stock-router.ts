import { Router } from 'express';
import { allowedResources } from '../../access/index.js';
import { sampleItems } from '../../stock/sample-stock.js';
import type { Services } from '../../services.js';
import { accessContext, accessGuards } from '../require-access.js';
import { orUnavailable } from '../store-errors.js';
import { requestContext } from '../require-session.js';

/**
 * `GET /api/stock`: the sample resource-scoped feature. Lists only the warehouses the user may read, and
 * of every item only the quantities in those warehouses (an item stocked nowhere visible is left out), as
 * Bitrix24's inventory permissions show a document mixing warehouses.
 */
export function stockRouter(services: Services): Router {
  const router = Router();
  const { requireFeature } = accessGuards(services);

  router.get('/stock', requireFeature('stock', 'read'), async (req, res) => {
    const { session, portal } = requestContext(req);
    const { index, subject } = await accessContext(services, req);
    // The warehouses roles name come from the resource catalog; the items are the sample's own data.
    const catalog = await orUnavailable(services.resources.list(portal.memberId, 'warehouse', session.lang));
    const readable = allowedResources(index, subject, 'stock', 'read');
    const editable = allowedResources(index, subject, 'stock', 'edit');
    const may = (allowed: 'all' | ReadonlySet<string>, id: string) => allowed === 'all' || allowed.has(id);
    const warehouses = catalog.filter((warehouse) => may(readable, warehouse.id));
    const items = sampleItems
      .map((item) => ({
        sku: item.sku,
        name: item.name[session.lang],
        quantities: Object.fromEntries(Object.entries(item.quantities).filter(([id]) => may(readable, id))),
      }))
      .filter((item) => Object.keys(item.quantities).length > 0);
    res.json({
      warehouses: warehouses.map((warehouse) => ({ id: warehouse.id, name: warehouse.name, canEdit: may(editable, warehouse.id) })),
      items,
    });
  });

  return router;
}
