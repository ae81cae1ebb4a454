import type { Response } from 'express';
import { ZodError } from 'zod';
import { AppError } from '../errors.js';
import type { Lang } from '../manifest.js';
import type { Services } from '../services.js';
import { bodyParserStatus } from './error-handler.js';
import { ancestorsForPatterns, setFramePageHeaders } from './frame-headers.js';
import { renderMessagePage } from './pages/message-page.js';

/**
 * Answers a frame route (installer, app) that cannot go on with a readable page in the portal's language,
 * never a blank frame or a stack trace. `ancestors` is the verified portal origin when known; otherwise any
 * accepted portal host may frame the page, so the user still sees it inside Bitrix24.
 */
export function sendFrameError(
  services: Services,
  res: Response,
  error: unknown,
  options: { lang: Lang; ancestors?: string[]; details?: string[] },
): void {
  const { status, code } = describe(error);
  if (status >= 500) services.logger.error({ err: error, code, status }, 'frame page failed');
  else services.logger.info({ code, status, cause: error instanceof AppError ? error.cause : undefined }, 'frame request refused');
  setFramePageHeaders(res, options.ancestors ?? ancestorsForPatterns(services.config.portalDomains));
  res.status(status).type('html').send(renderMessagePage({ lang: options.lang, code, details: options.details }));
}

function describe(error: unknown): { status: number; code: string } {
  if (error instanceof AppError) return { status: error.status, code: error.code };
  if (error instanceof ZodError) return { status: 400, code: 'BAD_REQUEST' };
  // A form Bitrix24 would never send (too big, too deep, unknown charset or encoding): the parser's 4xx.
  const parser = bodyParserStatus(error);
  if (parser !== undefined) return { status: parser.status, code: 'BAD_REQUEST' };
  return { status: 500, code: 'INTERNAL' };
}
