import { AppError, UnavailableError } from '../errors.js';

/**
 * Awaits store work on a request's path: a store that fails or holds something unreadable is a 503
 * ("temporarily unavailable"), never a 500 and never a 400 blaming the caller. Deliberate refusals
 * (AppError) pass through unchanged.
 */
export async function orUnavailable<T>(work: Promise<T>, message = 'Keycard is temporarily unavailable.'): Promise<T> {
  try {
    return await work;
  } catch (error: unknown) {
    if (error instanceof AppError) throw error;
    throw new UnavailableError('STORE_UNAVAILABLE', message, { cause: error });
  }
}
