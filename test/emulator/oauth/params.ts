import type { Request } from 'express';
import { parsePhpQuery } from '../php-query.js';
import { isRecord } from '../rest/params.js';

/** Flat string parameters of an OAuth request: query string plus form (or JSON) body. */
export function oauthParams(req: Request): Record<string, string> {
  const out: Record<string, string> = {};
  const url = req.originalUrl;
  const mark = url.indexOf('?');
  const sources: Array<Record<string, unknown>> = [mark === -1 ? {} : parsePhpQuery(url.slice(mark + 1))];
  if (Buffer.isBuffer(req.body) && req.body.length > 0) {
    const raw = req.body.toString('utf8');
    if (typeof req.is('application/json') === 'string') {
      try {
        const parsed: unknown = JSON.parse(raw);
        if (isRecord(parsed)) sources.push(parsed);
      } catch {
        // Ignored like any unparsable body.
      }
    } else {
      sources.push(parsePhpQuery(raw));
    }
  }
  for (const source of sources) {
    for (const [key, value] of Object.entries(source)) {
      if (typeof value === 'string' || typeof value === 'number') out[key] = String(value);
    }
  }
  return out;
}
