import type { z } from 'zod';
import { BadRequestError, type ErrorCode } from '../errors.js';

/** The 400 code naming each query parameter a route may refuse. */
const invalidParameter: Readonly<Record<string, ErrorCode>> = {
  q: 'INVALID_Q',
  department: 'INVALID_DEPARTMENT',
  subdepartments: 'INVALID_SUBDEPARTMENTS',
  active: 'INVALID_ACTIVE',
  cursor: 'INVALID_CURSOR',
  limit: 'INVALID_LIMIT',
  actor: 'INVALID_ACTOR',
  code: 'INVALID_CODE',
  user: 'INVALID_USER',
};

/** Parses a query string; a bad parameter is a 400 whose code names it (`INVALID_LIMIT`, `INVALID_CURSOR`, …). */
export function parseQuery<S extends z.ZodType>(schema: S, query: unknown): z.output<S> {
  const parsed = schema.safeParse(query);
  if (parsed.success) return parsed.data;
  const name = String(parsed.error.issues[0]?.path[0] ?? 'query');
  throw new BadRequestError(invalidParameter[name] ?? 'INVALID_QUERY', `The query parameter "${name}" is not valid.`);
}
