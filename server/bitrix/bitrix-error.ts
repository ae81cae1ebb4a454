import { AppError } from '../errors.js';
import { kindOfCode, kindOfStatus, type BitrixErrorKind } from './error-kinds.js';

/**
 * Bitrix24 or its OAuth server answered with an error. `bitrixCode` is Bitrix24's code (`expired_token`,
 * `QUERY_LIMIT_EXCEEDED`, `invalid_grant`, …), `bitrixStatus` the HTTP status it came with (0 for a command
 * that failed inside a `batch`), and `kind` what the code means (see error-kinds.ts).
 * Our own `status` is 502: a peer failed, which is never the caller's fault and never a grant.
 */
export class BitrixError extends AppError {
  readonly bitrixCode: string;
  readonly bitrixStatus: number;
  /** Bitrix24's `error_description`, when it gave one (some codes mean different things by it). */
  readonly bitrixDescription: string | undefined;
  readonly kind: BitrixErrorKind;

  constructor(bitrixCode: string, bitrixStatus: number, options?: { cause?: unknown; description?: string }) {
    super(
      'BITRIX_ERROR',
      502,
      `Bitrix24 answered ${bitrixCode}${bitrixStatus > 0 ? ` (HTTP ${bitrixStatus})` : ''}.`,
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.bitrixCode = bitrixCode;
    this.bitrixStatus = bitrixStatus;
    this.bitrixDescription = options?.description;
    this.kind = kindOfCode(bitrixCode, bitrixStatus, options?.description);
  }

  /** Case-insensitive: Bitrix24 mixes `expired_token` and `QUERY_LIMIT_EXCEEDED`. */
  is(code: string): boolean {
    return this.bitrixCode.toLowerCase() === code.toLowerCase();
  }
}

/** Why Keycard got no usable answer from Bitrix24. */
export type TransportFailure = 'unreachable' | 'timeout' | 'bad_response' | 'http_error';

/**
 * Keycard's own failure to get an answer: the connection was refused or dropped, the request timed out, or
 * what came back was not a Bitrix24 answer (not JSON, an HTTP error without an error code). Not a Bitrix24
 * code: nothing here was said by Bitrix24. `httpStatus` is 0 when no response arrived.
 */
export class TransportError extends AppError {
  readonly reason: TransportFailure;
  readonly httpStatus: number;

  constructor(reason: TransportFailure, httpStatus: number, options?: { cause?: unknown }) {
    super(
      'BITRIX_UNREACHABLE',
      502,
      `Bitrix24 could not be reached (${reason}${httpStatus > 0 ? `, HTTP ${httpStatus}` : ''}).`,
      options,
    );
    this.reason = reason;
    this.httpStatus = httpStatus;
  }
}

/**
 * What a failed call means: the kind of a Bitrix24 answer; an HTTP error without a code is judged by its
 * status (a proxy's bare 503 is still the portal's "too many requests"); any other transport failure is transient.
 */
export function kindOf(error: unknown): BitrixErrorKind | undefined {
  if (error instanceof BitrixError) return error.kind;
  if (error instanceof TransportError)
    return error.reason === 'http_error' ? kindOfStatus(error.httpStatus) : 'transient';
  return undefined;
}

/** Bitrix24 (or the OAuth server) answered with an HTTP status of 400–499 (an error code or not). */
export function refusedWith4xx(error: unknown): boolean {
  const status =
    error instanceof BitrixError ? error.bitrixStatus : error instanceof TransportError ? error.httpStatus : 0;
  return status >= 400 && status < 500;
}
