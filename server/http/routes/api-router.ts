import { Router } from 'express';
import type { AccessService } from '../../access/access-service.js';
import { accessSummary } from '../../access/access-summary.js';
import type { Logger } from '../../logger.js';
import type { Manifest } from '../../manifest.js';
import type { PortalClients } from '../../portals/portal-clients.js';
import { reportScopes } from '../../portals/scope-report.js';
import { accessContext, accessGuards } from '../require-access.js';
import { requestContext } from '../require-session.js';

/** `/api/me` and `/api/scopes` (mounted behind requireSession in app.ts). */
export function apiRouter(deps: {
  access: AccessService;
  manifest: Manifest;
  clients: PortalClients;
  logger: Logger;
}): Router {
  const router = Router();
  const { requireOpen } = accessGuards(deps);

  // Open to every session, even one whose access was withdrawn since: the UI learns it from `access.open`.
  router.get('/me', async (req, res) => {
    const { session, installation } = requestContext(req);
    const { index, subject } = await accessContext(deps, req);
    res.json({
      user: { id: session.userId, name: session.name, isAdmin: session.isAdmin },
      portal: { domain: installation.domain, memberId: installation.memberId },
      lang: session.lang,
      access: accessSummary(index, subject, deps.manifest),
    });
  });

  router.get('/scopes', requireOpen(), async (req, res) => {
    const { session, installation } = requestContext(req);
    res.json(await reportScopes(deps, installation, session.lang));
  });

  return router;
}
