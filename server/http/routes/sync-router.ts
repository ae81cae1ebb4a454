import { Router } from 'express';
import { ForbiddenError } from '../../errors.js';
import type { Services } from '../../services.js';
import { accessGuards } from '../require-access.js';
import { requestContext } from '../require-session.js';

/**
 * `/api/sync`: the directory sync of the session's portal. Anyone signed in may read its state; only a
 * portal admin may start one (an unknown admin status is a deny).
 */
export function syncRouter(services: Services): Router {
  const router = Router();
  const { requireOpen } = accessGuards(services);

  router.get('/sync', requireOpen(), async (req, res) => {
    const { portal } = requestContext(req);
    res.json(await services.directory.status(portal.memberId));
  });

  router.post('/sync', requireOpen(), async (req, res) => {
    const { session, portal } = requestContext(req);
    if (session.isAdmin !== true) throw new ForbiddenError('ADMIN_REQUIRED', 'Only a portal administrator can start a directory sync.');
    const started = await services.directory.startSync(portal.memberId, 'admin');
    res.status(202).json({ started, status: await services.directory.status(portal.memberId) });
  });

  return router;
}
