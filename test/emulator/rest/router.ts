import express, { type Request, type Response } from 'express';
import { bump } from '../counters.js';
import { parsePhpQuery } from '../php-query.js';
import type { Portal } from '../portal.js';
import { callMethod } from './dispatch.js';
import { restErrors } from './errors.js';
import { isRecord, type Params } from './params.js';

/** Keys that carry auth or SDK telemetry, not method parameters. */
const TRANSPORT_KEYS = ['auth', 'access_token', 'bx24_request_id', 'bx24_sdk_ver', 'bx24_sdk_type'];

/** Query string (PHP-parsed, so `FILTER[>ID]=5` nests) merged with the body; the body wins. */
function readParams(req: Request): Params {
  const url = req.originalUrl;
  const mark = url.indexOf('?');
  const query = mark === -1 ? {} : parsePhpQuery(url.slice(mark + 1));
  let body: Params = {};
  if (Buffer.isBuffer(req.body) && req.body.length > 0) {
    const raw = req.body.toString('utf8');
    if (typeof req.is('application/json') === 'string') {
      try {
        const parsed: unknown = JSON.parse(raw);
        body = isRecord(parsed) ? parsed : {};
      } catch {
        // The portal treats unparsable JSON as no parameters.
        body = {};
      }
    } else {
      body = parsePhpQuery(raw);
    }
  }
  return { ...query, ...body };
}

/** `auth` / `access_token` parameter, or `Authorization: Bearer`. */
function readToken(req: Request, params: Params): string | undefined {
  for (const key of ['auth', 'access_token']) {
    const value = params[key];
    if (typeof value === 'string' && value !== '') return value;
  }
  const header = req.get('authorization');
  const match = header === undefined ? null : /^Bearer\s+(\S+)$/i.exec(header);
  return match?.[1];
}

/**
 * `/rest/<method>` (optionally `.json`): one HTTP request = one drop in the leaky bucket (a batch too),
 * then the method with the portal's auth checks.
 * @see https://apidocs.bitrix24.com/settings/how-to-call-rest-api/general-principles.html
 */
export function restRouter(portal: Portal): express.Router {
  const router = express.Router();
  // The app frame calls REST from the browser; the portal answers with these headers (CRestUtil::sendHeaders).
  router.use((req, res, next) => {
    res.set({
      'access-control-allow-origin': '*',
      'access-control-allow-headers': 'origin, content-type, accept',
      'x-content-type-options': 'nosniff',
    });
    if (req.method === 'OPTIONS') res.status(200).end();
    else next();
  });
  router.use(express.raw({ type: () => true, limit: '20mb' }));
  const handle = (req: Request, res: Response): void => {
    portal.counters.restRequests++;
    if (portal.bucket !== null && !portal.bucket.take()) {
      portal.counters.rateLimited++;
      const error = restErrors.queryLimit();
      bump(portal.counters.errors, error.code);
      res.status(error.status).json({ error: error.code, error_description: error.description });
      return;
    }
    const params = readParams(req);
    const token = readToken(req, params);
    for (const key of TRANSPORT_KEYS) delete params[key];
    const outcome = callMethod(portal, String(req.params['method'] ?? ''), params, token);
    if (!outcome.ok) {
      res.status(outcome.status).json({ error: outcome.error, error_description: outcome.description });
      return;
    }
    const body: Record<string, unknown> = { result: outcome.result };
    if (outcome.total !== undefined) body['total'] = outcome.total;
    if (outcome.next !== undefined) body['next'] = outcome.next;
    body['time'] = outcome.time;
    res.status(200).json(body);
  };
  router.all('/:method', handle);
  router.use((_req, res) => {
    const error = restErrors.methodNotFound();
    res.status(error.status).json({ error: error.code, error_description: error.description });
  });
  return router;
}
