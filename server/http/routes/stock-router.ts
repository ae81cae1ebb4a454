import { Router } from 'express';
import type { AccessService } from '../../access/access-service.js';
import type { Manifest } from '../../manifest.js';
import type { ResourceCatalog } from '../../stock/resource-catalog.js';
import { stockView } from '../../stock/stock-view.js';
import { accessContext, accessGuards } from '../require-access.js';
import { requestContext } from '../require-session.js';

/** `GET /api/stock`: the sample resource-scoped feature (see stock/stock-view.ts). */
export function stockRouter(deps: { access: AccessService; manifest: Manifest; resources: ResourceCatalog }): Router {
  const router = Router();
  const { requireFeature } = accessGuards(deps);

  router.get('/stock', requireFeature('stock', 'read'), async (req, res) => {
    const { session, installation } = requestContext(req);
    res.json(await stockView(deps, installation.memberId, await accessContext(deps, req), session.lang));
  });

  return router;
}
