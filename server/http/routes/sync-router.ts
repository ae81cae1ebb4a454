import { Router } from 'express';
import type { AccessService } from '../../access/access-service.js';
import type { DirectoryService } from '../../directory/directory-service.js';
import { ForbiddenError } from '../../errors.js';
import type { Manifest } from '../../manifest.js';
import { accessGuards } from '../require-access.js';
import { requestContext } from '../require-session.js';

/**
 * `/api/sync`: the directory sync of the session's portal. Anyone signed in may read its state; only a
 * portal admin may start one (an unknown admin status is a deny).
 */
export function syncRouter(deps: { access: AccessService; manifest: Manifest; directory: DirectoryService }): Router {
  const router = Router();
  const { requireOpen } = accessGuards(deps);

  router.get('/sync', requireOpen(), async (req, res) => {
    const { installation } = requestContext(req);
    res.json(await deps.directory.status(installation.memberId));
  });

  router.post('/sync', requireOpen(), async (req, res) => {
    const { session, installation } = requestContext(req);
    if (session.isAdmin !== true)
      throw new ForbiddenError('ADMIN_REQUIRED', 'Only a portal administrator can start a directory sync.');
    const started = await deps.directory.startSync(installation.memberId, 'admin');
    res.status(202).json({ started, status: await deps.directory.status(installation.memberId) });
  });

  return router;
}
