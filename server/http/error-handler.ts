import type { ErrorRequestHandler } from 'express';
import { ZodError } from 'zod';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';

/**
 * Body-parser failures: http-errors with a 4xx `status` meant to be shown (`expose`), usually with a `type`
 * (`entity.too.large`, `charset.unsupported`, …) — but a body that does not decompress arrives as the zlib
 * error itself, given status 400 and no type.
 */
export function bodyParserStatus(error: unknown): { status: number; code: string } | undefined {
  if (typeof error !== 'object' || error === null || !('status' in error)) return undefined;
  const { status } = error;
  const type = 'type' in error ? error.type : undefined;
  const expose = 'expose' in error ? error.expose : undefined;
  if (typeof status !== 'number' || (typeof type !== 'string' && expose !== true)) return undefined;
  if (type === 'entity.too.large') return { status: 413, code: 'BODY_TOO_LARGE' };
  return { status: status >= 400 && status < 500 ? status : 400, code: 'BAD_BODY' };
}

/**
 * JSON errors for the API and events: `{ error, message }`, safe messages only; details go to the log.
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, _req, res, _next) => {
    if (error instanceof AppError) {
      // A refused request is routine: its code is enough. A failure of ours or a peer gets the whole error.
      if (error.status >= 500) logger.error({ err: error }, 'request failed');
      else logger.info({ code: error.code, status: error.status }, 'request refused');
      res.status(error.status).json({ error: error.code, message: error.message });
      return;
    }
    if (error instanceof ZodError) {
      res.status(400).json({ error: 'BAD_REQUEST', message: 'The request is malformed.' });
      return;
    }
    const parserError = bodyParserStatus(error);
    if (parserError !== undefined) {
      res.status(parserError.status).json({ error: parserError.code, message: 'The request body could not be read.' });
      return;
    }
    logger.error({ err: error }, 'unexpected error');
    res.status(500).json({ error: 'INTERNAL', message: 'Something went wrong. Nothing was changed.' });
  };
}
