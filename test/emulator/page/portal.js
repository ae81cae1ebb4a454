// The portal page of the local Bitrix24 emulator. It looks like a Bitrix24 portal, frames the app the
// way Bitrix24 does (a named iframe filled by a POST form) and answers the @bitrix24/b24jssdk
// B24Frame postMessage protocol like Bitrix24's BX.rest.AppLayout.
//
// Server contract (same origin): GET /_emulator/state, POST /_emulator/user|open|install|
// install-finish|refresh-auth|access|uninstall|update|users|users/:id/active|users/:id/admin|rename|subscription,
// GET /_emulator/directory?q=&department=.

import { h, icon, avatar, replace } from './dom.js';
import { parseFrameMessage, formatReply, portalOriginFor, summarize, mergeOptions, silentCancel } from './protocol.js';
import { createDirectory, pickUsers, chooseAccess, confirmUninstall, accessCodeName } from './dialogs.js';
import { renderWorkgroups, appLinkParams } from './placements.js';
import { renderNotifications } from './notifications.js';

const $ = (selector) => document.querySelector(selector);

// ───────────────────────────── server API ─────────────────────────────

class ApiError extends Error {
  constructor(status, data) {
    const code = typeof data?.error === 'string' ? data.error : `HTTP_${status}`;
    const text = typeof data?.message === 'string' && data.message ? data.message : code;
    super(status ? `${text} (HTTP ${status})` : text);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    this.detail = typeof data?.message === 'string' ? data.message : '';
  }
}

async function request(method, path, body) {
  let response;
  try {
    response = await fetch(path, {
      method,
      credentials: 'same-origin',
      cache: 'no-store',
      headers:
        method === 'GET'
          ? { accept: 'application/json' }
          : { accept: 'application/json', 'content-type': 'application/json' },
      body: method === 'GET' ? undefined : JSON.stringify(body ?? {}),
    });
  } catch (err) {
    throw new ApiError(0, {
      error: 'NETWORK',
      message: `The emulator server did not answer ${method} ${path} (${err?.message ?? err}). Is it running?`,
    });
  }
  const text = await response.text();
  let data = null;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = response.ok
        ? null
        : {
            error: `HTTP_${response.status}`,
            message: `${method} ${path} failed: ${text
              .replace(/<[^>]*>/g, ' ')
              .replace(/\s+/g, ' ')
              .trim()
              .slice(0, 160)}`,
          };
    }
  }
  if (!response.ok) throw new ApiError(response.status, data);
  return data;
}

const getJson = (path) => request('GET', path);
const directory = createDirectory(getJson);

// ───────────────────────────── page state ─────────────────────────────

const S = {
  /** GET /_emulator/state */
  state: null,
  view: null,
  /** The app frame currently shown: { id, iframe, form, appOrigin, appSid, initData, userId, dialogs } */
  session: null,
  sessionSeq: 0,
  /** Increments on every open/close so late answers of /open are dropped. */
  openSeq: 0,
  /** setAppOption values (kept in memory, merged into APP_OPTIONS). */
  appOptions: {},
  /** setUserOption values by user id (merged into USER_OPTIONS). */
  userOptions: new Map(),
  log: [],
  /** A widget placement the next open is in (placements.js), or null for the app page. */
  placement: null,
};

const pageParams = new URLSearchParams(location.search);
/** `?cancel=silent` or `dialogCancel: 'silent'`: like the real portal, answer nothing when a dialog is cancelled. */
const isSilentCancel = () => silentCancel(pageParams.get('cancel'), S.state?.page?.dialogCancel);

const INITIAL_FRAME_HEIGHT = 600;

const NAV = [
  { id: 'feed', label: 'Feed', icon: 'feed' },
  { id: 'messenger', label: 'Messenger', icon: 'chat' },
  { id: 'tasks', label: 'Tasks and Projects', icon: 'tasks' },
  { id: 'crm', label: 'CRM', icon: 'crm' },
  { id: 'calendar', label: 'Calendar', icon: 'calendar' },
  { id: 'drive', label: 'Drive', icon: 'drive' },
  { id: 'workgroups', label: 'Workgroups', icon: 'company' },
  { id: 'company', label: 'Employees', icon: 'company' },
  { id: 'market', label: 'Market', icon: 'market' },
];
const VIEWS = new Set([...NAV.map((item) => item.id), 'app']);
const DEFAULT_VIEW = 'market';

const APP_ERRORS = {
  NOT_INSTALLED: 'The application is not installed',
  NOT_FINISHED:
    'The application is not fully installed yet. Please contact your Bitrix24 administrator to complete the installation.',
  ACCESS_DENIED: 'You do not have access to this application. Please contact your Bitrix24 administrator.',
};

const appTitle = () => String(S.state?.app?.title || 'Keycard');
const currentUser = () => S.state?.currentUser ?? null;
const isAdmin = () => truthy(currentUser()?.isAdmin);
const isInstalled = () => truthy(S.state?.app?.installed);
const isFinished = () => truthy(S.state?.app?.finished);
function truthy(value) {
  return value === true || value === 'Y' || value === 1 || value === '1' || value === 'true';
}

function appStatus() {
  if (!isInstalled()) return { code: 'not-installed', label: 'Not installed' };
  if (!isFinished()) return { code: 'not-finished', label: 'Installation not finished' };
  return { code: 'installed', label: 'Installed' };
}

function roleOf(user) {
  if (!user) return '';
  if (user.active === false || user.active === 'N') return 'Fired';
  if (user.type === 'extranet') return 'Extranet';
  if (truthy(user.isAdmin)) return 'Administrator';
  return 'Employee';
}

// ───────────────────────────── notices ─────────────────────────────

/** Shows a notice above the content. kind: info | success | warning | error (errors stay until closed). */
function notify(kind, text, { timeout } = {}) {
  const list = $('#notices');
  const item = h(
    'li',
    { class: `notice notice--${kind}`, test: 'notice', role: kind === 'error' ? 'alert' : 'status', dataset: { kind } },
    icon(kind === 'error' || kind === 'warning' ? 'warning' : kind === 'success' ? 'check' : 'info', 18),
    h('span', { class: 'notice__text', text }),
    h(
      'button',
      {
        type: 'button',
        class: 'icon-button icon-button--small',
        test: 'notice-close',
        'aria-label': 'Dismiss',
        onClick: () => item.remove(),
      },
      icon('close', 16),
    ),
  );
  list.append(item);
  while (list.children.length > 3) list.firstElementChild.remove();
  const ms = timeout ?? (kind === 'error' || kind === 'warning' ? 0 : kind === 'success' ? 6000 : 4000);
  if (ms > 0) setTimeout(() => item.remove(), ms);
  return item;
}

function notifyError(prefix, err) {
  console.error(`[portal] ${prefix}`, err);
  notify('error', `${prefix}: ${err?.message ?? err}`);
}

// ───────────────────────────── protocol log ─────────────────────────────

const DIRS = { in: '→', out: '←', info: '•', warn: '!' };

/** Adds a line to the protocol log. Never pass tokens here: details go through summarize()/redact(). */
function logEntry(dir, command, detail = '') {
  const entry = { time: new Date(), dir, command: String(command), detail: String(detail ?? '') };
  S.log.push(entry);
  if (S.log.length > 500) S.log.shift();
  const list = $('#protocol-log-list');
  const time = entry.time.toTimeString().slice(0, 8);
  list.append(
    h(
      'li',
      { class: `log-entry log-entry--${dir}`, test: 'protocol-log-entry', dataset: { dir, command: entry.command } },
      h('span', { class: 'log-entry__time', text: time }),
      h('span', {
        class: 'log-entry__dir',
        title: { in: 'from the app', out: 'answer to the app', info: 'portal', warn: 'warning' }[dir],
        text: DIRS[dir] ?? '•',
      }),
      h('span', { class: 'log-entry__command', text: entry.command }),
      h('span', { class: 'log-entry__detail', text: entry.detail }),
    ),
  );
  while (list.children.length > 500) list.firstElementChild.remove();
  $('#protocol-log-count').textContent = String(S.log.length);
  const panel = $('#protocol-log');
  if (panel.open) list.scrollTop = list.scrollHeight;
  if (dir === 'warn') console.warn(`[portal] ${entry.command}: ${entry.detail}`);
}

// ───────────────────────────── state & chrome ─────────────────────────────

async function loadState() {
  const state = await getJson('/_emulator/state');
  if (!state || typeof state !== 'object' || !state.portal || !state.app) {
    throw new ApiError(500, { error: 'BAD_STATE', message: 'GET /_emulator/state answered without portal/app' });
  }
  S.state = state;
  renderChrome();
  if (S.view && S.view !== 'app') renderView();
  document.body.dataset.ready = 'true';
  document.body.dataset.userId = String(state.currentUser?.id ?? '');
  document.body.dataset.appStatus = appStatus().code;
  return state;
}

function renderChrome() {
  renderMenu();
  renderTopbar();
}

function renderMenu() {
  const items = NAV.map((item) =>
    h(
      'a',
      {
        href: `#/${item.id}`,
        class: 'menu-item',
        test: `nav-${item.id}`,
        title: item.label,
        'aria-current': S.view === item.id ? 'page' : null,
        onClick: (event) => {
          event.preventDefault();
          go(item.id);
        },
      },
      icon(item.icon, 20),
      h('span', { class: 'menu-item__label', text: item.label }),
    ),
  );
  const appItems = [];
  if (isInstalled()) {
    appItems.push(
      h('div', { class: 'menu-group' }, 'Applications'),
      h(
        'a',
        {
          href: '#/app',
          class: 'menu-item menu-item--app',
          test: 'menu-app',
          title: appTitle(),
          'aria-current': S.view === 'app' ? 'page' : null,
          onClick: (event) => {
            event.preventDefault();
            go('app', { force: true });
          },
        },
        h('span', { class: 'menu-item__app-icon' }, icon('key', 16)),
        h('span', { class: 'menu-item__label', text: appTitle() }),
        isFinished() ? null : h('span', { class: 'menu-item__badge', title: 'Installation not finished', text: '!' }),
      ),
    );
  }
  replace($('#menu'), items, appItems);
}

function renderTopbar() {
  const state = S.state;
  const user = currentUser();
  void renderNotifications($('#notifications'));
  $('#portal-host').textContent = state.portal?.host ?? '';
  $('#portal-host').title =
    `Portal ${portalOriginFor(state.portal?.host, state.portal?.protocol)} · member_id ${state.portal?.memberId ?? ''}`;

  const select = $('#user-switcher');
  const users = Array.isArray(state.switchable) ? [...state.switchable] : [];
  if (user && !users.some((u) => String(u.id) === String(user.id))) users.unshift(user);
  replace(
    select,
    users.map((u) =>
      h(
        'option',
        {
          value: String(u.id),
          selected: String(u.id) === String(user?.id),
          dataset: { role: roleOf(u).toLowerCase() },
        },
        `${u.name} — ${roleOf(u)}`,
      ),
    ),
  );
  select.value = String(user?.id ?? '');

  replace(
    $('#current-user'),
    avatar(user?.name ?? '?', user?.id),
    h(
      'span',
      { class: 'topbar__user-text' },
      h('span', { class: 'topbar__user-name', test: 'current-user-name', text: user?.name ?? '—' }),
      h('span', { class: 'topbar__user-role', test: 'current-user-role', text: roleOf(user) }),
    ),
  );
}

async function switchUser(userId) {
  const select = $('#user-switcher');
  select.disabled = true;
  try {
    // Send the id exactly as the state listed it (number or string).
    const listed = (S.state?.switchable ?? []).find((u) => String(u.id) === String(userId));
    await request('POST', '/_emulator/user', { userId: listed ? listed.id : userId });
    closeFrame('user switched');
    await loadState();
    notify('info', `You are now ${currentUser()?.name ?? 'another user'} (${roleOf(currentUser())}).`);
    if (S.view === 'app') go(DEFAULT_VIEW, { replaceHistory: true });
  } catch (err) {
    notifyError('Could not switch the user', err);
    if (S.state) renderTopbar();
  } finally {
    select.disabled = false;
  }
}

// ───────────────────────────── navigation ─────────────────────────────

function viewFromHash() {
  const name = location.hash.replace(/^#\/?/, '').split(/[/?]/)[0];
  return VIEWS.has(name) ? name : DEFAULT_VIEW;
}

/** Navigates to a view. For 'app': opens the app (mode 'open' or 'install'); `force` reopens it. */
function go(view, { replaceHistory = false, force = false, mode = 'open' } = {}) {
  const hash = `#/${view}`;
  if (location.hash !== hash) history[replaceHistory ? 'replaceState' : 'pushState'](null, '', hash);
  show(view, { force, mode });
}

function show(view, { force = false, mode = 'open' } = {}) {
  const previous = S.view;
  S.view = view;
  document.body.dataset.view = view;
  if (view === 'app') {
    if (previous !== 'app' || force || mode === 'install' || !S.session) openApp(mode);
  } else {
    if (previous === 'app') {
      S.openSeq++;
      closeFrame('navigated away');
    }
    $('#app-view').hidden = true;
    $('#view').hidden = false;
    renderView();
  }
  if (S.state) renderMenu();
  $('#main').scrollTop = 0;
}

function renderView() {
  const view = $('#view');
  if (!S.state) return;
  const workgroups = () => renderWorkgroups({ state: S.state, getJson, pageHead, openPlacement });
  const page =
    { market: renderMarket, company: renderCompany, feed: renderFeed, workgroups }[S.view] ?? renderPlaceholder;
  replace(view, page());
  const label = S.view === 'market' ? 'Installed apps' : (NAV.find((item) => item.id === S.view)?.label ?? 'Bitrix24');
  document.title = `${label} — ${S.state.portal?.host ?? 'Bitrix24'}`;
}

// ───────────────────────────── views ─────────────────────────────

function pageHead(title, ...extra) {
  return h('div', { class: 'page__head' }, h('h1', { class: 'page__title', text: title }), ...extra);
}

function renderFeed() {
  return h(
    'section',
    { class: 'page', test: 'feed-view' },
    pageHead('Feed'),
    h(
      'div',
      { class: 'card card--welcome' },
      h('h2', { class: 'card__title' }, 'Welcome to the local Bitrix24 portal emulator'),
      h(
        'p',
        null,
        'This page imitates a Bitrix24 portal so you can click through ',
        h('strong', { text: appTitle() }),
        ' without a real portal:',
      ),
      h(
        'ol',
        { class: 'steps' },
        h(
          'li',
          null,
          'As an administrator, open ',
          h('strong', null, 'Market → Installed apps'),
          ' and press ',
          h('strong', null, 'Install'),
          '. The installer opens in a frame.',
        ),
        h(
          'li',
          null,
          'The installer calls ',
          h('code', null, 'installFinish'),
          '; the portal reloads and launches the application.',
        ),
        h('li', null, 'Switch the user at the top right to see what employees, fired or extranet users get.'),
        h('li', null, 'Open the ', h('strong', null, 'Protocol log'), ' at the bottom to watch the B24Frame messages.'),
      ),
      h(
        'button',
        { type: 'button', class: 'btn btn--primary', test: 'welcome-market', onClick: () => go('market') },
        icon('market', 18),
        'Go to Market',
      ),
    ),
  );
}

function renderPlaceholder() {
  const item = NAV.find((nav) => nav.id === S.view);
  return h(
    'section',
    { class: 'page', test: `${S.view}-view` },
    pageHead(item?.label ?? 'Bitrix24'),
    h(
      'div',
      { class: 'card empty-state' },
      h('div', { class: 'empty-state__icon' }, icon(item?.icon ?? 'info', 40)),
      h('p', { class: 'empty-state__title' }, 'This section is not emulated'),
      h('p', { class: 'muted' }, 'The emulator covers the Market, the employee list and the application frame.'),
      h(
        'button',
        { type: 'button', class: 'btn btn--light', test: 'placeholder-market', onClick: () => go('market') },
        'Open Market',
      ),
    ),
  );
}

function accessSummary() {
  const codes = Array.isArray(S.state.app.accessCodes) ? S.state.app.accessCodes : [];
  if (codes.length === 0) return 'All employees';
  const names = codes.map((code) => accessCodeName(String(code), directory, S.state.app.accessNames ?? {}));
  return names.length > 3 ? `${names.slice(0, 3).join(', ')} and ${names.length - 3} more` : names.join(', ');
}

function renderMarket() {
  const status = appStatus();
  const admin = isAdmin();
  const installed = isInstalled();
  const adminOnly = (what) => (admin ? null : `Only administrators can ${what}`);

  const button = (test, label, iconName, cls, { disabled = false, title = null, onClick } = {}) =>
    h('button', { type: 'button', class: `btn ${cls}`, test, disabled, title, onClick }, icon(iconName, 18), label);

  const actions = h(
    'div',
    { class: 'app-card__actions' },
    installed
      ? null
      : button('install', 'Install', 'plus', 'btn--success', {
          disabled: !admin,
          title: adminOnly('install applications'),
          onClick: () => go('app', { mode: 'install' }),
        }),
    button('open-app', 'Open', 'key', installed ? 'btn--primary' : 'btn--light', {
      disabled: !installed,
      title: installed ? null : 'Install the application first',
      onClick: () => go('app', { force: true }),
    }),
    button('user-access', 'User access', 'lock', 'btn--light', {
      disabled: !admin || !installed,
      title: adminOnly('configure user access') ?? (installed ? null : 'Install the application first'),
      onClick: openAccessSettings,
    }),
    button('uninstall', 'Uninstall', 'trash', 'btn--danger-light', {
      disabled: !admin || !installed,
      title: adminOnly('uninstall applications') ?? (installed ? null : 'The application is not installed'),
      onClick: uninstall,
    }),
  );

  return h(
    'section',
    { class: 'page', test: 'market-view' },
    pageHead(
      'Market',
      h(
        'nav',
        { class: 'page__tabs', 'aria-label': 'Market sections' },
        h('span', { class: 'page__tab' }, 'Recommended'),
        h('span', { class: 'page__tab is-active', 'aria-current': 'page' }, 'Installed apps'),
      ),
    ),
    h(
      'p',
      { class: 'intro muted' },
      'Installed apps of this portal. Install the app as an administrator; switch the user at the top right to see how employees see it.',
    ),
    h(
      'article',
      { class: 'card app-card', test: 'app-card', dataset: { status: status.code } },
      h('div', { class: 'app-card__logo' }, icon('key', 34)),
      h(
        'div',
        { class: 'app-card__main' },
        h(
          'div',
          { class: 'app-card__title-row' },
          h('h2', { class: 'app-card__title', test: 'app-name', text: appTitle() }),
          h(
            'span',
            { class: `status status--${status.code}`, test: 'app-status', dataset: { status: status.code } },
            status.label,
          ),
        ),
        h(
          'p',
          { class: 'muted' },
          'Local build · Market application with an installer, the app page and access control',
        ),
        h(
          'dl',
          { class: 'app-card__facts' },
          h('dt', null, 'User access'),
          h('dd', { test: 'access-summary', text: installed ? accessSummary() : '—' }),
          h('dt', null, 'Portal'),
          h('dd', { text: `${S.state.portal?.host ?? ''} (member_id ${S.state.portal?.memberId ?? '—'})` }),
        ),
        actions,
        admin
          ? null
          : h(
              'p',
              { class: 'hint', test: 'admin-hint' },
              icon('lock', 14),
              'Only administrators can install applications, configure user access or uninstall them.',
            ),
      ),
    ),
    admin ? adminTools() : null,
  );
}

/** What an administrator can change about the portal itself (and a test switch: the app's subscription). */
function adminTools() {
  const portal = S.state.portal ?? {};
  const expired = truthy(portal.subscriptionExpired);
  const installed = isInstalled();
  const tool = (test, label, iconName, onClick, { disabled = false, title = null } = {}) =>
    h('button', { type: 'button', class: 'btn btn--light', test, disabled, title, onClick }, icon(iconName, 18), label);
  const plans = {
    standard: 'Professional (2 requests/s)',
    enterprise: 'Enterprise (5 requests/s)',
    selfhosted: 'Self-hosted',
  };
  return h(
    'article',
    { class: 'card', test: 'admin-tools' },
    h('h2', { class: 'card__title' }, 'Administrator tools'),
    h(
      'dl',
      { class: 'app-card__facts' },
      h('dt', null, 'Address'),
      h('dd', { test: 'portal-address', text: `${location.protocol}//${portal.host ?? ''}` }),
      h('dt', null, 'OAuth server'),
      h('dd', { test: 'portal-oauth-server', text: `${portal.oauthServer ?? '—'} (${portal.oauthRegion ?? 'west'})` }),
      h('dt', null, 'Plan'),
      h('dd', { test: 'portal-plan', text: plans[portal.plan] ?? String(portal.plan ?? '—') }),
      h('dt', null, 'Subscription'),
      h('dd', { test: 'portal-subscription', text: expired ? 'Expired: PAYMENT_REQUIRED' : 'Active' }),
    ),
    h(
      'div',
      { class: 'app-card__actions' },
      tool('rename-portal', 'Change portal address', 'globe', renamePortal, {
        title: 'Bitrix24 lets an administrator rename the portal; the old address then redirects (302).',
      }),
      tool('update-app', 'Publish a new app version', 'reload', updateApp, {
        disabled: !installed,
        title: installed ? 'Sends ONAPPUPDATE with a new application token' : 'Install the application first',
      }),
      tool('subscription-toggle', expired ? 'Renew subscription' : 'Let the subscription lapse', 'lock', () =>
        setSubscription(!expired),
      ),
    ),
  );
}

function renderCompany() {
  const admin = isAdmin();
  const columns = admin ? 5 : 4;
  const list = h(
    'tbody',
    { test: 'company-users' },
    h('tr', null, h('td', { colspan: String(columns), class: 'muted' }, 'Loading…')),
  );
  const deptSelect = h('select', {
    class: 'input',
    test: 'employee-department',
    'aria-label': 'Department',
    disabled: !admin,
  });
  const name = h('input', {
    class: 'input',
    test: 'employee-name',
    placeholder: 'First name',
    'aria-label': 'First name',
    disabled: !admin,
    required: true,
  });
  const lastName = h('input', {
    class: 'input',
    test: 'employee-last-name',
    placeholder: 'Last name',
    'aria-label': 'Last name',
    disabled: !admin,
  });
  const submit = h(
    'button',
    {
      type: 'submit',
      class: 'btn btn--success',
      test: 'employee-add',
      disabled: !admin,
      title: admin ? null : 'Only administrators can add employees',
    },
    icon('plus', 18),
    'Add employee',
  );

  const fill = () => {
    const departments = directory.departments();
    const previous = deptSelect.value;
    replace(
      deptSelect,
      departments.map((d) => h('option', { value: String(d.id) }, d.name)),
    );
    if (previous) deptSelect.value = previous;
    const users = directory.users().sort((a, b) => Number(a.id) - Number(b.id));
    replace(
      list,
      users.length === 0
        ? h('tr', null, h('td', { colspan: String(columns), class: 'muted' }, 'No employees'))
        : users.map((u) =>
            h(
              'tr',
              { test: `company-user-${u.id}` },
              h(
                'td',
                null,
                h('span', { class: 'user-cell' }, avatar(u.name, u.id, 'sm', u.photo), h('span', { text: u.name })),
              ),
              h('td', { text: u.position ?? '' }),
              h('td', { text: directory.departmentNames(u) }),
              h(
                'td',
                null,
                h(
                  'span',
                  {
                    class: `status status--${u.active === false ? 'fired' : u.type === 'extranet' ? 'extranet' : 'installed'}`,
                  },
                  u.active === false ? 'Fired' : u.type === 'extranet' ? 'Extranet' : 'Active',
                ),
                u.isAdmin === true ? h('span', { class: 'status status--installed' }, 'Admin') : null,
              ),
              admin ? h('td', null, userActions(u)) : null,
            ),
          ),
    );
  };

  // Fire / re-activate and make / remove admin (POST /_emulator/users/:id/active|admin).
  const change = async (user, field, value, done) => {
    try {
      await request('POST', `/_emulator/users/${user.id}/${field}`, { [field]: value });
      await Promise.all([load(), loadState()]);
      notify('success', done);
    } catch (err) {
      notifyError(`Could not change ${user.name}`, err);
    }
  };
  const userActions = (u) => {
    const fired = u.active === false;
    return h(
      'span',
      { class: 'user-actions' },
      h(
        'button',
        {
          type: 'button',
          class: 'btn btn--small btn--light',
          test: `user-active-${u.id}`,
          onClick: () =>
            change(
              u,
              'active',
              fired,
              fired ? `${u.name} is active again.` : `${u.name} was fired: their tokens answer authorization_error.`,
            ),
        },
        fired ? 'Re-activate' : 'Fire',
      ),
      u.type === 'extranet' || fired
        ? null
        : h(
            'button',
            {
              type: 'button',
              class: 'btn btn--small btn--light',
              test: `user-admin-${u.id}`,
              onClick: () =>
                change(
                  u,
                  'admin',
                  !u.isAdmin,
                  u.isAdmin ? `${u.name} is no longer an administrator.` : `${u.name} is now an administrator.`,
                ),
            },
            u.isAdmin ? 'Remove admin' : 'Make admin',
          ),
    );
  };

  const load = () =>
    directory
      .load('')
      .then(fill)
      .catch((err) =>
        replace(
          list,
          h(
            'tr',
            null,
            h('td', { colspan: String(columns), class: 'error-text' }, `Could not load employees: ${err.message}`),
          ),
        ),
      );

  const form = h(
    'form',
    {
      class: 'inline-form',
      test: 'employee-form',
      onSubmit: async (event) => {
        event.preventDefault();
        if (!name.value.trim()) {
          name.focus();
          return;
        }
        submit.disabled = true;
        try {
          await request('POST', '/_emulator/users', {
            name: name.value.trim(),
            lastName: lastName.value.trim(),
            departmentId: Number(deptSelect.value) || deptSelect.value,
          });
          notify(
            'success',
            `${`${name.value.trim()} ${lastName.value.trim()}`.trim()} was added. Bitrix24 sends ONUSERADD to the application.`,
          );
          name.value = '';
          lastName.value = '';
          await Promise.all([load(), loadState()]);
        } catch (err) {
          notifyError('Could not add the employee', err);
        } finally {
          submit.disabled = !isAdmin();
        }
      },
    },
    name,
    lastName,
    deptSelect,
    submit,
  );

  load();
  return h(
    'section',
    { class: 'page', test: 'company-view' },
    pageHead('Employees'),
    h(
      'div',
      { class: 'card' },
      h('h2', { class: 'card__title' }, 'Invite an employee'),
      form,
      admin
        ? null
        : h('p', { class: 'hint', test: 'admin-hint' }, icon('lock', 14), 'Only administrators can add employees.'),
    ),
    h(
      'div',
      { class: 'card card--flush' },
      h(
        'table',
        { class: 'table' },
        h(
          'thead',
          null,
          h(
            'tr',
            null,
            h('th', null, 'Name'),
            h('th', null, 'Position'),
            h('th', null, 'Department'),
            h('th', null, 'Status'),
            admin ? h('th', null, 'Actions') : null,
          ),
        ),
        list,
      ),
    ),
  );
}

// ───────────────────────────── market actions ─────────────────────────────

async function openAccessSettings() {
  const app = S.state.app;
  const codes = await chooseAccess({
    directory,
    mode: 'settings',
    initial: Array.isArray(app.accessCodes) ? app.accessCodes : [],
    knownNames: app.accessNames ?? {},
  });
  if (codes === null) return;
  try {
    await request('POST', '/_emulator/access', { codes: codes.map((c) => c.id) });
    await loadState();
    notify(
      'success',
      codes.length === 0
        ? 'Access settings saved: the application is available to all employees.'
        : `Access settings saved: ${codes.length} user(s)/department(s).`,
    );
  } catch (err) {
    notifyError('Could not save the access settings', err);
  }
}

async function renamePortal() {
  try {
    const answer = await request('POST', '/_emulator/rename', {});
    closeFrame('renamed');
    notify('success', `The portal is now ${answer.host}. Opening it there (the old address redirects)…`);
    // The page moves with the portal; the frame SDK posts to http(s)://DOMAIN, so it must be the new origin.
    location.assign(`${answer.origin}${location.pathname}${location.search}${location.hash}`);
  } catch (err) {
    notifyError('Could not rename the portal', err);
  }
}

async function updateApp() {
  try {
    const answer = await request('POST', '/_emulator/update', {});
    await loadState();
    notify('success', `Version ${answer.version} installed. Bitrix24 sends ONAPPUPDATE with a new application token.`);
  } catch (err) {
    notifyError('Could not update the application', err);
  }
}

async function setSubscription(expired) {
  try {
    await request('POST', '/_emulator/subscription', { expired });
    await loadState();
    notify(
      expired ? 'warning' : 'success',
      expired
        ? 'The subscription lapsed: the OAuth server and REST answer PAYMENT_REQUIRED, no events are sent.'
        : 'The subscription is active again.',
    );
  } catch (err) {
    notifyError('Could not change the subscription', err);
  }
}

async function uninstall() {
  const answer = await confirmUninstall(appTitle());
  if (!answer) return;
  try {
    await request('POST', '/_emulator/uninstall', { clean: answer.clean });
    closeFrame('uninstalled');
    S.appOptions = {};
    if (answer.clean) S.userOptions.clear();
    await loadState();
    notify(
      'success',
      `${appTitle()} was deleted${answer.clean ? ' with its data' : ''}. Bitrix24 sends ONAPPUNINSTALL (CLEAN=${answer.clean ? 1 : 0}).`,
    );
  } catch (err) {
    notifyError('Could not uninstall the application', err);
  }
}

// ───────────────────────────── the app frame ─────────────────────────────

function showAppShell() {
  $('#view').hidden = true;
  $('#app-view').hidden = false;
  $('#pagetitle').textContent = appTitle();
  document.title = `${appTitle()} — ${S.state?.portal?.host ?? 'Bitrix24'}`;
  const error = $('#app-error');
  error.hidden = true;
  error.replaceChildren();
  delete error.dataset.code;
}

function showAppError(err) {
  const code = err?.code ?? 'ERROR';
  const text =
    APP_ERRORS[code] ?? (err?.status === 403 ? err.detail || APP_ERRORS.ACCESS_DENIED : (err?.message ?? String(err)));
  const box = $('#app-error');
  box.dataset.code = code;
  replace(
    box,
    h(
      'div',
      { class: 'app-error__icon' },
      icon(code === 'NOT_FINISHED' || code === 'NOT_INSTALLED' ? 'info' : 'warning', 40),
    ),
    h('p', { class: 'app-error__text', test: 'app-error-text', text }),
    code === 'NOT_INSTALLED'
      ? h(
          'button',
          { type: 'button', class: 'btn btn--light', test: 'app-error-market', onClick: () => go('market') },
          'Go to Market',
        )
      : null,
  );
  box.hidden = false;
  $('#app-layout').replaceChildren();
  $('#app-layout').dataset.state = 'error';
  logEntry('info', 'open', `refused: ${code}`);
}

/** Opens the app's frame in a widget placement (placements.js): PLACEMENT and PLACEMENT_OPTIONS as the portal posts. */
function openPlacement(placement, placementOptions, title) {
  S.placement = { placement, placementOptions, title };
  go('app', { force: true });
}

async function openApp(mode = 'open') {
  const seq = ++S.openSeq;
  const placement = S.placement ?? null;
  S.placement = null;
  closeFrame(mode === 'install' ? 'installing' : 'reopen');
  showAppShell();
  const layout = $('#app-layout');
  layout.dataset.state = 'requesting';
  replace(
    layout,
    h('div', { class: 'app-loader', test: 'app-loader' }, h('span', { class: 'spinner' }), 'Loading the application…'),
  );
  try {
    const descriptor = await request(
      'POST',
      mode === 'install' ? '/_emulator/install' : '/_emulator/open',
      placement === null ? undefined : { placement: placement.placement, placementOptions: placement.placementOptions },
    );
    if (placement !== null) $('#pagetitle').textContent = placement.title;
    if (seq !== S.openSeq || S.view !== 'app') return;
    if (mode === 'install') {
      notify(
        'success',
        `${appTitle()} is installed. Bitrix24 opens the application installer; it must call installFinish.`,
      );
      await loadState().catch((err) => notifyError('Could not reload the portal state', err));
      if (seq !== S.openSeq || S.view !== 'app') return;
    }
    mountFrame(descriptor);
  } catch (err) {
    if (seq !== S.openSeq) return;
    showAppError(err);
    if (mode === 'install') loadState().catch(() => {});
  }
}

/** Creates the named iframe and POSTs the frame data into it, exactly like Bitrix24's app layout. */
function mountFrame(descriptor) {
  const layout = $('#app-layout');
  if (!descriptor || typeof descriptor.url !== 'string' || !descriptor.frameName) {
    showAppError(
      new ApiError(500, { error: 'BAD_DESCRIPTOR', message: 'The emulator answered /open without url or frameName' }),
    );
    return;
  }
  const query = descriptor.query ?? {};
  let url;
  try {
    url = new URL(descriptor.url, location.href);
  } catch {
    showAppError(new ApiError(500, { error: 'BAD_DESCRIPTOR', message: `Invalid application URL: ${descriptor.url}` }));
    return;
  }
  for (const [key, value] of Object.entries(query))
    url.searchParams.set(key, value === null || value === undefined ? '' : String(value));
  const frameName = String(descriptor.frameName);
  const appSid = String(query.APP_SID ?? frameName.split('|')[2] ?? '');
  const initData = { ...(descriptor.initData ?? {}) };
  const install = truthy(initData.INSTALL);

  const iframe = h('iframe', {
    name: frameName,
    class: 'app-frame',
    test: 'app-frame',
    title: `${appTitle()} application`,
    dataset: { appSid, mode: install ? 'install' : 'app' },
    style: { height: `${INITIAL_FRAME_HEIGHT}px` },
  });
  const loader = h(
    'div',
    { class: 'app-loader app-loader--overlay', test: 'app-loader' },
    h('span', { class: 'spinner' }),
    'Loading the application…',
  );
  const form = h('form', {
    method: 'POST',
    action: url.href,
    target: frameName,
    hidden: true,
    test: 'app-form',
    'aria-hidden': 'true',
  });
  for (const [key, value] of Object.entries(descriptor.body ?? {})) {
    if (value === undefined) continue;
    const text = value === null ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
    form.append(h('input', { type: 'hidden', name: key, value: text }));
  }

  const session = {
    id: ++S.sessionSeq,
    iframe,
    form,
    appOrigin: url.origin,
    appSid,
    initData,
    userId: String(currentUser()?.id ?? ''),
    dialogs: new Set(),
    install,
  };
  S.session = session;
  delete layout.dataset.connected;
  layout.dataset.state = 'loading';
  layout.dataset.mode = install ? 'install' : 'app';
  replace(layout, loader, iframe, form);
  iframe.addEventListener('load', () => {
    if (S.session !== session) return;
    try {
      // The initial about:blank document may report a load before the POST navigation.
      if (iframe.contentWindow?.location.href === 'about:blank') return;
    } catch {
      /* cross-origin: the app page itself has loaded */
    }
    layout.dataset.state = 'loaded';
    loader.remove();
  });

  const [domain, protocol, frameSid] = frameName.split('|');
  const portalOrigin = portalOriginFor(domain ?? query.DOMAIN, protocol ?? query.PROTOCOL);
  if (portalOrigin !== location.origin) {
    notify(
      'warning',
      `The frame name says the portal is ${portalOrigin}, but this page is ${location.origin}: the SDK in the frame posts its messages to ${portalOrigin}, so the browser drops them. Open the portal at ${portalOrigin}/.`,
    );
    logEntry('warn', 'open', `portal origin mismatch: frame expects ${portalOrigin}, page is ${location.origin}`);
  }
  if (frameSid !== undefined && frameSid !== appSid)
    logEntry('warn', 'open', 'APP_SID in the query differs from the one in the frame name');

  logEntry(
    'info',
    install ? 'open installer' : 'open app',
    `POST ${url.origin}${url.pathname} · PLACEMENT=${descriptor.body?.PLACEMENT ?? initData.PLACEMENT ?? 'DEFAULT'}`,
  );
  form.submit();
}

/** Removes the app frame (and any dialog it opened, without answering). */
function closeFrame(reason) {
  const session = S.session;
  if (!session) return;
  S.session = null;
  for (const modal of session.dialogs) modal.close('dismiss');
  session.dialogs.clear();
  session.iframe.remove();
  session.form.remove();
  const layout = $('#app-layout');
  layout.replaceChildren();
  layout.dataset.state = 'closed';
  delete layout.dataset.connected;
  logEntry('info', 'close', reason);
}

function showClosedApp() {
  const layout = $('#app-layout');
  replace(
    layout,
    h(
      'div',
      { class: 'app-closed', test: 'app-closed' },
      h('p', null, 'The application closed itself (closeApplication).'),
      h(
        'button',
        { type: 'button', class: 'btn btn--primary', test: 'app-reopen', onClick: () => go('app', { force: true }) },
        'Open again',
      ),
    ),
  );
}

// ───────────────────────────── the B24Frame protocol ─────────────────────────────

function initDataFor(session) {
  const userOptions = S.userOptions.get(session.userId) ?? {};
  return {
    ...session.initData,
    APP_OPTIONS: mergeOptions(session.initData.APP_OPTIONS, S.appOptions),
    USER_OPTIONS: mergeOptions(session.initData.USER_OPTIONS, userOptions),
  };
}

/**
 * SelectedUser of the SDK (frame/dialog.mjs types): sub = the selected user is a subordinate of the
 * current user, sup = the selected user is the current user's manager. Both are computed from
 * department heads when the directory provides them (`headId`/`head`), otherwise false.
 */
function toSelectedUser(user) {
  const me = directory.user(currentUser()?.id);
  const id = String(user.id);
  const departmentsOf = (u) => (Array.isArray(u?.departmentIds) ? u.departmentIds : []);
  const isOther = me && String(me.id) !== id;
  return {
    id,
    name: String(user.name ?? ''),
    photo: typeof user.photo === 'string' ? user.photo : '',
    position: typeof user.position === 'string' ? user.position : '',
    url: `/company/personal/user/${id}/`,
    sub: Boolean(isOther && departmentsOf(user).some((d) => directory.headOf(d) === String(me.id))),
    sup: Boolean(isOther && departmentsOf(me).some((d) => directory.headOf(d) === id)),
  };
}

function isMultiple(mult) {
  return mult === true || mult === 1 || mult === '1' || mult === 'Y' || mult === 'true';
}

const NOT_EMULATED = new Set([
  'openApplication',
  'openPath',
  'imCallTo',
  'imPhoneTo',
  'imOpenMessenger',
  'imOpenHistory',
  'selectCRM',
  'showAppForm',
  'placementBindEvent',
]);

/**
 * Handlers get (session, params, reply, message). reply(result, logText?) posts
 * "callbackKey:JSON" back to the frame (nothing when the frame is gone or sent no callback).
 */
const HANDLERS = {
  getInitData(session, params, reply) {
    const data = initDataFor(session);
    reply(
      data,
      `INSTALL=${data.INSTALL}, FIRST_RUN=${data.FIRST_RUN}, IS_ADMIN=${data.IS_ADMIN}, PLACEMENT=${data.PLACEMENT}, LANG=${data.LANG}, DOMAIN=${data.DOMAIN} (tokens hidden)`,
    );
    // Bitrix24 reports FIRST_RUN only to the first getInitData of a page.
    session.initData.FIRST_RUN = false;
    $('#app-layout').dataset.connected = 'true';
  },

  getInterface(session, params, reply) {
    reply({ command: Object.keys(HANDLERS), event: [] });
  },

  setInstall(session, params, reply) {
    reply(params);
  },

  async setInstallFinish(session, params, reply) {
    try {
      await request('POST', '/_emulator/install-finish');
    } catch (err) {
      logEntry('warn', 'setInstallFinish', `refused: ${err.message}`);
      notifyError('installFinish failed', err);
      return;
    }
    reply({ result: true });
    notify('success', 'Installation finished. The page reloads and the application launches.');
    await loadState().catch((err) => notifyError('Could not reload the portal state', err));
    // Bitrix24 reloads the page after set_installed; here the app is opened again in a fresh frame.
    setTimeout(() => {
      if (S.session === session && S.view === 'app') openApp('open');
    }, 250);
  },

  async refreshAuth(session, params, reply) {
    let tokens;
    try {
      tokens = await request('POST', '/_emulator/refresh-auth');
    } catch (err) {
      logEntry('warn', 'refreshAuth', `failed: ${err.message}`);
      notifyError('Unable to get a new token', err);
      return;
    }
    if (S.session !== session) return;
    session.initData.AUTH_ID = tokens.AUTH_ID;
    session.initData.REFRESH_ID = tokens.REFRESH_ID;
    session.initData.AUTH_EXPIRES = tokens.AUTH_EXPIRES;
    reply(
      { AUTH_ID: tokens.AUTH_ID, AUTH_EXPIRES: tokens.AUTH_EXPIRES, REFRESH_ID: tokens.REFRESH_ID },
      `new tokens issued, AUTH_EXPIRES=${tokens.AUTH_EXPIRES}`,
    );
  },

  // As the portal does (rest `applayout.js`, resizeWindow): any height above 0 is set as sent, with no minimum or
  // maximum, so a frame shrinks as readily as it grows; the width is '100%' or the number in px (100 px if none).
  resizeWindow(session, params, reply) {
    const frame = session.iframe;
    const height = Number.parseInt(String(params?.height ?? ''), 10);
    if (Number.isFinite(height) && height > 0 && frame.style.height !== `${height}px`)
      frame.style.height = `${height}px`;
    const width = params?.width;
    if (width === '100%' || width === undefined || width === null || width === '') frame.style.width = '100%';
    else frame.style.width = `${Number.parseInt(String(width), 10) || 100}px`;
    const rect = frame.getBoundingClientRect();
    reply({ width: Math.round(rect.width), height: Math.round(rect.height) });
  },

  setTitle(session, params, reply) {
    const title = String(params?.title ?? '');
    $('#pagetitle').textContent = title;
    reply(params);
  },

  setScroll(session, params, reply) {
    const scroll = Number.parseInt(String(params?.scroll ?? ''), 10);
    if (Number.isFinite(scroll) && scroll >= 0) $('#main').scrollTo({ top: scroll });
    reply(params);
  },

  setUserOption(session, params, reply) {
    if (!params || typeof params.name !== 'string') return;
    const options = S.userOptions.get(session.userId) ?? {};
    options[params.name] = params.value;
    S.userOptions.set(session.userId, options);
    reply(params);
  },

  setAppOption(session, params, reply, message) {
    if (!params || typeof params.name !== 'string') return;
    if (!truthy(session.initData.IS_ADMIN)) {
      // Bitrix24 silently ignores setAppOption from non-admins (the SDK's isSafely timer resolves it).
      logEntry('warn', message.command, 'ignored: only administrators can set application options');
      return;
    }
    S.appOptions[params.name] = params.value;
    reply(params);
  },

  reloadWindow() {
    // Bitrix24 reloads the whole portal page; the app is POSTed into a fresh frame.
    openApp('open');
  },

  closeApplication() {
    closeFrame('closeApplication');
    showClosedApp();
  },

  async selectUser(session, params, reply) {
    const multiple = isMultiple(params?.mult);
    const users = await pickUsers({ directory, multiple, onOpen: (modal) => session.dialogs.add(modal) });
    if (S.session !== session) return;
    if (users === null) {
      if (isSilentCancel()) logEntry('info', 'selectUser', 'cancelled (no answer, as Bitrix24)');
      else reply(multiple ? [] : null, 'cancelled');
      return;
    }
    const selected = users.map(toSelectedUser);
    reply(multiple ? selected : (selected[0] ?? null), selected.map((u) => `U${u.id}`).join(', ') || '(none)');
  },

  async selectAccess(session, params, reply) {
    const blocked = Array.isArray(params) ? params : Array.isArray(params?.value) ? params.value : [];
    const result = await chooseAccess({
      directory,
      mode: 'select',
      blocked,
      onOpen: (modal) => session.dialogs.add(modal),
    });
    if (S.session !== session) return;
    if (result === null) {
      // Real Bitrix24 never answers a cancelled selectAccess; the emulator answers [] unless told to be silent.
      if (isSilentCancel()) logEntry('info', 'selectAccess', 'cancelled (no answer, as Bitrix24)');
      else reply([], 'cancelled');
      return;
    }
    reply(result, result.map((item) => item.id).join(', ') || '(none)');
  },
};

function onFrameMessage(event) {
  const session = S.session;
  if (!session || event.source !== session.iframe.contentWindow) return;
  if (event.origin !== session.appOrigin) {
    logEntry('warn', '(message)', `ignored: origin ${event.origin} is not the app origin ${session.appOrigin}`);
    return;
  }
  const message = parseFrameMessage(event.data);
  if (!message) return;
  if (message.appSid !== session.appSid) {
    logEntry('warn', message.command, 'ignored: APP_SID of another frame');
    return;
  }
  logEntry('in', message.command, summarize(message.params));

  const reply = (result, text) => {
    if (!message.callback || S.session !== session || !session.iframe.contentWindow) return;
    session.iframe.contentWindow.postMessage(formatReply(message.callback, result), session.appOrigin);
    logEntry('out', message.command, text ?? summarize(result));
  };

  const handler = Object.hasOwn(HANDLERS, message.command) && !message.isObject ? HANDLERS[message.command] : null;
  if (!handler) {
    if (NOT_EMULATED.has(message.command)) {
      logEntry('warn', message.command, 'not emulated: no answer');
      notify('info', `The application called ${message.command}, which the emulator does not emulate.`);
    } else {
      logEntry('warn', message.command, 'unknown command: no answer');
    }
    console.warn('[portal] unanswered frame command', message.command, message.params);
    return;
  }
  Promise.resolve()
    .then(() => handler(session, message.params, reply, message))
    .catch((err) => {
      logEntry('warn', message.command, `handler failed: ${err?.message ?? err}`);
      console.error('[portal] handler failed', message.command, err);
    });
}

// ───────────────────────────── boot ─────────────────────────────

function setupStaticControls() {
  $('#user-switcher').addEventListener('change', (event) => switchUser(event.target.value));
  $('#app-reload').addEventListener('click', () => go('app', { force: true }));
  $('#protocol-log-clear').addEventListener('click', (event) => {
    event.preventDefault();
    S.log.length = 0;
    $('#protocol-log-list').replaceChildren();
    $('#protocol-log-count').textContent = '0';
  });
  const panel = $('#protocol-log');
  try {
    panel.open = localStorage.getItem('emulator.protocolLog.open') === '1';
  } catch {
    /* storage may be unavailable */
  }
  panel.addEventListener('toggle', () => {
    try {
      localStorage.setItem('emulator.protocolLog.open', panel.open ? '1' : '0');
    } catch {
      /* ignore */
    }
    if (panel.open) $('#protocol-log-list').scrollTop = $('#protocol-log-list').scrollHeight;
  });
  window.addEventListener('message', onFrameMessage);
  window.addEventListener('popstate', () => {
    const view = viewFromHash();
    // Workgroups has pages of its own (#/workgroups/<id>: placements.js).
    if (view !== S.view || view === 'workgroups') show(view);
  });
}

async function boot() {
  setupStaticControls();
  try {
    await loadState();
  } catch (err) {
    document.body.dataset.ready = 'error';
    console.error('[portal] cannot load state', err);
    replace(
      $('#view'),
      h(
        'section',
        { class: 'page', test: 'boot-error' },
        h(
          'div',
          { class: 'card empty-state' },
          h('div', { class: 'empty-state__icon' }, icon('warning', 40)),
          h('p', { class: 'empty-state__title' }, 'The portal state could not be loaded'),
          h('p', { class: 'muted', text: err.message }),
          h(
            'button',
            { type: 'button', class: 'btn btn--primary', test: 'retry', onClick: () => location.reload() },
            icon('reload', 18),
            'Retry',
          ),
        ),
      ),
    );
    return;
  }
  // A link into an app (`/marketplace/view/<CODE>/?params[...]`): its REST_APP_URI handler, in the app view (the
  // portal opens a slider).
  const linkParams = appLinkParams(location);
  if (linkParams !== null) {
    openPlacement('REST_APP_URI', linkParams, appTitle());
    return;
  }
  show(viewFromHash());
}

// Debug/test hook: the protocol log as plain data (no tokens) and the current frame.
window.portalEmulator = Object.freeze({
  log: () => S.log.map((entry) => ({ ...entry, time: entry.time.toISOString() })),
  frame: () =>
    S.session ? { appSid: S.session.appSid, appOrigin: S.session.appOrigin, install: S.session.install } : null,
  reloadState: () => loadState(),
});

boot();
