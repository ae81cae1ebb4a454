import { Router, type Request } from 'express';
import { z } from 'zod';
import { conflicts, effectiveAccess, knownCodes, parsePolicy, type PolicyProblem } from '../../access/index.js';
import { codeNames } from '../../access/code-names.js';
import { PolicyChangedError } from '../../access/policy-store.js';
import { mirroredCodes, subjectOf } from '../../access/access-service.js';
import { userView } from '../../directory/queries.js';
import { AppError, BadRequestError, ForbiddenError, NotFoundError } from '../../errors.js';
import type { Services } from '../../services.js';
import { accessContext, accessGuards } from '../require-access.js';
import { orUnavailable } from '../store-errors.js';
import { requestContext } from '../require-session.js';
import { policyCodes, policyView } from '../views/access-views.js';

/** The most conflicts one answer lists (a policy of a few rules can reach tens of thousands of users). */
const MAX_CONFLICTS = 500;

/** The 400 body for a policy that failed validation: every problem at once, each naming what is wrong. */
function invalidPolicy(problems: PolicyProblem[]) {
  const message = problems.length === 1 ? (problems[0]?.message ?? '') : `The access settings have ${problems.length} problems. Nothing was saved.`;
  return { error: 'INVALID_POLICY', message, problems };
}

const userParam = z.object({ user: z.string().regex(/^[1-9]\d{0,9}$/).transform(Number) });

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...left].every((item) => right.has(item));
}

/**
 * `/api/access/*`: the policy editor's API, for portal admins and the users they delegated access.manage
 * to. Saves are compare-and-swap on the ETag (`If-Match`), validated whole, and audited.
 */
export function accessRouter(services: Services): Router {
  const router = Router();
  const { requireManage } = accessGuards(services);

  const view = async (req: Request, stored: Parameters<typeof policyView>[0]) => {
    const { session, portal } = requestContext(req);
    const { snapshot } = await accessContext(services, req);
    return policyView(stored, { manifest: services.manifest, resources: services.resources, snapshot, memberId: portal.memberId, lang: session.lang });
  };

  router.get('/access/policy', requireManage(), async (req, res) => {
    const { stored } = await accessContext(services, req);
    res.set('ETag', stored.etag).json(await view(req, stored));
  });

  router.put('/access/policy', requireManage(), async (req, res) => {
    const { session, portal } = requestContext(req);
    const ifMatch = req.get('if-match');
    if (ifMatch === undefined || ifMatch.trim() === '') {
      throw new AppError('PRECONDITION_REQUIRED', 428, 'Send the ETag of the settings you edited in If-Match.');
    }
    const { stored, snapshot } = await accessContext(services, req);
    // Stale first: validating an edit of settings that have changed since would report the wrong problems.
    if (ifMatch.trim() !== stored.etag) {
      const error = new PolicyChangedError(stored);
      res.status(409).json({ error: error.code, message: error.message, current: await view(req, stored) });
      return;
    }
    if (typeof req.body !== 'object' || req.body === null || Array.isArray(req.body)) {
      res.status(400).json(invalidPolicy([{ path: 'policy', message: 'The access settings must be a JSON object.' }]));
      return;
    }
    const known = {
      // Codes already in the policy stay acceptable (a department deleted since must not block every save);
      // new ones must name someone in the mirror, once there is a mirror.
      ...(snapshot.generation === null ? {} : { codes: new Set([...knownCodes(snapshot), ...policyCodes(stored)]) }),
      resources: new Map(
        await Promise.all(
          (services.manifest.resourceTypes ?? []).map(
            async (type) => [type.key, new Set((await services.resources.list(portal.memberId, type.key, session.lang)).map((item) => item.id))] as const,
          ),
        ),
      ),
    };
    const parsed = parsePolicy({ ...(req.body as Record<string, unknown>), version: stored.policy.version }, services.manifest, known);
    if (!parsed.ok) {
      res.status(400).json(invalidPolicy(parsed.problems));
      return;
    }
    if (session.isAdmin !== true && !sameSet(parsed.policy.delegates, stored.policy.delegates)) {
      throw new ForbiddenError('DELEGATES_ADMIN_ONLY', 'Only a portal administrator can change who manages access.');
    }
    const { version: _version, ...content } = parsed.policy;
    try {
      const saved = await orUnavailable(
        services.policies.save(portal.memberId, { ifMatch: ifMatch.trim(), content, actor: { id: session.userId, name: session.name }, lang: session.lang }),
        'The access settings could not be saved. Reload them to see whether your change was stored.',
      );
      res.set('ETag', saved.etag).json(await view(req, saved));
    } catch (error: unknown) {
      if (!(error instanceof PolicyChangedError)) throw error;
      res.status(409).json({ error: error.code, message: error.message, current: await view(req, error.current) });
    }
  });

  router.get('/access/check', requireManage(), async (req, res) => {
    const { session, portal } = requestContext(req);
    const parsed = userParam.safeParse(req.query);
    if (!parsed.success) throw new BadRequestError('INVALID_USER', 'Give the user as ?user=<Bitrix24 user ID>.');
    const { index, snapshot } = await accessContext(services, req);
    const user = snapshot.users.get(parsed.data.user);
    if (user === undefined) throw new NotFoundError('USER_NOT_FOUND', 'There is no such user in the directory. Refresh the directory if they joined recently.');
    const adminStatus =
      String(user.id) === session.userId
        ? session.isAdmin === null ? 'unknown' : session.isAdmin ? 'admin' : 'notAdmin'
        : (await services.appAdmins.list(portal.memberId).catch(() => [])).some((admin) => admin.id === String(user.id)) ? 'admin' : 'unknown';
    // "unknown" is explained as not an admin: Keycard learns admin status only when someone opens the app.
    const subject = subjectOf(snapshot, { id: user.id, isAdmin: adminStatus === 'admin' });
    const access = effectiveAccess(index, subject);
    const cited = new Set<string>(subject.codes);
    for (const rule of [...access.open.reasons, ...access.features.flatMap((feature) => [...feature.denied, ...feature.levels.flatMap((level) => level.reasons)])]) {
      if ('code' in rule) cited.add(rule.code);
    }
    res.json({
      user: userView(snapshot, user),
      adminStatus,
      codes: subject.codes,
      access,
      names: codeNames(snapshot, cited, session.lang),
    });
  });

  router.get('/access/conflicts', requireManage(), async (req, res) => {
    const { session } = requestContext(req);
    const { index, snapshot } = await accessContext(services, req);
    const users = index.rulesByCode.size === 0 ? [] : [...snapshot.users.values()].filter((user) => user.active).map((user) => ({ userId: user.id, codes: mirroredCodes(snapshot, user.id) }));
    const found = conflicts(index, users);
    const listed = found.slice(0, MAX_CONFLICTS);
    const cited = new Set(listed.flatMap((conflict) => conflict.rules.map((rule) => rule.code)));
    res.json({
      total: found.length,
      truncated: found.length > listed.length,
      conflicts: listed.map((conflict) => {
        const user = snapshot.users.get(conflict.userId);
        return { user: { id: conflict.userId, fullName: user === undefined ? `#${conflict.userId}` : userView(snapshot, user).fullName }, feature: conflict.feature, level: conflict.level, rules: conflict.rules };
      }),
      names: codeNames(snapshot, cited, session.lang),
    });
  });

  return router;
}
