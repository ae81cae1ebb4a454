import { Router } from 'express';
import type { Documents } from '../../store/documents.js';

/**
 * `/healthz`: the process answers. `/readyz`: and its store answers too (a 503 through the error handler otherwise).
 */
export function healthRouter(deps: { documents: Pick<Documents, 'ping'> }): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    await deps.documents.ping();
    res.json({ status: 'ready' });
  });
  return router;
}
