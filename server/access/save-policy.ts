import { ConflictError, ForbiddenError } from '../errors.js';
import type { Lang, Manifest } from '../manifest.js';
import type { ResourceCatalog } from '../stock/resource-catalog.js';
import { buildIndex } from './access-index.js';
import { companyRoots } from './company-default.js';
import {
  ADMIN_ROLE,
  decidedFeatures,
  freshPolicyContent,
  keepBuiltInTitles,
  withCompanyRoots,
  type Policy,
} from './policy.js';
import type { AccessContext } from './access-service.js';
import type { AppAdmins } from './app-admins.js';
import type { AuditSource } from './audit-entry.js';
import { checkDraft, invalidPolicy, unconfirmedDeletions, type CheckedDraft } from './policy-draft.js';
import { lockout, policyImpact, type PolicyImpact } from './policy-impact.js';
import { PolicyChangedError, type PolicyRepository, type StoredPolicy } from './policy-repository.js';
import { policyView, type PolicyView } from './policy-view.js';

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
 * current settings (nothing saved, the editor keeps its draft); every problem is reported at once. A draft that
 * deletes roles must confirm each; one that would take access management from the saver is refused (409
 * `SAVE_LOCKS_YOU_OUT`): nobody locks themselves out by mistake.
 */
export async function savePolicy(
  deps: SavePolicyDeps,
  memberId: string,
  context: AccessContext,
  saver: Saver,
  edit: { ifMatch: string; body: unknown; source?: AuditSource },
): Promise<{ stored: StoredPolicy; view: PolicyView }> {
  const { stored, snapshot } = context;
  const view = (policy: StoredPolicy) =>
    policyView(policy, { manifest: deps.manifest, resources: deps.resources, snapshot, memberId, lang: saver.lang });
  // Stale first: validating an edit of settings that have changed since would report the wrong problems.
  if (edit.ifMatch !== stored.etag) throw new PolicyChangedError(stored, { details: { current: await view(stored) } });
  const draft = await checkDraft(deps, memberId, context, saver.lang, edit.body);
  if (saver.isAdmin !== true && !sameSet(draft.policy.delegates, stored.policy.delegates)) {
    throw new ForbiddenError('DELEGATES_ADMIN_ONLY', 'Only a portal administrator can change who manages access.');
  }
  const unconfirmed = unconfirmedDeletions(draft);
  if (unconfirmed.length > 0) throw invalidPolicy(unconfirmed);
  refuseSelfLockout(deps.manifest, context, saver, draft);
  const { version: _version, ...kept } = keepBuiltInTitles(draft.policy, stored.policy, deps.manifest);
  const content = { ...kept, features: knownFeatures(stored.policy, kept) };
  try {
    const saved = await deps.policies.save(memberId, {
      ifMatch: edit.ifMatch,
      content,
      actor: { id: saver.userId, name: saver.name },
      lang: saver.lang,
      ...(edit.source === undefined ? {} : { source: edit.source }),
    });
    return { stored: saved, view: await view(saved) };
  } catch (error: unknown) {
    if (!(error instanceof PolicyChangedError)) throw error;
    throw new PolicyChangedError(error.current, { details: { current: await view(error.current) } });
  }
}

/**
 * The features whose Administrator grant a policy has decided (see `Policy.features`): those it knew, plus those the
 * stored or the saved Administrator role mentions. A feature the role mentioned and no longer does was set to "no
 * access" by the saver; one neither mentions stays new, and portal admins keep its shipped grant (access-index.ts).
 */
function knownFeatures(stored: Policy, saved: Pick<Policy, 'roles'>): string[] {
  const mentioned = (policy: Pick<Policy, 'roles'>) =>
    Object.keys(policy.roles.find((role) => role.key === ADMIN_ROLE)?.grants ?? {});
  return [...new Set([...decidedFeatures(stored), ...mentioned(stored), ...mentioned(saved)])].sort();
}

/**
 * `POST /api/access/policy/impact`: what saving the draft would take from whom, before it is saved. The draft is
 * checked as a save checks it (400 `INVALID_POLICY` with paths), but nothing is stored.
 */
export async function previewImpact(
  deps: Omit<SavePolicyDeps, 'policies'> & { appAdmins: Pick<AppAdmins, 'list'> },
  memberId: string,
  context: AccessContext,
  saver: Saver,
  body: unknown,
): Promise<PolicyImpact> {
  const draft = await checkDraft(deps, memberId, context, saver.lang, body);
  const admins = new Set((await deps.appAdmins.list(memberId)).map((admin) => Number(admin.id)));
  return policyImpact(
    {
      manifest: deps.manifest,
      snapshot: context.snapshot,
      before: context.index,
      after: buildIndex(draft.policy, deps.manifest),
      admins,
      caller: { id: Number(saver.userId), isAdmin: saver.isAdmin },
    },
    draft.deletedRoles,
  );
}

function refuseSelfLockout(manifest: Manifest, context: AccessContext, saver: Saver, draft: CheckedDraft): void {
  const { subject } = context;
  const you = { userId: subject.userId, active: subject.active, isAdmin: saver.isAdmin, codes: subject.codes };
  const path = lockout(manifest, buildIndex(draft.policy, manifest), you);
  if (path === null) return;
  throw new ConflictError(
    'SAVE_LOCKS_YOU_OUT',
    'This change would take access management away from you. Nothing was saved.',
    {
      details: { problems: [{ path, message: 'You would lose access to these settings: keep yourself in.' }] },
    },
  );
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  const left = new Set(a);
  const right = new Set(b);
  return left.size === right.size && [...left].every((item) => right.has(item));
}

/**
 * `POST /api/access/policy/reset`: back to the fresh-install default (the company structure holds the
 * `companyDefault` roles, the allow-list empty, custom roles and delegations gone), audited like any save. Only a
 * portal admin resets (it removes delegations); the caller previews its impact like any save first.
 */
export async function resetPolicy(
  deps: SavePolicyDeps,
  memberId: string,
  context: AccessContext,
  saver: Saver,
  ifMatch: string,
): Promise<{ stored: StoredPolicy; view: PolicyView }> {
  if (saver.isAdmin !== true)
    throw new ForbiddenError('ADMIN_REQUIRED', 'Only a portal administrator can reset the access settings.');
  const content = withCompanyRoots(freshPolicyContent(deps.manifest, saver.lang), companyRoots(context.snapshot));
  const body = { ...content, confirmDeletedRoles: context.stored.policy.roles.map((role) => role.key) };
  return savePolicy(deps, memberId, context, saver, { ifMatch, body });
}
