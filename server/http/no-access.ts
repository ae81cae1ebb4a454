import type { Response } from 'express';
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import type { Lang } from '../manifest.js';
import { myRequestStatus } from '../requests/my-request-status.js';
import type { RequestRepository } from '../requests/request-repository.js';
import { setFramePageHeaders } from './frame-headers.js';
import { renderNoAccessPage } from './pages/no-access-page.js';
import type { RequestTicket, SessionTokens } from './session-tokens.js';

/** What the no-access page needs. */
export interface NoAccessDeps {
  config: Pick<Config, 'appUrl'>;
  clock: Clock;
  sessions: Pick<SessionTokens, 'issueTicket'>;
  requests: Pick<RequestRepository, 'latestOf' | 'historyOf'>;
}

/**
 * Renders Keycard's refusal (APP_ACCESS_DENIED) for a verified opener: whom to ask, their request's status, and the
 * "Request access" form with a fresh ticket when they may ask now. Framed by their portal only.
 */
export async function sendNoAccessPage(
  deps: NoAccessDeps,
  res: Response,
  options: {
    asker: RequestTicket;
    askLines: string[];
    frameOrigin: string;
    status: number;
    justSent?: boolean;
    compact?: boolean;
    featureTitle?: string;
  },
): Promise<void> {
  const { asker } = options;
  const status = await myRequestStatus(deps, asker.memberId, asker.userId);
  const form = status.mayAsk
    ? { action: `${deps.config.appUrl}/app/access-request`, ticket: await deps.sessions.issueTicket(asker) }
    : undefined;
  setFramePageHeaders(res, [options.frameOrigin]);
  res
    .status(options.status)
    .type('html')
    .send(
      renderNoAccessPage({
        lang: asker.lang,
        askLines: options.askLines,
        latest: status.latest,
        form,
        compact: options.compact,
        featureTitle: options.featureTitle,
        justSent: options.justSent,
      }),
    );
}

/** The ticket of a verified opener refused by the access settings (or, from a placement, lacking `feature`). */
export function askerOf(
  memberId: string,
  user: { id: string; name: string; isAdmin: boolean | null },
  lang: Lang,
  feature?: string,
): RequestTicket {
  return {
    memberId,
    userId: user.id,
    name: user.name,
    isAdmin: user.isAdmin,
    lang,
    ...(feature === undefined ? {} : { feature }),
  };
}
