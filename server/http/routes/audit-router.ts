import { Router, type Request } from 'express';
import { z } from 'zod';
import { readAudit } from '../../access/audit-log.js';
import { codeNames } from '../../access/code-names.js';
import { isAccessCode } from '../../access/index.js';
import { codesOf } from '../../access/policy-diff.js';
import { BadRequestError } from '../../errors.js';
import type { Services } from '../../services.js';
import { accessContext, accessGuards } from '../require-access.js';
import { orUnavailable } from '../store-errors.js';
import { requestContext } from '../require-session.js';

const positive = (max: number) => z.string().regex(/^[1-9]\d{0,9}$/).transform(Number).pipe(z.number().int().max(max));

const auditQuerySchema = z.object({
  limit: positive(200).default(50),
  cursor: positive(Number.MAX_SAFE_INTEGER).optional(),
  actor: z.string().regex(/^[1-9]\d{0,9}$/).optional(),
  code: z.string().refine(isAccessCode).optional(),
});

function parseQuery(req: Request): z.infer<typeof auditQuerySchema> {
  const parsed = auditQuerySchema.safeParse(req.query);
  if (parsed.success) return parsed.data;
  const name = String(parsed.error.issues[0]?.path[0] ?? 'query');
  throw new BadRequestError(`INVALID_${name.toUpperCase()}`, `The query parameter "${name}" is not valid.`);
}

/** `GET /api/audit`: who changed the access settings, when, and what (before → after); newest first, paged. */
export function auditRouter(services: Services): Router {
  const router = Router();
  const { requireManage } = accessGuards(services);

  router.get('/audit', requireManage(), async (req, res) => {
    const { session, portal } = requestContext(req);
    const query = parseQuery(req);
    const { snapshot } = await accessContext(services, req);
    const page = await orUnavailable(
      readAudit(services.policies, portal.memberId, {
        limit: query.limit,
        ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
        ...(query.actor === undefined ? {} : { actor: query.actor }),
        ...(query.code === undefined ? {} : { code: query.code }),
      }),
    );
    const cited = page.entries.flatMap((entry) => entry.changes.flatMap(codesOf));
    res.json({
      entries: page.entries.map((entry) => ({ id: String(entry.version), ...entry })),
      nextCursor: page.nextCursor === null ? null : String(page.nextCursor),
      names: codeNames(snapshot, cited, session.lang),
    });
  });

  return router;
}
