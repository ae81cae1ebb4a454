import { createHash } from 'node:crypto';
import type { CompanyUser } from './company.js';
import { appInstallPayload, appUninstallPayload, appUpdatePayload, userAddPayload } from './event-payloads.js';
import { APP_ID } from './installation.js';
import type { EventBinding, Portal } from './portal.js';
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
  // A reinstall issues new tokens; the removed installation's stay dead (the portal and OAuth server forget them).
  portal.tokens.forgetBefore(installation.tokenEpoch);
  installation.installed = true;
  installation.finished = false;
  installation.firstRunPending = false;
  rotateApplicationToken(portal);
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
 * Install and update write the Market's SHARED_KEY into the app record, and the application token is
 * `md5(member_id|app ID|client secret|SHARED_KEY)` (rest module `classes/general/rest_util.php`
 * `CRestUtil::getApplicationToken`): a new key, a new token.
 */
function rotateApplicationToken(portal: Portal): void {
  const installation = portal.installation;
  installation.sharedKey = randomToken();
  installation.applicationToken = createHash('md5')
    .update([portal.memberId, APP_ID, portal.app.clientSecret, installation.sharedKey].join('|'))
    .digest('hex');
}

/**
 * A new app version. The update rewrites SHARED_KEY, so the application token changes: ONAPPUPDATE (with the
 * admin's tokens) carries the new one ("as well as the updated application_token", `on-app-update.md`), and so
 * does every later event. Event bindings stay (rest module `UpdateApp` only deletes the install callback), unless
 * `dropEventBindingsOnUpdate` (`event-bind.md`: handlers are removed when the app is deleted "or updated").
 * @see https://apidocs.bitrix24.com/api-reference/common/events/on-app-update.html
 */
export function updateApp(portal: Portal, admin: CompanyUser): void {
  const previous = portal.app.version;
  portal.app.version = previous + 1;
  rotateApplicationToken(portal);
  for (const binding of bound(portal, 'ONAPPUPDATE')) {
    portal.events.send(binding.handler, appUpdatePayload(portal, portal.issueTokens(admin.id), previous));
  }
  if (portal.behaviour.dropEventBindingsOnUpdate) portal.installation.events = [];
}

/**
 * Online handlers bound for `event`; none while the subscription has lapsed (rest module `lib/event/sender.php`
 * `Sender::call` queues nothing for an app whose PAYMENT_ALLOW is not Y).
 */
function bound(portal: Portal, event: string): EventBinding[] {
  if (portal.subscriptionExpired) return [];
  return portal.installation.events.filter((binding) => binding.event === event && !binding.offline);
}

/**
 * Deletes the app: event bindings and placements always, app options with CLEAN. Its tokens are not forgotten but
 * belong to a removed app from now on (see `removedAppTokens`); with `removedAppTokens: 'unknown'` they are revoked.
 */
export function uninstallApp(portal: Portal, clean: boolean): void {
  const installation = portal.installation;
  for (const binding of bound(portal, 'ONAPPUNINSTALL')) {
    portal.events.send(binding.handler, appUninstallPayload(portal, clean, binding.id));
  }
  if (portal.behaviour.removedAppTokens === 'unknown') portal.tokens.revokeAll();
  portal.tokens.forgetCodes();
  installation.tokenEpoch++;
  installation.installed = false;
  installation.finished = false;
  installation.firstRunPending = false;
  installation.applicationToken = null;
  installation.sharedKey = null;
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
    for (const binding of bound(portal, 'ONUSERADD')) {
      const tokens = portal.issueTokens(binding.authType > 0 ? binding.authType : actor.id);
      portal.events.send(binding.handler, userAddPayload(portal, user, tokens, binding.id));
    }
  }
  return user;
}
