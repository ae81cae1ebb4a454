import express, { type Response } from 'express';
import { accessName } from '../access.js';
import { addEmployee, finishInstall, installApp, uninstallApp, updateApp } from '../lifecycle.js';
import type { Portal } from '../portal.js';
import { isRecord, phpBool } from '../rest/params.js';
import { frameLaunch } from './frame.js';
import { currentUser } from './session.js';

const ACCESS_CODE = /^(AU|G2|U\d+|IU\d+|D\d+|DR\d+|SG\d+(_[AEK])?)$/;

function refuse(res: Response, status: number, error: string, message: string): void {
  res.status(status).json({ error, message });
}

function body(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : {};
}

/** The string values of an object (what GET parameters of the portal page would be); others are dropped. */
function stringMap(value: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (!isRecord(value)) return out;
  for (const [key, item] of Object.entries(value)) {
    if (typeof item === 'string' || typeof item === 'number') out[key] = String(item);
  }
  return out;
}

/**
 * What the portal page does on behalf of its current user: open the app (frame POST descriptor; `placementOptions`
 * stand for the portal page's GET parameters, or with `placement` the widget's PLACEMENT_OPTIONS), install it,
 * finish the installation, refresh frame tokens, set Bitrix24's own app access setting, update to a new version,
 * uninstall, add an employee. Errors are `{ error, message }`.
 */
export function appRoutes(portal: Portal): express.Router {
  const router = express.Router();

  router.post('/open', (req, res) => {
    const user = currentUser(portal, req);
    const installation = portal.installation;
    if (!installation.installed)
      return refuse(res, 409, 'NOT_INSTALLED', 'The application is not installed on this Bitrix24.');
    if (!installation.finished && !user.admin) {
      return refuse(
        res,
        409,
        'NOT_FINISHED',
        'The application is not fully installed yet. Please contact your Bitrix24 administrator.',
      );
    }
    // Tokens are issued even when the app access setting excludes the user: REST then answers
    // user_access_error and the app must show its own "no access" page.
    const tokens = portal.issueTokens(user.id);
    const firstRun = installation.finished && installation.firstRunPending;
    if (firstRun) installation.firstRunPending = false;
    const placementOptions = stringMap(body(req.body)['placementOptions']);
    const placement = body(req.body)['placement'];
    if (typeof placement === 'string' && placement !== 'DEFAULT') {
      // A widget opens only where the app bound it, once installed, and only for users the app's access setting
      // lets in: "widgets are not shown … to users without access to the application" (docs widgets/index.md).
      const bound = installation.placements.some((binding) => binding.placement === placement);
      if (!installation.finished || !bound)
        return refuse(res, 404, 'PLACEMENT_NOT_BOUND', `The application has no ${placement} widget here.`);
      if (!portal.userHasAppAccess(user))
        return refuse(res, 403, 'ACCESS_DENIED', 'The widget is hidden: the application is not available to you.');
      const launch = frameLaunch(portal, user, tokens, {
        installer: false,
        firstRun: false,
        placementOptions,
        placement,
      });
      return res.json(launch);
    }
    res.json(frameLaunch(portal, user, tokens, { installer: !installation.finished, firstRun, placementOptions }));
  });

  router.post('/install', (req, res) => {
    const user = currentUser(portal, req);
    if (!user.admin)
      return refuse(res, 403, 'ADMIN_REQUIRED', 'Only a Bitrix24 administrator can install applications.');
    if (portal.installation.installed)
      return refuse(res, 409, 'ALREADY_INSTALLED', 'The application is already installed.');
    const tokens = installApp(portal, user);
    res.json(frameLaunch(portal, user, tokens, { installer: true, firstRun: false }));
  });

  router.post('/install-finish', (req, res) => {
    const user = currentUser(portal, req);
    if (!user.admin)
      return refuse(res, 403, 'ADMIN_REQUIRED', 'Only a Bitrix24 administrator can finish the installation.');
    if (!portal.installation.installed)
      return refuse(res, 409, 'NOT_INSTALLED', 'The application is not installed on this Bitrix24.');
    finishInstall(portal);
    res.json({ ok: true });
  });

  router.post('/refresh-auth', (req, res) => {
    if (!portal.installation.installed)
      return refuse(res, 409, 'NOT_INSTALLED', 'The application is not installed on this Bitrix24.');
    const tokens = portal.issueTokens(currentUser(portal, req).id);
    res.json({ AUTH_ID: tokens.accessToken, REFRESH_ID: tokens.refreshToken, AUTH_EXPIRES: String(tokens.expiresIn) });
  });

  router.post('/access', (req, res) => {
    if (!currentUser(portal, req).admin)
      return refuse(res, 403, 'ADMIN_REQUIRED', 'Only a Bitrix24 administrator can change app access.');
    const codes = body(req.body)['codes'];
    if (
      !Array.isArray(codes) ||
      !codes.every((code): code is string => typeof code === 'string' && ACCESS_CODE.test(code))
    ) {
      return refuse(res, 400, 'BAD_CODES', 'codes must be a list of access codes like U1, D5, DR5, AU.');
    }
    portal.installation.accessCodes = [...new Set(codes)];
    const accessNames: Record<string, string> = {};
    for (const code of portal.installation.accessCodes)
      accessNames[code] = accessName(portal.directory, code)?.name ?? code;
    res.json({ ok: true, accessCodes: portal.installation.accessCodes, accessNames });
  });

  router.post('/uninstall', (req, res) => {
    if (!currentUser(portal, req).admin)
      return refuse(res, 403, 'ADMIN_REQUIRED', 'Only a Bitrix24 administrator can delete applications.');
    if (!portal.installation.installed)
      return refuse(res, 409, 'NOT_INSTALLED', 'The application is not installed on this Bitrix24.');
    uninstallApp(portal, phpBool(body(req.body)['clean']));
    res.json({ ok: true });
  });

  router.post('/update', (req, res) => {
    const admin = currentUser(portal, req);
    if (!admin.admin)
      return refuse(res, 403, 'ADMIN_REQUIRED', 'Only a Bitrix24 administrator can update applications.');
    if (!portal.installation.installed)
      return refuse(res, 409, 'NOT_INSTALLED', 'The application is not installed on this Bitrix24.');
    updateApp(portal, admin);
    res.json({ ok: true, version: portal.app.version });
  });

  router.post('/users', (req, res) => {
    const actor = currentUser(portal, req);
    if (!actor.admin) return refuse(res, 403, 'ADMIN_REQUIRED', 'Only a Bitrix24 administrator can add employees.');
    const input = body(req.body);
    const name = typeof input['name'] === 'string' ? input['name'].trim() : '';
    const lastName = typeof input['lastName'] === 'string' ? input['lastName'].trim() : '';
    const departmentId = Number(input['departmentId']);
    if (name === '' || name.length > 100 || lastName.length > 100)
      return refuse(res, 400, 'BAD_NAME', 'name is required (up to 100 characters).');
    if (!Number.isInteger(departmentId) || portal.directory.department(departmentId) === undefined) {
      return refuse(res, 400, 'BAD_DEPARTMENT', 'departmentId must be an existing department.');
    }
    const user = addEmployee(portal, { name, lastName, departmentId }, actor);
    res.status(201).json({ id: user.id, name: portal.directory.fullName(user) });
  });

  return router;
}
