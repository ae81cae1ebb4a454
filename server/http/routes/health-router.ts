import { Router } from 'express';
import type { Services } from '../../services.js';

/** `/healthz`: the process answers. `/readyz`: and its store answers too. */
export function healthRouter(services: Services): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    try {
      await services.store.get('readyz');
      res.json({ status: 'ready' });
    } catch (error: unknown) {
      services.logger.error({ err: error }, 'store is not reachable');
      res.status(503).json({ error: 'STORE_UNAVAILABLE', message: 'The store does not answer.' });
    }
  });
  return router;
}
