import { subjectOf, type AccessContext } from '../access/access-service.js';
import { buildIndex, canOpen, evaluate, verifiedActive, type Policy } from '../access/index.js';
import { lowestLevel, type Manifest } from '../manifest.js';
import { savePolicy, type SavePolicyDeps, type Saver } from '../access/save-policy.js';
import type { StoredPolicy } from '../access/policy-repository.js';
import type { PolicyView } from '../access/policy-view.js';
import { BadRequestError, ConflictError, NotFoundError } from '../errors.js';
import { boundedText, MAX_TEXT, type AccessRequest, type ApprovedAs } from './access-request.js';
import type { RequestRepository } from './request-repository.js';

/** What deciding needs: the policy save (approvals go through it) and the requests. */
export interface DecideRequestDeps extends SavePolicyDeps {
  requests: Pick<RequestRepository, 'get' | 'decide'>;
  /** Tells the requester, after the answer (never fails the decision). */
  notify: (request: AccessRequest) => void;
}

async function openRequest(deps: DecideRequestDeps, memberId: string, id: string): Promise<AccessRequest> {
  const request = await deps.requests.get(memberId, id);
  if (request === undefined) throw new NotFoundError('REQUEST_NOT_FOUND', 'There is no such access request.');
  if (request.status !== 'open') throw decidedAlready(request);
  return request;
}

function decidedAlready(request: AccessRequest): ConflictError {
  return new ConflictError('REQUEST_DECIDED', 'This request was already decided.', {
    details: { status: request.status },
  });
}

async function record(
  deps: DecideRequestDeps,
  memberId: string,
  request: AccessRequest,
  decision: Parameters<RequestRepository['decide']>[2],
  first?: () => Promise<void>,
): Promise<AccessRequest> {
  const result = await deps.requests.decide(memberId, request.id, decision, first);
  if (result === undefined) throw new NotFoundError('REQUEST_NOT_FOUND', 'There is no such access request.');
  if (!result.decided) throw decidedAlready(result.request);
  deps.notify(result.request);
  return result.request;
}

/**
 * `POST /api/access-requests/:id/approve`: the person joins the allow-list, or gets a role — through the same
 * save as the settings editor (`If-Match` compare-and-swap, validated whole, audited with the request as its
 * source). A role given while the allow-list names people also puts the person on the allow-list: otherwise the
 * approval would not let them in. An approval that would still leave them out is refused; otherwise the save and
 * the request's "approved" are written together, under the portal's requests lock.
 */
export async function approveRequest(
  deps: DecideRequestDeps,
  memberId: string,
  context: AccessContext,
  saver: Saver,
  edit: { id: string; as: ApprovedAs; ifMatch: string },
): Promise<{ request: AccessRequest; stored: StoredPolicy; view: PolicyView }> {
  const request = await openRequest(deps, memberId, edit.id);
  const { version: _version, ...policy } = context.stored.policy;
  const code = `U${request.userId}`;
  const listed = policy.allowList.includes(code) || policy.allowList.includes(`I${code}`);
  const withListed = policy.allowList.length === 0 || listed ? policy.allowList : [...policy.allowList, code];
  let body: typeof policy;
  if (edit.as.kind === 'allowList') {
    if (policy.allowList.length === 0)
      throw new BadRequestError(
        'INVALID_DECISION',
        'The allow-list is empty (everyone may open the app): choose a role instead.',
      );
    body = { ...policy, allowList: withListed };
  } else {
    const role = edit.as.role;
    if (!policy.roles.some((item) => item.key === role))
      throw new BadRequestError('INVALID_DECISION', 'There is no such role.');
    const held = policy.assignments.some((item) => item.code === code && item.role === role);
    body = {
      ...policy,
      allowList: withListed,
      assignments: held ? policy.assignments : [...policy.assignments, { code, role }],
    };
  }
  assertLetsIn(deps.manifest, body, context, request);
  // The save runs under the requests lock once the request is known to be still open: a decline racing this
  // approval either comes first (nothing is saved) or after (it finds the request approved).
  const saves: Awaited<ReturnType<typeof savePolicy>>[] = [];
  const decision = {
    status: 'approved' as const,
    decidedBy: { id: saver.userId, name: saver.name },
    approvedAs: edit.as,
  };
  const decided = await record(deps, memberId, request, decision, async () => {
    const source = { kind: 'request' as const, id: request.id, name: request.name };
    saves.push(await savePolicy(deps, memberId, context, saver, { ifMatch: edit.ifMatch, body, source }));
  });
  const [saved] = saves;
  if (saved === undefined) throw decidedAlready(decided);
  return { request: decided, ...saved };
}

/**
 * "Approved" must mean the person gets in: an approval that would still leave them out — a role that does not give
 * the feature they asked for from its tab, the allow-list for someone already on it — is refused and changes nothing.
 * Decided on the person's codes in the mirror (their own code when it has them as fired: Bitrix24 let them in when
 * they asked), as an employee: admins are never refused.
 */
function assertLetsIn(
  manifest: Manifest,
  policy: Omit<Policy, 'version'>,
  context: AccessContext,
  request: AccessRequest,
): void {
  const id = Number(request.userId);
  const subject = verifiedActive(subjectOf(context.snapshot, { id, isAdmin: false }));
  const index = buildIndex({ ...policy, version: context.stored.policy.version }, manifest);
  const feature = manifest.features.find((item) => item.key === request.feature);
  const level = feature === undefined ? undefined : lowestLevel(manifest, feature);
  const opens = canOpen(index, subject).allowed;
  if (
    opens &&
    (feature === undefined || level === undefined || evaluate(index, subject, { feature: feature.key, level }).allowed)
  )
    return;
  throw new BadRequestError(
    'INVALID_DECISION',
    opens && feature !== undefined
      ? `This would not give ${request.name} “${feature.title.en}”: choose a role that grants it.`
      : `This would not let ${request.name} open the app: choose another way.`,
  );
}

/** `POST /api/access-requests/:id/decline`: a reason is required (plain text, at most MAX_TEXT characters). */
export async function declineRequest(
  deps: DecideRequestDeps,
  memberId: string,
  saver: Saver,
  edit: { id: string; reason: string },
): Promise<AccessRequest> {
  const reason = boundedText(edit.reason);
  if (reason === null || reason === '')
    throw new BadRequestError('INVALID_DECISION', `Give a reason of 1 to ${MAX_TEXT} characters.`);
  const request = await openRequest(deps, memberId, edit.id);
  return record(deps, memberId, request, {
    status: 'declined',
    decidedBy: { id: saver.userId, name: saver.name },
    reason,
  });
}
