import { Router, type Request } from 'express';
import { z } from 'zod';
import { decodeCursor, departmentTree, listUsers, userView } from '../../directory/queries.js';
import { BadRequestError } from '../../errors.js';
import type { Services } from '../../services.js';
import { accessGuards, manageRequirement } from '../require-access.js';
import { requestContext } from '../require-session.js';

const flag = z.enum(['true', 'false']).transform((value) => value === 'true');
const positiveInt = (max: number) => z.string().regex(/^\d{1,10}$/).transform(Number).pipe(z.number().int().min(1).max(max));

/** Query of `GET /api/directory/users`; every parameter optional, each checked on its own. */
const usersQuerySchema = z.object({
  q: z.string().max(200).optional(),
  department: positiveInt(2_147_483_647).optional(),
  subdepartments: flag.optional(),
  active: z.enum(['true', 'false', 'all']).transform((value) => (value === 'all' ? 'all' : value === 'true')).optional(),
  cursor: z.string().max(1000).refine((cursor) => decodeCursor(cursor) !== undefined).optional(),
  limit: positiveInt(500).default(100),
});

/** Parses the query; a bad parameter is a 400 whose code names it (`INVALID_LIMIT`, `INVALID_CURSOR`, …). */
function parseQuery(req: Request): z.infer<typeof usersQuerySchema> {
  const parsed = usersQuerySchema.safeParse(req.query);
  if (parsed.success) return parsed.data;
  const name = String(parsed.error.issues[0]?.path[0] ?? 'query');
  throw new BadRequestError(`INVALID_${name.toUpperCase()}`, `The query parameter "${name}" is not valid.`);
}

/**
 * `/api/directory/*`: the mirrored company structure of the session's portal, for holders of
 * `directory:read` and for those who manage access (they pick people for rules). Before the first sync
 * the answers are empty with `generation: null`, not errors.
 */
export function directoryRouter(services: Services): Router {
  const router = Router();
  router.use('/directory', accessGuards(services).requireAnyFeature({ feature: 'directory', level: 'read' }, manageRequirement(services.manifest)));

  router.get('/directory/departments', async (req, res) => {
    const { portal } = requestContext(req);
    const snapshot = await services.directory.snapshot(portal.memberId);
    res.json({ generation: snapshot.generation, refreshedAt: snapshot.refreshedAt, tree: departmentTree(snapshot) });
  });

  router.get('/directory/users', async (req, res) => {
    const { portal } = requestContext(req);
    const query = parseQuery(req);
    const snapshot = await services.directory.snapshot(portal.memberId);
    const page = listUsers(snapshot, {
      limit: query.limit,
      ...(query.q === undefined ? {} : { q: query.q }),
      ...(query.department === undefined ? {} : { department: query.department }),
      ...(query.subdepartments === undefined ? {} : { subdepartments: query.subdepartments }),
      ...(query.active === undefined ? {} : { active: query.active }),
      ...(query.cursor === undefined ? {} : { cursor: query.cursor }),
    });
    res.json({
      generation: snapshot.generation,
      total: page.total,
      nextCursor: page.nextCursor,
      users: page.users.map((user) => userView(snapshot, user)),
    });
  });

  return router;
}
