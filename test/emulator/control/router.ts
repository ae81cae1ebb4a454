import express from 'express';
import type { Portal } from '../portal.js';
import { adminRoutes } from './admin-routes.js';
import { appRoutes } from './app-routes.js';
import { avatarSvg } from './avatar.js';
import { currentUser, setCurrentUser } from './session.js';
import { directoryView, portalState, userView } from './views.js';
import { isRecord } from '../rest/params.js';
import { notificationsOf } from '../rest/im.js';

/**
 * JSON endpoints for the portal page (`/_emulator/…`). The browser's current user lives in the
 * `em_user` cookie (default: the admin). Also a few helpers for tests and benchmarks: counters, event
 * deliveries, expiring every access token.
 */
export function controlRouter(portal: Portal): express.Router {
  const router = express.Router();
  router.use(express.json({ limit: '100kb' }));

  router.get('/state', (req, res) => {
    res.json(portalState(portal, currentUser(portal, req)));
  });

  router.post('/user', (req, res) => {
    const id = Number(isRecord(req.body) ? req.body['userId'] : undefined);
    const user = Number.isInteger(id) ? portal.directory.user(id) : undefined;
    if (user === undefined) {
      res.status(400).json({ error: 'BAD_USER', message: 'userId must be an existing user.' });
      return;
    }
    setCurrentUser(res, user.id);
    res.json({ ok: true, currentUser: userView(portal, user) });
  });

  router.get('/directory', (req, res) => {
    const department = Number(req.query['department']);
    const q = typeof req.query['q'] === 'string' ? req.query['q'] : '';
    res.json(directoryView(portal, q, Number.isInteger(department) && department > 0 ? department : undefined));
  });

  router.get('/avatar/:file', (req, res) => {
    const match = /^(\d+)\.svg$/.exec(String(req.params['file']));
    const user = match === null ? undefined : portal.directory.user(Number(match[1]));
    if (user === undefined) {
      res.status(404).end();
      return;
    }
    res.type('image/svg+xml').set('cache-control', 'public, max-age=3600').send(avatarSvg(user));
  });

  router.get('/counters', (_req, res) => {
    res.json(portal.counters);
  });

  // The notification centre: the current user's (or `?user=ID`'s) notifications, newest first.
  router.get('/notifications', (req, res) => {
    const asked = Number(req.query['user']);
    const userId = Number.isInteger(asked) && asked > 0 ? asked : currentUser(portal, req).id;
    res.json({ userId, notifications: notificationsOf(portal, userId) });
  });

  router.get('/events', (_req, res) => {
    res.json({ deliveries: portal.events.deliveries });
  });

  router.post('/expire-tokens', (_req, res) => {
    portal.tokens.expireAll();
    res.json({ ok: true });
  });

  router.use(appRoutes(portal));
  router.use(adminRoutes(portal));
  return router;
}
