import { ConflictError, TooManyRequestsError } from '../errors.js';
import type { Clock } from '../clock.js';
import { MAX_FILINGS, REQUEST_WINDOW_MS } from './access-request.js';
import type { FilingHistory } from './request-repository.js';

/**
 * When a person may file again: never while a request of theirs is open, and at most MAX_FILINGS times in
 * REQUEST_WINDOW_MS. Returns the time they may (epoch ms), or `null` when they may now.
 */
export function nextFilingAt(history: FilingHistory, clock: Clock): number | null {
  if (history.open !== undefined) return Number.POSITIVE_INFINITY;
  if (history.filedAt.length < MAX_FILINGS) return null;
  const oldest = Math.min(...history.filedAt);
  const at = oldest + REQUEST_WINDOW_MS;
  return at > clock.now() ? at : null;
}

/** The filing rule the repository applies under its lock: throws when the person may not file now. */
export function filingRule(clock: Clock): (history: FilingHistory) => void {
  return (history) => {
    if (history.open !== undefined)
      throw new ConflictError('REQUEST_ALREADY_OPEN', 'You already asked for access; your request is waiting.');
    const at = nextFilingAt(history, clock);
    if (at !== null)
      throw new TooManyRequestsError(
        'REQUEST_LIMIT',
        `You asked for access ${MAX_FILINGS} times in the last 24 hours. Try again later.`,
        { retryAfterSeconds: Math.max(1, Math.ceil((at - clock.now()) / 1000)) },
      );
  };
}
