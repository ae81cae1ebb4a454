import { Router } from 'express';
import { z } from 'zod';
import { BadRequestError } from '../../errors.js';
import { setStockCount, stockView } from '../../stock/stock-view.js';
import type { ApiRoutes } from '../api-routes.js';

const countBody = z.object({ quantity: z.number().int().min(0).max(1_000_000) });
const countParams = z.object({ sku: z.string().min(1).max(40), warehouse: z.string().min(1).max(100) });

/**
 * `GET /api/stock` and `PUT /api/stock/:sku/:warehouse`: the sample resource-scoped feature (see
 * stock/stock-view.ts), written as an app built on Keycard writes its routes (`AppDeps.apiRoutes`). Reading needs
 * `stock: read`; changing a count needs `stock: edit` on that warehouse.
 */
export const stockRoutes: ApiRoutes = ({ requireFeature, caller, access, services }) => {
  const router = Router();

  router.get('/stock', requireFeature('stock', 'read'), async (req, res) => {
    const { session, installation } = caller(req);
    res.json(await stockView(services, installation.memberId, await access(req), session.lang));
  });

  router.put('/stock/:sku/:warehouse', requireFeature('stock', 'edit'), async (req, res) => {
    const { session, installation } = caller(req);
    const params = countParams.parse(req.params);
    const body = countBody.safeParse(req.body);
    if (!body.success) throw new BadRequestError('BAD_BODY', 'Send {"quantity": a whole number from 0 to 1000000}.');
    const change = { ...params, quantity: body.data.quantity };
    res.json(await setStockCount(services, installation.memberId, await access(req), session.lang, change));
  });

  return router;
};
