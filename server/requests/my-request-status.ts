import type { Clock } from '../clock.js';
import type { AccessRequest } from './access-request.js';
import { nextFilingAt } from './filing-rules.js';
import type { RequestRepository } from './request-repository.js';

/** What the no-access page shows a refused person about asking. */
export interface MyRequestStatus {
  /** Their latest request (open, or the last decision). */
  latest: AccessRequest | undefined;
  /** Whether the form to ask (again) is shown. */
  mayAsk: boolean;
}

/** The refused person's latest request and whether they may ask now (none open, under the rate limit). */
export async function myRequestStatus(
  deps: { requests: Pick<RequestRepository, 'latestOf' | 'historyOf'>; clock: Clock },
  memberId: string,
  userId: string,
): Promise<MyRequestStatus> {
  const [latest, history] = await Promise.all([
    deps.requests.latestOf(memberId, userId),
    deps.requests.historyOf(memberId, userId),
  ]);
  return { latest, mayAsk: nextFilingAt(history, deps.clock) === null };
}
