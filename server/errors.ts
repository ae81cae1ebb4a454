/**
 * One error base for everything the server throws on purpose. `code` is a stable string the UI and tests
 * match on; `status` is the HTTP status the error middleware answers with; `message` is safe to show.
 * Details that are not safe to show go to `cause` and reach only the log.
 */
export class AppError extends Error {
  readonly code: string;
  readonly status: number;

  constructor(code: string, status: number, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
    this.status = status;
  }
}

/** The request itself is wrong: malformed, missing fields, not allowed input. */
export class BadRequestError extends AppError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, 400, message, options);
  }
}

/** The caller could not be identified (no, bad or expired credentials). */
export class UnauthorizedError extends AppError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, 401, message, options);
  }
}

/** The caller is known but not allowed to do this. */
export class ForbiddenError extends AppError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, 403, message, options);
  }
}

/** The thing asked for does not exist (e.g. the app is not installed on that portal). */
export class NotFoundError extends AppError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, 404, message, options);
  }
}

/** A dependency (store, Bitrix24, OAuth server) failed; never turned into a grant. */
export class UnavailableError extends AppError {
  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(code, 503, message, options);
  }
}
