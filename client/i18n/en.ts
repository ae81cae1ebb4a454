/**
 * English UI texts. The keys are the source of truth: `ru.ts` is type-checked against them.
 * Placeholders are written `{name}` and filled by `t(key, { name })`.
 */
export const en = {
  'app.name': 'Keycard',
  'app.tagline': 'Access and permissions for your Bitrix24',
  'app.loading': 'Loading…',

  'nav.label': 'Sections',
  'nav.scopes': 'Scopes',
  'nav.directory': 'Directory',

  'header.user': 'Signed in as {name}',
  'header.admin': 'Administrator',

  'scopes.title': 'Scopes',
  'scopes.description': 'What Keycard may read or change in your Bitrix24, and whether your portal granted it.',
  'scopes.column.scope': 'Scope',
  'scopes.column.status': 'Status',
  'scopes.column.features': 'Features affected',
  'scopes.column.requested': 'Requested scope',
  'scopes.column.granted': 'Granted by your portal',
  'scopes.status.granted': 'Granted',
  'scopes.status.missing': 'Missing',
  'scopes.features.none': 'No features depend on it',
  'scopes.features.disabled': 'Turned off:',
  'scopes.features.enabled': 'Used by:',
  'scopes.empty': 'Keycard requests no scopes.',
  'scopes.allGranted': 'Your portal granted every scope Keycard requests.',
  'scopes.unavailable.title': 'Some features are unavailable',
  'scopes.unavailable.description':
    'Your portal did not grant every scope Keycard requests. These features stay off until the scopes are granted: ask a Bitrix24 administrator to update or reinstall Keycard from Bitrix24 Market.',
  'scopes.unavailable.item': '{feature} — needs {scopes}',
  'scopes.stored.title': 'Showing the scopes saved at installation',
  'scopes.stored.description': 'Bitrix24 could not be asked just now, so a recent change may not be shown yet.',
  'scopes.retry': 'Try again',

  'install.title': 'Welcome to Keycard',
  'install.description':
    'Keycard keeps your team’s access to this app in order. Check the scopes it requested and what your portal granted, then finish the installation.',
  'install.scopes.title': 'Requested and granted scopes',
  'install.missing.title': 'Some requested scopes were not granted',
  'install.missing.description':
    'You can finish the installation: Keycard works without them, but the features listed below stay off until the scopes are granted.',
  'install.finish': 'Finish installation',
  'install.finished': 'Installation finished. Bitrix24 is opening Keycard…',
  'install.failed.title': 'Could not finish the installation',
  'install.failed.description': 'Bitrix24 did not confirm it. Try again; if it keeps failing, reopen the installer from Bitrix24 Market.',
  'install.needsFrame': 'Finishing the installation needs the connection to Bitrix24.',

  'install.sync.title': 'First directory sync',
  'install.sync.description':
    'Keycard copies your employees and departments from Bitrix24 so that access rules can name them. On a large portal this takes a few minutes.',
  'install.sync.waiting': 'Waiting for the sync to start…',
  'install.sync.done': 'Done: {users}, {departments} in {duration}',
  'install.sync.finished': 'The directory is synced.',
  'install.sync.failed': 'The first sync failed',
  'install.sync.retry': 'Retry',
  'install.sync.background': 'You can finish the installation now: the sync continues in the background.',

  'directory.title': 'Directory',
  'directory.description': 'Employees and departments of your Bitrix24 as Keycard mirrors them. Access rules use this copy.',
  'directory.departments': 'Departments',
  'directory.allEmployees': 'All employees',
  'directory.head': 'Head: {name}',
  'directory.expand': 'Expand {name}',
  'directory.collapse': 'Collapse {name}',
  'directory.includeSub': 'Include sub-departments',
  'directory.noDepartments': 'No departments in the directory.',
  'directory.search.label': 'Search employees',
  'directory.search.placeholder': 'Name, e-mail or position',
  'directory.filter.label': 'Show employees',
  'directory.filter.active': 'Active',
  'directory.filter.fired': 'Fired',
  'directory.filter.all': 'All',
  'directory.list.label': 'Employees',
  'directory.list.empty': 'No employees match these filters.',
  'directory.list.unnamed': 'User #{id}',
  'directory.badge.fired': 'Fired',
  'directory.badge.extranet': 'Extranet',
  'directory.notSynced.title': 'The directory has not been synced yet',
  'directory.notSynced.description':
    'Keycard copies employees and departments from Bitrix24 after installation. They appear here as soon as the first sync finishes.',

  'sync.lastRefreshed': 'Last refreshed {time}',
  'sync.lastRefreshedCounts': 'Last refreshed {time} ({users}, {departments})',
  'sync.justNow': 'just now',
  'sync.never': 'Not synced yet',
  'sync.refresh': 'Refresh now',
  'sync.running': 'Refreshing the directory…',
  'sync.phase.starting': 'Starting…',
  'sync.phase.departments': 'Loading departments…',
  'sync.phase.users': 'Loading employees…',
  'sync.phase.workgroups': 'Loading workgroups…',
  'sync.phase.other': 'Syncing…',
  'sync.failed.title': 'The last sync failed',
  'sync.failed.kept': 'The directory shows the copy from the last successful sync.',
  'sync.workgroupsUnavailable':
    'Workgroups are not mirrored: the app lacks the {scope} permission. Access rules for workgroups (SG…) are unavailable until an administrator grants it.',

  'count.users': '{count} user|{count} users',
  'count.employees': '{count} employee|{count} employees',
  'count.departments': '{count} department|{count} departments',
  'count.workgroups': '{count} workgroup|{count} workgroups',
  'count.requests': '{count} request|{count} requests',

  'time.seconds': '{seconds} s',
  'time.minutes': '{minutes} min {seconds} s',

  'frame.connecting': 'Connecting to Bitrix24…',
  'frame.unavailable.title': 'Not connected to Bitrix24',
  'frame.unavailable.description':
    'Keycard is not running inside your Bitrix24 portal, so actions that need Bitrix24 are unavailable. Open Keycard from the Bitrix24 menu.',

  'session.expired.title': 'Your session has expired — reopen the app',
  'session.expired.description':
    'For your security Keycard sessions are short. Reload the app, or reopen Keycard from the Bitrix24 menu.',
  'session.reload': 'Reload',

  'error.title': 'Something went wrong',
  'error.network': 'The Keycard server cannot be reached. Check your connection and try again.',
  'error.forbidden': 'You do not have access to this part of Keycard.',
  'error.server': 'The Keycard server could not complete the request.',
  'error.invalidResponse': 'The Keycard server sent an answer this page does not understand. Reload the app.',
  'error.code': 'Error code: {code}',

  'bootstrap.title': 'Keycard could not start',
  'bootstrap.description':
    'This page is missing the data it needs to start. Open Keycard from the Bitrix24 menu; if this keeps happening, contact your Bitrix24 administrator.',
  'bootstrap.detail': 'Details: {detail}'
} as const satisfies Record<string, string>

/** A key of the UI dictionary. */
export type MessageKey = keyof typeof en

/** A complete dictionary: exactly the keys of `en`, each a string. */
export type Messages = Record<MessageKey, string>
