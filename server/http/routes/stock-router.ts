import { Router } from 'express';
import { z } from 'zod';
import type { AccessService } from '../../access/access-service.js';
import { BadRequestError } from '../../errors.js';
import type { Manifest } from '../../manifest.js';
import { setStockCount, stockView, type StockDeps } from '../../stock/stock-view.js';
import { accessContext, accessGuards } from '../require-access.js';
import { requestContext } from '../require-session.js';

const countBody = z.object({ quantity: z.number().int().min(0).max(1_000_000) });
const countParams = z.object({ sku: z.string().min(1).max(40), warehouse: z.string().min(1).max(100) });

/**
 * `GET /api/stock` and `PUT /api/stock/:sku/:warehouse`: the sample resource-scoped feature (see
 * stock/stock-view.ts). Reading needs `stock: read`; changing a count needs `stock: edit` on that warehouse.
 */
export function stockRouter(deps: StockDeps & { access: AccessService; manifest: Manifest }): Router {
  const router = Router();
  const { requireFeature } = accessGuards(deps);

  router.get('/stock', requireFeature('stock', 'read'), async (req, res) => {
    const { session, installation } = requestContext(req);
    res.json(await stockView(deps, installation.memberId, await accessContext(deps, req), session.lang));
  });

  router.put('/stock/:sku/:warehouse', requireFeature('stock', 'edit'), async (req, res) => {
    const { session, installation } = requestContext(req);
    const params = countParams.parse(req.params);
    const body = countBody.safeParse(req.body);
    if (!body.success) throw new BadRequestError('BAD_BODY', 'Send {"quantity": a whole number from 0 to 1000000}.');
    const change = { ...params, quantity: body.data.quantity };
    res.json(await setStockCount(deps, installation.memberId, await accessContext(deps, req), session.lang, change));
  });

  return router;
}
