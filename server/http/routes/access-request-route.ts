import type { RequestHandler } from 'express';
import { z } from 'zod';
import { BadRequestError, NotFoundError } from '../../errors.js';
import type { Lang, Manifest } from '../../manifest.js';
import type { InstallationRepository } from '../../portals/installation-repository.js';
import { installationOrigin } from '../../portals/installation-record.js';
import { fileRequest, type FileRequestDeps } from '../../requests/file-request.js';
import { sendFrameError, type FramePageDeps } from '../frame-page.js';
import { sendNoAccessPage, type NoAccessDeps } from '../no-access.js';
import type { SessionTokens } from '../session-tokens.js';

const formSchema = z.object({
  ticket: z.string().min(1).max(4000),
  // Longer than the form allows: refused with a readable page by fileRequest, not by the parser.
  message: z.string().max(20_000).default(''),
});

/**
 * `POST /app/access-request`: the no-access page's form. Who asks comes from the signed ticket POST /app put in
 * the page (a bad, forged or expired one: 400, nothing stored), never from the form; filing re-checks the current
 * policy (requests/file-request.ts). The answer is the no-access page again, saying the request was sent.
 */
export function accessRequestRoute(
  deps: FileRequestDeps &
    NoAccessDeps &
    FramePageDeps & {
      sessions: Pick<SessionTokens, 'verifyTicket' | 'issueTicket'>;
      installations: Pick<InstallationRepository, 'get'>;
      askLinesOf: (memberId: string, lang: Lang) => Promise<string[]>;
      manifest: Pick<Manifest, 'features'>;
    },
): RequestHandler {
  return async (req, res) => {
    const form = formSchema.safeParse(req.body);
    if (!form.success) throw new BadRequestError('REQUEST_TICKET_INVALID', 'The request form is incomplete.');
    const asker = await deps.sessions.verifyTicket(form.data.ticket);
    const installation = await deps.installations.get(asker.memberId);
    if (installation?.state !== 'active')
      throw new NotFoundError('NOT_INSTALLED', 'The app is not installed on this portal.');
    const frameOrigin = installationOrigin(installation);
    try {
      await fileRequest(deps, asker, form.data.message);
    } catch (error: unknown) {
      sendFrameError(deps, res, error, { lang: asker.lang, ancestors: [frameOrigin] });
      return;
    }
    const askLines = await deps.askLinesOf(asker.memberId, asker.lang);
    // Asked from a feature's placement: the answer stays the compact page of that tab.
    const feature = deps.manifest.features.find((item) => item.key === asker.feature);
    await sendNoAccessPage(deps, res, {
      asker,
      askLines,
      frameOrigin,
      status: 200,
      justSent: true,
      ...(feature === undefined ? {} : { compact: true, featureTitle: feature.title[asker.lang] }),
    });
  };
}
