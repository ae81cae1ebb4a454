import { Router, type Request } from 'express';
import { z } from 'zod';
import type { AccessService } from '../../access/access-service.js';
import type { AppAdmins } from '../../access/app-admins.js';
import { checkUser } from '../../access/check-user.js';
import { conflictReport } from '../../access/conflict-report.js';
import type { PolicyRepository } from '../../access/policy-repository.js';
import { policyView } from '../../access/policy-view.js';
import { previewImpact, resetPolicy, savePolicy } from '../../access/save-policy.js';
import { BadRequestError, PreconditionRequiredError } from '../../errors.js';
import type { Manifest } from '../../manifest.js';
import type { ResourceCatalog } from '../../stock/resource-catalog.js';
import { accessContext, accessGuards } from '../require-access.js';
import { requestContext } from '../require-session.js';

const userParam = z.object({
  user: z
    .string()
    .regex(/^[1-9]\d{0,9}$/)
    .transform(Number),
});

/** What the policy editor's API needs. */
export interface AccessRouterDeps {
  access: AccessService;
  manifest: Manifest;
  resources: ResourceCatalog;
  policies: PolicyRepository;
  appAdmins: AppAdmins;
}

/**
 * `/api/access/*`: the policy editor's API, for portal admins and the users they delegated access.manage
 * to. Saves are compare-and-swap on the ETag (`If-Match`), validated whole, and audited.
 */
export function accessRouter(deps: AccessRouterDeps): Router {
  const router = Router();
  const { requireManage } = accessGuards(deps);

  router.get('/access/policy', requireManage(), async (req, res) => {
    const { session, installation } = requestContext(req);
    const { stored, snapshot } = await accessContext(deps, req);
    const view = await policyView(stored, { ...deps, snapshot, memberId: installation.memberId, lang: session.lang });
    res.set('ETag', stored.etag).json(view);
  });

  router.put('/access/policy', requireManage(), async (req, res) => {
    const { session, installation } = requestContext(req);
    const ifMatch = ifMatchOf(req);
    const saved = await savePolicy(deps, installation.memberId, await accessContext(deps, req), session, {
      ifMatch,
      body: req.body,
    });
    res.set('ETag', saved.stored.etag).json(saved.view);
  });

  router.post('/access/policy/impact', requireManage(), async (req, res) => {
    const { session, installation } = requestContext(req);
    res.json(await previewImpact(deps, installation.memberId, await accessContext(deps, req), session, req.body));
  });

  router.post('/access/policy/reset', requireManage(), async (req, res) => {
    const { session, installation } = requestContext(req);
    const saved = await resetPolicy(
      deps,
      installation.memberId,
      await accessContext(deps, req),
      session,
      ifMatchOf(req),
    );
    res.set('ETag', saved.stored.etag).json(saved.view);
  });

  router.get('/access/check', requireManage(), async (req, res) => {
    const { session, installation } = requestContext(req);
    const parsed = userParam.safeParse(req.query);
    if (!parsed.success) throw new BadRequestError('INVALID_USER', 'Give the user as ?user=<Bitrix24 user ID>.');
    res.json(await checkUser(deps, installation.memberId, await accessContext(deps, req), session, parsed.data.user));
  });

  router.get('/access/conflicts', requireManage(), async (req, res) => {
    const { session } = requestContext(req);
    res.json(conflictReport(await accessContext(deps, req), session.lang));
  });

  return router;
}

/** The ETag the editor read (`If-Match`); a write without one is refused (428). */
function ifMatchOf(req: Request): string {
  const ifMatch = req.get('if-match')?.trim() ?? '';
  if (ifMatch === '')
    throw new PreconditionRequiredError(
      'PRECONDITION_REQUIRED',
      'Send the ETag of the settings you edited in If-Match.',
    );
  return ifMatch;
}
