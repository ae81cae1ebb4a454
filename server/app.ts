import express, { type Express, type ErrorRequestHandler } from 'express';
import type { Config } from './config.js';
import { NotFoundError } from './errors.js';
import { createServices, type AppDeps, type Services } from './services.js';
import { assetFiles } from './http/compressed-assets.js';
import { errorHandler } from './http/error-handler.js';
import { DEFAULT_FLOOD_LIMITS, floodGuard, floodGuardBuckets } from './http/flood-guard.js';
import { sendFrameError } from './http/frame-page.js';
import { langOf } from './http/lang-of.js';
import { requireSession } from './http/require-session.js';
import { apiKit } from './http/api-routes.js';
import { accessRouter } from './http/routes/access-router.js';
import { apiRouter } from './http/routes/api-router.js';
import { auditRouter } from './http/routes/audit-router.js';
import { appRoute } from './http/routes/app-route.js';
import { placementsRouter } from './http/routes/placements-router.js';
import { directoryRouter } from './http/routes/directory-router.js';
import { eventsRoute } from './http/routes/events-route.js';
import { healthRouter } from './http/routes/health-router.js';
import { installRoute } from './http/routes/install-route.js';
import { stockRoutes } from './http/routes/stock-router.js';
import { requestsRouter } from './http/routes/requests-router.js';
import { accessRequestRoute } from './http/routes/access-request-route.js';
import { syncRouter } from './http/routes/sync-router.js';

export type { AppDeps } from './services.js';

/** Bitrix24 payloads are small; anything bigger is not from Bitrix24. */
const BODY_LIMIT = '64kb';

/**
 * Builds the Express app. Everything outside comes in through `deps`, so tests run it in-process with
 * their own store, clock, logger and fetch; `server/main.ts` is the only place that reads the environment.
 */
export function createApp(config: Config, deps: AppDeps): Express & { services: Services } {
  const services = createServices(config, deps);
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', config.trustProxy);
  const flood = floodGuardBuckets(deps.floodLimits ?? DEFAULT_FLOOD_LIMITS, deps.clock);
  // No automatic ETags: API answers are per user and not cached; the policy route sets its own (If-Match).
  app.set('etag', false);
  // Bitrix24 posts forms with bracket nesting (`auth[member_id]=…`): the extended (qs) parser is required.
  const forms = express.urlencoded({ extended: true, limit: BODY_LIMIT, parameterLimit: 200 });
  const json = express.json({ limit: BODY_LIMIT });

  // Every /api route is behind one session check. Mounted first: the UI's calls are the most frequent
  // requests, and each layer in front of them is matched on every call.
  // Reads have no body: the JSON parser is skipped for them rather than asked to find none.
  const jsonBodies: express.RequestHandler = (req, res, next) =>
    req.method === 'GET' || req.method === 'HEAD' ? next() : json(req, res, next);
  // Each router takes the whole services object but reads only the few it declares in its own type. The app's own
  // routes (`deps.apiRoutes`, by default the sample's stock routes) come after Keycard's, behind the same check.
  const kit = apiKit(services);
  app.use(
    '/api',
    jsonBodies,
    requireSession(services),
    apiRouter(services),
    directoryRouter(services),
    syncRouter(services),
    accessRouter(services),
    auditRouter(services),
    placementsRouter(services),
    requestsRouter(services),
    ...(deps.apiRoutes ?? [stockRoutes]).map((routes) => routes(kit)),
  );
  app.use(healthRouter(services));
  if (deps.ui.assetsDir !== undefined) {
    app.use('/assets', assetFiles(deps.ui.assetsDir));
  }

  const frames = express.Router();
  frames.post('/install', forms, floodGuard(flood.frames), installRoute(services));
  frames.post('/app', forms, floodGuard(flood.frames), appRoute(services));
  frames.post('/app/access-request', forms, floodGuard(flood.frames), accessRequestRoute(services));
  frames.get(['/install', '/app'], (req, res) => {
    sendFrameError(services, res, new NotFoundError('BAD_REQUEST', 'Opened outside Bitrix24.'), { lang: langOf(req) });
  });
  const framePageErrors: ErrorRequestHandler = (error: unknown, req, res, _next) => {
    sendFrameError(services, res, error, { lang: langOf(req) });
  };
  frames.use(framePageErrors);
  app.use(frames);

  app.post('/events', forms, json, floodGuard(flood.events), eventsRoute(services));
  app.use((_req, _res, next) => next(new NotFoundError('NOT_FOUND', 'There is nothing here.')));
  app.use(errorHandler(services.logger));
  return Object.assign(app, { services });
}
