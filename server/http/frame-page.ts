import type { Response } from 'express';
import type { HostPolicy } from '../bitrix/portal-host.js';
import type { Logger } from '../logger.js';
import type { Lang } from '../manifest.js';
import { classifyError, logFailure, setRetryAfter } from './error-handler.js';
import { ancestorsForPatterns, setFramePageHeaders } from './frame-headers.js';
import { renderAppShell, type Bootstrap } from './pages/app-shell.js';
import { renderMessagePage } from './pages/message-page.js';

/** What a refusal page needs to know of the app. */
export interface FramePageDeps {
  hosts: HostPolicy;
  logger: Logger;
}

/**
 * Answers a frame route (installer, app) that cannot go on with a readable page in the portal's language,
 * never a blank frame or a stack trace. `ancestors` is the verified portal origin when known; otherwise any
 * accepted portal host may frame the page, so the user still sees it inside Bitrix24. `lines` are shown
 * under the explanation (already safe to show: escaped on rendering).
 */
export function sendFrameError(
  deps: FramePageDeps,
  res: Response,
  error: unknown,
  options: { lang: Lang; ancestors?: string[] | undefined; lines?: string[] | undefined },
): void {
  const classified = classifyError(error);
  logFailure(deps.logger, error, classified, {
    failed: 'frame page failed',
    refused: 'frame request refused',
    withCause: true,
  });
  setFramePageHeaders(res, options.ancestors ?? ancestorsForPatterns(deps.hosts));
  setRetryAfter(res, classified);
  res
    .status(classified.status)
    .type('html')
    .send(renderMessagePage({ lang: options.lang, code: classified.code, details: options.lines }));
}

/** Renders the built UI into the frame with its bootstrap (session, user, mode), framed only by the portal. */
export function sendFrameApp(res: Response, template: string, bootstrap: Bootstrap, portalOrigin: string): void {
  setFramePageHeaders(res, [portalOrigin]);
  res.type('html').send(renderAppShell(template, bootstrap));
}
