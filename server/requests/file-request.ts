import type { AccessService } from '../access/access-service.js';
import type { Clock } from '../clock.js';
import { BadRequestError, ConflictError } from '../errors.js';
import type { Manifest } from '../manifest.js';
import { boundedText, MAX_TEXT, type AccessRequest } from './access-request.js';
import { filingRule } from './filing-rules.js';
import { hasAccessNow, type Asker } from './opener-access.js';
import type { RequestRepository } from './request-repository.js';

/** What filing a request needs. */
export interface FileRequestDeps {
  access: Pick<AccessService, 'context'>;
  manifest: Manifest;
  requests: Pick<RequestRepository, 'file'>;
  clock: Clock;
  /** Tells the app's admins, after the answer (never fails the filing). */
  notify: (request: AccessRequest) => void;
}

/**
 * `POST /app/access-request`: a refused person asks for access. Re-checked on the current policy and mirror — a
 * person who gets in now files nothing (409 `ALREADY_HAS_ACCESS`). The message is plain text of at most
 * MAX_TEXT characters (longer: 400, nothing stored); one open request per person, a rate limit (filing-rules.ts).
 */
export async function fileRequest(deps: FileRequestDeps, asker: Asker, rawMessage: string): Promise<AccessRequest> {
  const message = boundedText(rawMessage);
  if (message === null)
    throw new BadRequestError('INVALID_REQUEST_MESSAGE', `The message may be at most ${MAX_TEXT} characters.`);
  if (await hasAccessNow(deps, asker))
    throw new ConflictError('ALREADY_HAS_ACCESS', 'You already have access: reopen the app.');
  const filed = await deps.requests.file(
    asker.memberId,
    { userId: asker.userId, name: asker.name, message, feature: asker.feature },
    filingRule(deps.clock),
  );
  deps.notify(filed);
  return filed;
}
