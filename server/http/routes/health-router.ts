import { Router } from 'express';
import type { BackgroundTasks } from '../../background.js';
import type { OnceKeys } from '../../store/once-keys.js';
import type { Documents } from '../../store/documents.js';

/**
 * `/healthz`: the process answers. `/readyz`: and its store answers too (a 503 through the error handler
 * otherwise), with the sizes of what the process holds in memory: background tasks running and refused, and the
 * keys of handled events it remembers (absent on Redis, where they live).
 */
export function healthRouter(deps: {
  documents: Pick<Documents, 'ping'>;
  background: Pick<BackgroundTasks, 'stats'>;
  onceKeys: Pick<OnceKeys, 'size'>;
}): Router {
  const router = Router();
  router.get('/healthz', (_req, res) => {
    res.json({ status: 'ok' });
  });
  router.get('/readyz', async (_req, res) => {
    await deps.documents.ping();
    res.json({
      status: 'ready',
      background: deps.background.stats,
      ...(deps.onceKeys.size === undefined ? {} : { handledEvents: deps.onceKeys.size }),
    });
  });
  return router;
}
