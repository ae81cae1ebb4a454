import type { CompanyUser } from './company.js';
import { appInstallPayload, appUninstallPayload, appUpdatePayload, userAddPayload } from './event-payloads.js';
import type { Portal } from './portal.js';
import { randomToken } from './random.js';
import type { IssuedTokens } from './tokens.js';

/**
 * Installation lifecycle of the app on the portal: install (ONAPPINSTALL to the install event handler),
 * installFinish, uninstall (ONAPPUNINSTALL to bound handlers, then everything revoked), new employees
 * (ONUSERADD). Bound events are only sent once installFinish was called.
 * @see https://apidocs.bitrix24.com/settings/app-installation/installation-finish.html
 */
export function installApp(portal: Portal, admin: CompanyUser): IssuedTokens {
  const installation = portal.installation;
  installation.installed = true;
  installation.finished = false;
  installation.firstRunPending = false;
  installation.applicationToken = randomToken();
  installation.events = [];
  installation.placements = [];
  const tokens = portal.issueTokens(admin.id);
  portal.events.send(portal.app.installEventUrl, appInstallPayload(portal, tokens));
  return tokens;
}

export function finishInstall(portal: Portal): void {
  if (portal.installation.finished) return;
  portal.installation.finished = true;
  portal.installation.firstRunPending = true;
}

/**
 * A new app version: ONAPPUPDATE (with the admin's tokens) goes to the handlers bound for it, then the
 * portal drops every event binding, which the app must bind again.
 * @see https://apidocs.bitrix24.com/api-reference/common/events/on-app-update.html
 */
export function updateApp(portal: Portal, admin: CompanyUser): void {
  const previous = portal.app.version;
  portal.app.version = previous + 1;
  for (const binding of portal.installation.events) {
    if (binding.event !== 'ONAPPUPDATE' || binding.offline) continue;
    portal.events.send(binding.handler, appUpdatePayload(portal, portal.issueTokens(admin.id), previous, binding.id));
  }
  portal.installation.events = [];
}

/** Deletes the app: event bindings and placements always, app options with CLEAN; all tokens die. */
export function uninstallApp(portal: Portal, clean: boolean): void {
  const installation = portal.installation;
  for (const binding of installation.events) {
    if (binding.event === 'ONAPPUNINSTALL' && !binding.offline) {
      portal.events.send(binding.handler, appUninstallPayload(portal, clean, binding.id));
    }
  }
  portal.tokens.revokeAll();
  installation.installed = false;
  installation.finished = false;
  installation.firstRunPending = false;
  installation.applicationToken = null;
  installation.events = [];
  installation.placements = [];
  installation.accessCodes = [];
  if (clean) installation.appOptions = {};
}

export interface NewEmployee {
  name: string;
  lastName: string;
  departmentId: number;
}

/** Adds an employee (as if an invited user completed registration) and sends ONUSERADD. */
export function addEmployee(portal: Portal, input: NewEmployee, actor: CompanyUser): CompanyUser {
  const now = portal.clock.now();
  const user = portal.directory.addUser({
    name: input.name,
    lastName: input.lastName,
    secondName: '',
    email: `new.user.${now}@example.com`,
    position: '',
    departments: [input.departmentId],
    active: true,
    type: 'employee',
    admin: false,
    gender: 'M',
    birthday: '',
    hasPhoto: false,
    phoneInner: '',
    registeredAt: now,
    updatedAt: now,
    lastLoginAt: now,
    online: true,
    employmentDate: new Date(now).toISOString().slice(0, 10),
  });
  user.email = `new.user${user.id}@example.com`;
  const installation = portal.installation;
  if (installation.installed && installation.finished) {
    for (const binding of installation.events) {
      if (binding.event !== 'ONUSERADD' || binding.offline) continue;
      const tokens = portal.issueTokens(binding.authType > 0 ? binding.authType : actor.id);
      portal.events.send(binding.handler, userAddPayload(portal, user, tokens, binding.id));
    }
  }
  return user;
}
