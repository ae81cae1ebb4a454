import { Router, type Request } from 'express';
import { z } from 'zod';
import type { AccessService } from '../../access/access-service.js';
import type { PolicyRepository } from '../../access/policy-repository.js';
import { BadRequestError, NotFoundError, PreconditionRequiredError } from '../../errors.js';
import type { Manifest } from '../../manifest.js';
import { approveRequest, declineRequest } from '../../requests/decide-request.js';
import { listRequests } from '../../requests/list-requests.js';
import type { RequestRepository } from '../../requests/request-repository.js';
import type { AccessRequest } from '../../requests/access-request.js';
import type { ResourceCatalog } from '../../stock/resource-catalog.js';
import { accessContext, accessGuards } from '../require-access.js';
import { requestContext } from '../require-session.js';

const idParam = z.string().regex(/^[0-9a-f-]{36}$/);

const approveBody = z.union([
  z.object({ as: z.literal('allowList') }).transform(() => ({ kind: 'allowList' as const })),
  z.object({ as: z.literal('role'), role: z.string().min(1).max(64) }).transform((body) => ({
    kind: 'role' as const,
    role: body.role,
  })),
]);

const declineBody = z.object({ reason: z.string().max(5000) });

/** What the Requests tab's API needs. */
export interface RequestsRouterDeps {
  access: AccessService;
  manifest: Manifest;
  resources: ResourceCatalog;
  policies: PolicyRepository;
  requests: RequestRepository;
  /** Tells the requester of a decision (after the answer). */
  notifyDecided: (request: AccessRequest) => void;
}

/**
 * `/api/access-requests*`: the access requests of the caller's portal, for those who manage access. An id of
 * another portal's request finds nothing (404). Approving saves the policy through the editor's path (If-Match).
 */
export function requestsRouter(deps: RequestsRouterDeps): Router {
  const router = Router();
  const { requireManage } = accessGuards(deps);
  const decideDeps = { ...deps, notify: deps.notifyDecided };

  router.get('/access-requests', requireManage(), async (req, res) => {
    const { installation } = requestContext(req);
    res.json(await listRequests(deps, installation.memberId));
  });

  router.get('/access-requests/count', requireManage(), async (req, res) => {
    const { installation } = requestContext(req);
    res.json({ open: await deps.requests.openCount(installation.memberId) });
  });

  router.post('/access-requests/:id/approve', requireManage(), async (req, res) => {
    const { session, installation } = requestContext(req);
    const id = requestId(req);
    const body = approveBody.safeParse(req.body);
    if (!body.success)
      throw new BadRequestError('INVALID_DECISION', 'Send {"as":"allowList"} or {"as":"role","role":"<key>"}.');
    const result = await approveRequest(decideDeps, installation.memberId, await accessContext(deps, req), session, {
      id,
      as: body.data,
      ifMatch: ifMatchOf(req),
    });
    const { memberId: _memberId, ...request } = result.request;
    res.set('ETag', result.stored.etag).json({ request, policy: result.view });
  });

  router.post('/access-requests/:id/decline', requireManage(), async (req, res) => {
    const { session, installation } = requestContext(req);
    const id = requestId(req);
    const body = declineBody.safeParse(req.body);
    if (!body.success) throw new BadRequestError('INVALID_DECISION', 'Send {"reason":"<why>"}.');
    const decided = await declineRequest(decideDeps, installation.memberId, session, { id, reason: body.data.reason });
    const { memberId: _memberId, ...request } = decided;
    res.json({ request });
  });

  return router;
}

function requestId(req: Request): string {
  const parsed = idParam.safeParse(req.params['id']);
  if (!parsed.success) throw new NotFoundError('REQUEST_NOT_FOUND', 'There is no such access request.');
  return parsed.data;
}

/** The ETag of the settings the approver saw (`If-Match`); none → 428. */
function ifMatchOf(req: Request): string {
  const ifMatch = req.get('if-match')?.trim() ?? '';
  if (ifMatch === '')
    throw new PreconditionRequiredError('PRECONDITION_REQUIRED', 'Send the ETag of the access settings in If-Match.');
  return ifMatch;
}
