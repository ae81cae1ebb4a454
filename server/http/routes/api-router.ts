import { Router } from 'express';
import { grantedScopesSchema } from '../../bitrix/schemas.js';
import { buildScopeReport } from '../../portals/scope-report.js';
import type { Services } from '../../services.js';
import { accessContext, accessGuards } from '../require-access.js';
import { requestContext } from '../require-session.js';
import { accessSummary } from '../views/access-views.js';

/** `/api/me` and `/api/scopes` (mounted behind requireSession in app.ts). */
export function apiRouter(services: Services): Router {
  const router = Router();
  const { requireOpen } = accessGuards(services);

  // Open to every session, even one whose access was withdrawn since: the UI learns it from `access.open`.
  router.get('/me', async (req, res) => {
    const { session, portal } = requestContext(req);
    const { index, subject } = await accessContext(services, req);
    res.json({
      user: { id: session.userId, name: session.name, isAdmin: session.isAdmin },
      portal: { domain: portal.domain, memberId: portal.memberId },
      lang: session.lang,
      access: accessSummary(index, subject, services.manifest),
    });
  });

  router.get('/scopes', requireOpen(), async (req, res) => {
    const { session, portal } = requestContext(req);
    try {
      const client = await services.clients.forPortal(portal.memberId);
      const granted = grantedScopesSchema.parse(await client.call('scope'));
      res.json(buildScopeReport(services.manifest, granted, session.lang, 'portal'));
    } catch (error: unknown) {
      // The page still helps with what the install recorded; it says the data may be dated.
      services.logger.warn({ err: error, memberId: portal.memberId }, 'scope method failed; answering from the stored install');
      res.json(buildScopeReport(services.manifest, portal.scopes, session.lang, 'stored'));
    }
  });

  return router;
}
