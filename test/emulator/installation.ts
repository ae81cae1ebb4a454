import type { AppOptions } from './options.js';

/* The app's registration and its installation on the portal: plain records the lifecycle and REST methods change. */

/** The app as registered with the portal. */
export interface AppRegistration {
  clientId: string;
  clientSecret: string;
  code: string;
  title: string;
  version: number;
  status: string;
  handlerUrl: string;
  installerUrl: string;
  installEventUrl: string;
  redirectUri: string;
}

/** An `event.bind` record. */
export interface EventBinding {
  id: number;
  event: string;
  handler: string;
  /** `auth_type`: 0 = the user who triggered the event. */
  authType: number;
  offline: boolean;
  /** Who bound it (non-admins see only their own in `event.get`). */
  ownerId: number;
}

/** A `placement.bind` record. */
export interface PlacementBinding {
  placement: string;
  handler: string;
  title: string;
  description: string;
  groupName: string;
  options: Record<string, unknown> | [];
  langAll: Record<string, { TITLE: string; DESCRIPTION: string; GROUP_NAME: string }>;
  userId: number;
}

/** The app's installation on this portal. */
export interface Installation {
  /**
   * Starts at 0 and grows with every uninstall: tokens issued in an older epoch belong to a removed installation
   * (dead after a reinstall too), tokens of the current one to the app as it is now.
   */
  tokenEpoch: number;
  installed: boolean;
  /** `installFinish` was called: events flow, ordinary users may open the app, `app.info.INSTALLED` is true. */
  finished: boolean;
  applicationToken: string | null;
  /** The Market's SHARED_KEY, rewritten by install and update; the application token is derived from it. */
  sharedKey: string | null;
  /** Bitrix24's own app access setting (Market → Installed apps → User access); empty = everyone. */
  accessCodes: string[];
  events: EventBinding[];
  placements: PlacementBinding[];
  appOptions: Record<string, unknown>;
  /** The next frame open after `installFinish` carries FIRST_RUN. */
  firstRunPending: boolean;
}

/** The app's ID on the portal (`app.info` ID; part of the application token). */
export const APP_ID = 7;

export const DEFAULT_SCOPES = ['user_brief', 'department', 'placement'];

export function parseScopes(scopes: string[] | string | undefined): string[] {
  if (scopes === undefined) return [...DEFAULT_SCOPES];
  const list = Array.isArray(scopes) ? scopes : scopes.split(/[\s,]+/);
  return list.map((scope) => scope.trim()).filter((scope) => scope !== '');
}

export function emptyInstallation(): Installation {
  return {
    tokenEpoch: 0,
    installed: false,
    finished: false,
    applicationToken: null,
    sharedKey: null,
    accessCodes: [],
    events: [],
    placements: [],
    appOptions: {},
    firstRunPending: false,
  };
}

/** The registration of the app from the `app` option, with the emulator's defaults. */
export function appRegistration(options: AppOptions = {}): AppRegistration {
  const appUrl = (options.appUrl ?? 'http://localhost:3000').replace(/\/+$/, '');
  return {
    clientId: options.clientId ?? 'local.6650f0c0ffee01.12345678',
    clientSecret: options.clientSecret ?? 'emulator-client-secret-0123456789abcdef',
    code: options.code ?? 'keycard',
    title: options.title ?? 'Keycard',
    version: options.version ?? 1,
    status: options.status ?? 'L',
    handlerUrl: `${appUrl}/app`,
    installerUrl: `${appUrl}/install`,
    installEventUrl: `${appUrl}/events`,
    redirectUri: options.redirectUri ?? `${appUrl}/app`,
  };
}
