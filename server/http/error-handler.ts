import type { ErrorRequestHandler, Response } from 'express';
import { ZodError } from 'zod';
import { AppError, type ErrorCode, type ErrorDetails } from '../errors.js';
import type { Logger } from '../logger.js';

/** How an error is answered: the same for JSON bodies and for the refusal pages shown in the frame. */
export interface ClassifiedError {
  status: number;
  code: ErrorCode;
  /** Safe to show. */
  message: string;
  details: ErrorDetails | undefined;
  /** Sent as `Retry-After` when set. */
  retryAfterSeconds?: number | undefined;
}

/**
 * The one classification of everything a request can fail with: our own errors as they say, a payload
 * that failed its schema as 400, a body the parser refused as its 4xx, anything else as a 500 that shows
 * nothing of the error itself.
 */
export function classifyError(error: unknown): ClassifiedError {
  if (error instanceof AppError) {
    return {
      status: error.status,
      code: error.code,
      message: error.message,
      details: error.details,
      retryAfterSeconds: error.retryAfterSeconds,
    };
  }
  if (error instanceof ZodError)
    return { status: 400, code: 'BAD_REQUEST', message: 'The request is malformed.', details: undefined };
  const parser = bodyParserStatus(error);
  if (parser !== undefined) return { ...parser, message: 'The request body could not be read.', details: undefined };
  return { status: 500, code: 'INTERNAL', message: 'Something went wrong. Nothing was changed.', details: undefined };
}

/**
 * Body-parser failures: http-errors with a 4xx `status` meant to be shown (`expose`), usually with a `type`
 * (`entity.too.large`, `charset.unsupported`, …) — but a body that does not decompress arrives as the zlib
 * error itself, given status 400 and no type.
 */
function bodyParserStatus(error: unknown): { status: number; code: ErrorCode } | undefined {
  if (typeof error !== 'object' || error === null || !('status' in error)) return undefined;
  const { status } = error;
  const type = 'type' in error ? error.type : undefined;
  const expose = 'expose' in error ? error.expose : undefined;
  if (typeof status !== 'number' || (typeof type !== 'string' && expose !== true)) return undefined;
  if (type === 'entity.too.large') return { status: 413, code: 'BODY_TOO_LARGE' };
  return { status: status >= 400 && status < 500 ? status : 400, code: 'BAD_BODY' };
}

/**
 * Logs a failed request: a refusal is routine and its code is enough (frames add the cause: Bitrix24's own
 * answer helps support); a failure of ours or a peer's is logged in full.
 */
export function logFailure(
  logger: Logger,
  error: unknown,
  classified: ClassifiedError,
  what: { failed: string; refused: string; withCause: boolean },
): void {
  const { code, status } = classified;
  if (status >= 500) logger.error({ err: error, code, status }, what.failed);
  else if (what.withCause)
    logger.info({ code, status, cause: error instanceof AppError ? error.cause : undefined }, what.refused);
  else logger.info({ code, status }, what.refused);
}

/**
 * JSON errors for the API and events: `{ error, message, ...details }`, safe messages only; the rest goes to the log.
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error: unknown, _req, res, _next) => {
    const classified = classifyError(error);
    logFailure(logger, error, classified, { failed: 'request failed', refused: 'request refused', withCause: false });
    setRetryAfter(res, classified);
    res.status(classified.status).json({ error: classified.code, message: classified.message, ...classified.details });
  };
}

/** `Retry-After` for an answer that may be repeated later (a busy portal, a flood limit, a store outage). */
export function setRetryAfter(res: Response, classified: ClassifiedError): void {
  if (classified.retryAfterSeconds !== undefined)
    res.setHeader('Retry-After', String(Math.max(1, Math.ceil(classified.retryAfterSeconds))));
}
