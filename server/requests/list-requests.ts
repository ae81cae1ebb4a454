import type { AccessRequest } from './access-request.js';
import type { RequestRepository } from './request-repository.js';

/** One request as the Requests tab shows it (the portal's id is not repeated). */
export type RequestView = Omit<AccessRequest, 'memberId'>;

/** `GET /api/access-requests`: open requests first (oldest first), then decided ones (newest first). */
export async function listRequests(
  deps: { requests: Pick<RequestRepository, 'list'> },
  memberId: string,
): Promise<{ requests: RequestView[]; open: number }> {
  const all = await deps.requests.list(memberId);
  return {
    requests: all.map(({ memberId: _memberId, ...view }) => view),
    open: all.filter((request) => request.status === 'open').length,
  };
}
