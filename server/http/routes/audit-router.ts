import { Router } from 'express';
import { z } from 'zod';
import type { AccessService } from '../../access/access-service.js';
import { auditAnswer, auditFilterOptions } from '../../access/audit-log.js';
import { isAccessCode } from '../../access/index.js';
import type { PolicyRepository } from '../../access/policy-repository.js';
import type { Manifest } from '../../manifest.js';
import { parseQuery } from '../parse-query.js';
import { accessContext, accessGuards } from '../require-access.js';
import { requestContext } from '../require-session.js';

const positive = (max: number) =>
  z
    .string()
    .regex(/^[1-9]\d{0,9}$/)
    .transform(Number)
    .pipe(z.number().int().max(max));

const auditQuerySchema = z.object({
  limit: positive(200).default(50),
  cursor: positive(Number.MAX_SAFE_INTEGER).optional(),
  actor: z
    .string()
    .regex(/^[1-9]\d{0,9}$/)
    .optional(),
  code: z.string().refine(isAccessCode).optional(),
});

/** `GET /api/audit`: who changed the access settings, when, and what (before → after); newest first, paged. */
export function auditRouter(deps: { access: AccessService; manifest: Manifest; policies: PolicyRepository }): Router {
  const router = Router();
  const { requireManage } = accessGuards(deps);

  router.get('/audit', requireManage(), async (req, res) => {
    const { session, installation } = requestContext(req);
    const query = parseQuery(auditQuerySchema, req.query);
    const { snapshot } = await accessContext(deps, req);
    res.json(
      await auditAnswer(
        deps.policies,
        installation.memberId,
        snapshot,
        {
          limit: query.limit,
          ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
          ...(query.actor === undefined ? {} : { actor: query.actor }),
          ...(query.code === undefined ? {} : { code: query.code }),
        },
        session.lang,
      ),
    );
  });

  /** `GET /api/audit/filters`: the people who made changes and the codes the log cites, by name. */
  router.get('/audit/filters', requireManage(), async (req, res) => {
    const { session, installation } = requestContext(req);
    const { snapshot } = await accessContext(deps, req);
    res.json(await auditFilterOptions(deps.policies, installation.memberId, snapshot, session.lang));
  });

  return router;
}
