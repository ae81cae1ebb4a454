import express, { type Response } from 'express';
import type { Portal } from '../portal.js';
import { isRecord } from '../rest/params.js';
import { currentUser } from './session.js';
import { userView } from './views.js';

function refuse(res: Response, status: number, error: string, message: string): void {
  res.status(status).json({ error, message });
}

function flag(value: unknown): boolean | undefined {
  return typeof value === 'boolean' ? value : undefined;
}

/** `host` or `host:port`, lower case: what a portal address can be here. */
const HOST = /^(?:[a-z0-9-]+\.)*[a-z0-9-]+(?::\d{1,5})?$|^\[::1\](?::\d{1,5})?$/;

/** The other loopback name for the same port: `localhost` ⇄ `127.0.0.1` (both reach the emulator). */
export function alternateLoopbackHost(host: string): string {
  const mark = host.lastIndexOf(':');
  const name = mark === -1 ? host : host.slice(0, mark);
  const port = mark === -1 ? '' : host.slice(mark);
  return `${name === '127.0.0.1' ? 'localhost' : '127.0.0.1'}${port}`;
}

/**
 * What a portal administrator (or a test) changes about the portal itself: fire or re-activate a user, make
 * them admin or not, rename the portal, let the app's subscription lapse. Errors are `{ error, message }`.
 */
export function adminRoutes(portal: Portal): express.Router {
  const router = express.Router();

  /** Who may change users: an active admin; the portal never ends up without an active admin. */
  const userChange = (
    req: express.Request,
    res: Response,
    field: 'active' | 'admin',
    change: (id: number, value: boolean) => void,
  ): void => {
    const actor = currentUser(portal, req);
    if (!actor.admin || !actor.active) {
      return refuse(res, 403, 'ADMIN_REQUIRED', 'Only a Bitrix24 administrator can change users.');
    }
    const id = Number(req.params['id']);
    const user = Number.isInteger(id) ? portal.directory.user(id) : undefined;
    if (user === undefined) return refuse(res, 404, 'BAD_USER', 'No such user.');
    const value = flag(isRecord(req.body) ? req.body[field] : undefined);
    if (value === undefined) return refuse(res, 400, 'BAD_VALUE', `${field} must be true or false.`);
    const activeAdmins = portal.directory.users.filter((other) => other.admin && other.active);
    if (!value && user.admin && user.active && activeAdmins.length === 1) {
      return refuse(res, 409, 'LAST_ADMIN', 'The portal must keep at least one active administrator.');
    }
    change(user.id, value);
    res.json({ ok: true, user: userView(portal, user) });
  };

  // Fire (deactivate) or re-activate: `{ active: boolean }`.
  router.post('/users/:id/active', (req, res) => {
    userChange(req, res, 'active', (id, value) => portal.setUserActive(id, value));
  });

  // Promote to or demote from portal administrator: `{ admin: boolean }`.
  router.post('/users/:id/admin', (req, res) => {
    userChange(req, res, 'admin', (id, value) => portal.setUserAdmin(id, value));
  });

  // Rename the portal: `{ host }` (default: the other loopback name for the same port).
  router.post('/rename', (req, res) => {
    const actor = currentUser(portal, req);
    if (!actor.admin) return refuse(res, 403, 'ADMIN_REQUIRED', 'Only a Bitrix24 administrator can rename the portal.');
    const wanted = isRecord(req.body) ? req.body['host'] : undefined;
    const host = typeof wanted === 'string' ? wanted.trim().toLowerCase() : alternateLoopbackHost(portal.host);
    if (!HOST.test(host) || host.length > 253) {
      return refuse(res, 400, 'BAD_HOST', 'host must be a host name with an optional port, like 127.0.0.1:4000.');
    }
    const previous = portal.host;
    portal.renameHost(host);
    res.json({ ok: true, previous, host: portal.host, origin: portal.origin });
  });

  // The app's subscription: `{ expired: boolean }` (a test and demo switch, not an admin action in Bitrix24).
  router.post('/subscription', (req, res) => {
    const expired = flag(isRecord(req.body) ? req.body['expired'] : undefined);
    if (expired === undefined) return refuse(res, 400, 'BAD_VALUE', 'expired must be true or false.');
    portal.setSubscriptionExpired(expired);
    res.json({ ok: true, expired });
  });

  return router;
}
