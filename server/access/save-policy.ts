import { BadRequestError, ForbiddenError } from '../errors.js';
import type { Lang, Manifest } from '../manifest.js';
import type { ResourceCatalog } from '../stock/resource-catalog.js';
import type { AccessContext } from './access-service.js';
import { knownCodes } from './known-codes.js';
import { PolicyChangedError, type PolicyRepository, type StoredPolicy } from './policy-repository.js';
import { policyCodes, policyView, type PolicyView } from './policy-view.js';
import { keepBuiltInTitles } from './policy.js';
import { parsePolicy, type PolicyProblem } from './validate.js';

/** What saving the access settings needs. */
export interface SavePolicyDeps {
  manifest: Manifest;
  resources: ResourceCatalog;
  policies: Pick<PolicyRepository, 'save'>;
}

/** Who saves: the session of an access manager. */
export interface Saver {
  userId: string;
  name: string;
  isAdmin: boolean | null;
  lang: Lang;
}

/**
 * `PUT /api/access/policy`: a compare-and-swap on the ETag the editor read (`ifMatch`), validated whole
 * against the manifest, the mirror and the resource catalog, audited. A stale ETag is a 409 carrying the
 * current settings (nothing saved, the editor keeps its draft); every problem is reported at once.
 */
export async function savePolicy(
  deps: SavePolicyDeps,
  memberId: string,
  context: AccessContext,
  saver: Saver,
  edit: { ifMatch: string; body: unknown },
): Promise<{ stored: StoredPolicy; view: PolicyView }> {
  const { stored, snapshot } = context;
  const view = (policy: StoredPolicy) =>
    policyView(policy, { manifest: deps.manifest, resources: deps.resources, snapshot, memberId, lang: saver.lang });
  // Stale first: validating an edit of settings that have changed since would report the wrong problems.
  if (edit.ifMatch !== stored.etag) throw new PolicyChangedError(stored, { details: { current: await view(stored) } });
  if (typeof edit.body !== 'object' || edit.body === null || Array.isArray(edit.body)) {
    throw invalidPolicy([{ path: 'policy', message: 'The access settings must be a JSON object.' }]);
  }
  const known = {
    // Codes already in the policy stay acceptable (a department deleted since must not block every save);
    // new ones must name someone in the mirror, once there is a mirror.
    ...(snapshot.generation === null ? {} : { codes: new Set([...knownCodes(snapshot), ...policyCodes(stored)]) }),
    resources: new Map(
      await Promise.all(
        (deps.manifest.resourceTypes ?? []).map(
          async (type) =>
            [
              type.key,
              new Set((await deps.resources.list(memberId, type.key, saver.lang)).map((item) => item.id)),
            ] as const,
        ),
      ),
    ),
  };
  const parsed = parsePolicy({ ...edit.body, version: stored.policy.version }, deps.manifest, known);
  if (!parsed.ok) throw invalidPolicy(parsed.problems);
  if (saver.isAdmin !== true && !sameSet(parsed.policy.delegates, stored.policy.delegates)) {
    throw new ForbiddenError('DELEGATES_ADMIN_ONLY', 'Only a portal administrator can change who manages access.');
  }
  const { version: _version, ...content } = keepBuiltInTitles(parsed.policy, stored.policy, deps.manifest);
  try {
    const saved = await deps.policies.save(memberId, {
      ifMatch: edit.ifMatch,
      content,
      actor: { id: saver.userId, name: saver.name },
      lang: saver.lang,
    });
    return { stored: saved, view: await view(saved) };
  } catch (error: unknown) {
    if (!(error instanceof PolicyChangedError)) throw error;
    throw new PolicyChangedError(error.current, { details: { current: await view(error.current) } });
  }
}

/** A policy that failed validation: every problem at once, each naming what is wrong. */
function invalidPolicy(problems: PolicyProblem[]): BadRequestError {
  const message =
    problems.length === 1
      ? (problems[0]?.message ?? '')
      : `The access settings have ${problems.length} problems. Nothing was saved.`;
  return new BadRequestError('INVALID_POLICY', message, { details: { problems } });
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...left].every((item) => right.has(item));
}
