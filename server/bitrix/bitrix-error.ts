import { AppError } from '../errors.js';

/**
 * Bitrix24 or its OAuth server refused or failed a call. `bitrixCode` is Bitrix24's code (`expired_token`,
 * `QUERY_LIMIT_EXCEEDED`, `invalid_grant`, …) and `bitrixStatus` its HTTP status (0 when nothing answered).
 * Our own `status` is 502: a peer failed, which is never the caller's fault and never a grant.
 */
export class BitrixError extends AppError {
  readonly bitrixCode: string;
  readonly bitrixStatus: number;

  constructor(bitrixCode: string, bitrixStatus: number, options?: { cause?: unknown }) {
    super('BITRIX_ERROR', 502, `Bitrix24 answered ${bitrixCode}${bitrixStatus > 0 ? ` (HTTP ${bitrixStatus})` : ''}.`, options);
    this.bitrixCode = bitrixCode;
    this.bitrixStatus = bitrixStatus;
  }

  /** Case-insensitive: Bitrix24 mixes `expired_token` and `QUERY_LIMIT_EXCEEDED`. */
  is(code: string): boolean {
    return this.bitrixCode.toLowerCase() === code.toLowerCase();
  }
}

/** Codes that mean "this token is not good for this portal". */
const REJECTED_TOKEN_CODES = ['no_auth_found', 'invalid_token', 'expired_token', 'invalid_grant', 'invalid_client', 'wrong_client'];

/** True when Bitrix24 rejected the credentials themselves (as opposed to failing or rate-limiting). */
export function isRejectedToken(error: unknown): boolean {
  return error instanceof BitrixError && REJECTED_TOKEN_CODES.includes(error.bitrixCode.toLowerCase());
}
