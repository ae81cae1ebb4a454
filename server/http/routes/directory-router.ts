import { Router } from 'express';
import { z } from 'zod';
import type { Request } from 'express';
import type { AccessService } from '../../access/access-service.js';
import { evaluate } from '../../access/evaluate.js';
import { manageRequirement } from '../../access/policy.js';
import type { DirectoryService } from '../../directory/directory-service.js';
import { decodeCursor, departmentTree, listUsers, userView } from '../../directory/queries.js';
import type { Manifest } from '../../manifest.js';
import { parseQuery } from '../parse-query.js';
import { accessContext, accessGuards } from '../require-access.js';
import { requestContext } from '../require-session.js';

const flag = z.enum(['true', 'false']).transform((value) => value === 'true');
const positiveInt = (max: number) =>
  z
    .string()
    .regex(/^\d{1,10}$/)
    .transform(Number)
    .pipe(z.number().int().min(1).max(max));

/** Query of `GET /api/directory/users`; every parameter optional, each checked on its own. */
const usersQuerySchema = z.object({
  q: z.string().max(200).optional(),
  department: positiveInt(2_147_483_647).optional(),
  subdepartments: flag.optional(),
  active: z
    .enum(['true', 'false', 'all'])
    .transform((value) => (value === 'all' ? 'all' : value === 'true'))
    .optional(),
  cursor: z
    .string()
    .max(1000)
    .refine((cursor) => decodeCursor(cursor) !== undefined)
    .optional(),
  limit: positiveInt(500).default(100),
});

/**
 * `/api/directory/*`: the mirrored company structure of the session's portal, for holders of
 * `directory:read` and for those who manage access (they pick people for rules). Before the first sync
 * the answers are empty with `generation: null`, not errors.
 */
export function directoryRouter(deps: {
  access: AccessService;
  manifest: Manifest;
  directory: DirectoryService;
}): Router {
  const router = Router();
  // Fired users are seen only by those who manage access (they clean up rules naming them); everyone else's
  // answers leave them out on the server, whatever the query asks.
  const managesAccess = async (req: Request) => {
    const { index, subject } = await accessContext(deps, req);
    return evaluate(index, subject, manageRequirement(deps.manifest)).allowed;
  };
  router.use(
    '/directory',
    accessGuards(deps).requireAnyFeature({ feature: 'directory', level: 'read' }, manageRequirement(deps.manifest)),
  );

  router.get('/directory/departments', async (req, res) => {
    const { installation } = requestContext(req);
    const snapshot = await deps.directory.snapshot(installation.memberId);
    const tree = departmentTree(snapshot);
    res.json({
      generation: snapshot.generation,
      refreshedAt: snapshot.refreshedAt,
      tree: (await managesAccess(req)) ? tree : withoutFiredHeads(tree, snapshot),
    });
  });

  router.get('/directory/users', async (req, res) => {
    const { installation } = requestContext(req);
    const asked = parseQuery(usersQuerySchema, req.query);
    const query = (await managesAccess(req)) ? asked : { ...asked, active: true };
    const snapshot = await deps.directory.snapshot(installation.memberId);
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

type Tree = ReturnType<typeof departmentTree>;

/** The tree without the names of fired heads (the department keeps its place, its head is shown as none). */
function withoutFiredHeads(tree: Tree, snapshot: { users: ReadonlyMap<number, { active: boolean }> }): Tree {
  return tree.map((node) => ({
    ...node,
    head: node.head !== null && snapshot.users.get(node.head.id)?.active === false ? null : node.head,
    children: withoutFiredHeads(node.children, snapshot),
  }));
}
