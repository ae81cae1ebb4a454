import { BadRequestError } from '../errors.js';
import type { Lang, Manifest } from '../manifest.js';
import type { ResourceCatalog } from '../stock/resource-catalog.js';
import type { AccessContext } from './access-service.js';
import { knownCodes } from './known-codes.js';
import type { Policy } from './policy.js';
import { policyCodes } from './policy-view.js';
import { parsePolicy, type PolicyProblem } from './validate.js';

/** What checking an edited policy needs. */
export interface DraftDeps {
  manifest: Manifest;
  resources: ResourceCatalog;
}

/** An edited policy, checked against the manifest, the mirror and the resource catalog, with what it deletes. */
export interface CheckedDraft {
  policy: Policy;
  /** Roles of the current policy the draft no longer has. */
  deletedRoles: { key: string; title: string }[];
  /** The role keys the body confirms deleting (`confirmDeletedRoles`). */
  confirmedDeletions: ReadonlySet<string>;
}

/**
 * Parses the body of a save or an impact preview: every problem at once (400 `INVALID_POLICY`, each with the `path`
 * of the control it belongs to). A body without `companyRoles` keeps the stored ones: a save made before the first
 * sync must not drop the default the company structure is waiting for.
 */
export async function checkDraft(
  deps: DraftDeps,
  memberId: string,
  context: Pick<AccessContext, 'stored' | 'snapshot'>,
  lang: Lang,
  body: unknown,
): Promise<CheckedDraft> {
  const { stored, snapshot } = context;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalidPolicy([{ path: 'policy', message: 'The access settings must be a JSON object.' }]);
  }
  const { confirmDeletedRoles, ...edit }: Record<string, unknown> = Object.fromEntries(Object.entries(body));
  const known = {
    // Codes already in the policy stay acceptable (a department deleted since must not block every save);
    // new ones must name someone in the mirror, once there is a mirror.
    ...(snapshot.generation === null ? {} : { codes: new Set([...knownCodes(snapshot), ...policyCodes(stored)]) }),
    resources: new Map(
      await Promise.all(
        (deps.manifest.resourceTypes ?? []).map(
          async (type) =>
            [type.key, new Set((await deps.resources.list(memberId, type.key, lang)).map((item) => item.id))] as const,
        ),
      ),
    ),
  };
  const companyRoles = 'companyRoles' in edit ? {} : { companyRoles: stored.policy.companyRoles };
  const parsed = parsePolicy({ ...companyRoles, ...edit, version: stored.policy.version }, deps.manifest, known);
  if (!parsed.ok) throw invalidPolicy(parsed.problems);
  const confirmed = new Set(
    Array.isArray(confirmDeletedRoles) ? confirmDeletedRoles.filter((key) => typeof key === 'string') : [],
  );
  const kept = new Set(parsed.policy.roles.map((role) => role.key));
  const deletedRoles = stored.policy.roles
    .filter((role) => !kept.has(role.key))
    .map((role) => ({ key: role.key, title: role.title }));
  return { policy: parsed.policy, deletedRoles, confirmedDeletions: confirmed };
}

/** Deleting a role takes its holders' access with it: a save must name every role it deletes. */
export function unconfirmedDeletions(draft: CheckedDraft): PolicyProblem[] {
  return draft.deletedRoles
    .filter((role) => !draft.confirmedDeletions.has(role.key))
    .map((role) => ({
      path: `confirmDeletedRoles.${role.key}`,
      message: `Confirm deleting role ${role.title}: everyone holding it loses what it gives.`,
    }));
}

/** A policy that failed validation: every problem at once, each naming what is wrong. */
export function invalidPolicy(problems: PolicyProblem[]): BadRequestError {
  const message =
    problems.length === 1
      ? (problems[0]?.message ?? '')
      : `The access settings have ${problems.length} problems. Nothing was saved.`;
  return new BadRequestError('INVALID_POLICY', message, { details: { problems } });
}
