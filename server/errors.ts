import type { ErrorCode } from '../common/error-codes.js';

export type { ErrorCode } from '../common/error-codes.js';

/** What an error may add to its answer besides `error` and `message` (e.g. a list of problems). */
export type ErrorDetails = Readonly<Record<string, unknown>>;

interface ErrorOptions {
  cause?: unknown;
  /** Safe to show: merged into the JSON body (`{ error, message, ...details }`). */
  details?: ErrorDetails;
  /** When repeating the request makes sense: sent as `Retry-After` (seconds). */
  retryAfterSeconds?: number;
}

/**
 * One error base for everything the server throws on purpose. `code` comes from the closed registry the
 * UI and tests match on; `status` is the HTTP status the error middleware answers with; `message` and
 * `details` are safe to show. Details that are not safe to show go to `cause` and reach only the log.
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: ErrorDetails | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(code: ErrorCode, status: number, message: string, options?: ErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.status = status;
    this.details = options?.details;
    this.retryAfterSeconds = options?.retryAfterSeconds;
  }
}

/** The request itself is wrong: malformed, missing fields, not allowed input. */
export class BadRequestError extends AppError {
  constructor(code: ErrorCode, message: string, options?: ErrorOptions) {
    super(code, 400, message, options);
  }
}

/** The caller could not be identified (no, bad or expired credentials). */
export class UnauthorizedError extends AppError {
  constructor(code: ErrorCode, message: string, options?: ErrorOptions) {
    super(code, 401, message, options);
  }
}

/** The caller is known but not allowed to do this. */
export class ForbiddenError extends AppError {
  constructor(code: ErrorCode, message: string, options?: ErrorOptions) {
    super(code, 403, message, options);
  }
}

/** The thing asked for does not exist (e.g. the app is not installed on that portal). */
export class NotFoundError extends AppError {
  constructor(code: ErrorCode, message: string, options?: ErrorOptions) {
    super(code, 404, message, options);
  }
}

/** The request conflicts with the current state (a stale ETag, an unfinished installation, a running sync). */
export class ConflictError extends AppError {
  constructor(code: ErrorCode, message: string, options?: ErrorOptions) {
    super(code, 409, message, options);
  }
}

/** A conditional write came without its condition (`If-Match`). */
export class PreconditionRequiredError extends AppError {
  constructor(code: ErrorCode, message: string, options?: ErrorOptions) {
    super(code, 428, message, options);
  }
}

/** Too many requests from one source or for one portal: refused before any work, with `Retry-After`. */
export class TooManyRequestsError extends AppError {
  constructor(code: ErrorCode, message: string, options: ErrorOptions & { retryAfterSeconds: number }) {
    super(code, 429, message, options);
  }
}

/** A dependency (store, Bitrix24, OAuth server) failed; never turned into a grant. */
export class UnavailableError extends AppError {
  constructor(code: ErrorCode, message: string, options?: ErrorOptions) {
    super(code, 503, message, options);
  }
}

/** The store failed or holds something this version cannot read: 503, never a 500 or a decision. */
export class StoreUnavailableError extends UnavailableError {
  constructor(message = 'Keycard is temporarily unavailable.', options?: ErrorOptions) {
    super('STORE_UNAVAILABLE', message, options);
  }
}
