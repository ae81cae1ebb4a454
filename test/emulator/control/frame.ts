import type { CompanyUser } from '../company.js';
import type { Portal } from '../portal.js';
import { randomToken } from '../random.js';
import type { IssuedTokens } from '../tokens.js';

/** What the portal page must do to open the app: POST `body` to `url?query` into a frame named `frameName`. */
export interface FrameLaunch {
  url: string;
  query: { DOMAIN: string; PROTOCOL: string; LANG: string; APP_SID: string };
  body: Record<string, string>;
  frameName: string;
  /** Answer to the frame's `getInitData` postMessage (B24Frame `MessageInitData`). */
  initData: Record<string, unknown>;
}

/**
 * The installer/app frame POST as Bitrix24 sends it: DOMAIN, PROTOCOL, LANG, APP_SID in the query, tokens
 * in the body; `window.name` is `DOMAIN|PROTOCOL|APP_SID` for the frame SDK.
 * @see https://apidocs.bitrix24.com/settings/oauth/simple-way.html
 */
export function frameLaunch(
  portal: Portal,
  user: CompanyUser,
  tokens: IssuedTokens,
  mode: { installer: boolean; firstRun: boolean },
): FrameLaunch {
  const appSid = randomToken();
  const protocol = '0';
  const body: Record<string, string> = {
    AUTH_ID: tokens.accessToken,
    AUTH_EXPIRES: String(tokens.expiresIn),
    REFRESH_ID: tokens.refreshToken,
    SERVER_ENDPOINT: portal.serverEndpoint,
    member_id: portal.memberId,
    status: portal.app.status,
    PLACEMENT: 'DEFAULT',
    PLACEMENT_OPTIONS: '{}',
  };
  if (portal.frameApplicationToken) {
    body['APPLICATION_TOKEN'] = portal.installation.applicationToken ?? '';
    body['APPLICATION_SCOPE'] = portal.scope;
  }
  return {
    url: mode.installer ? portal.app.installerUrl : portal.app.handlerUrl,
    query: { DOMAIN: portal.host, PROTOCOL: protocol, LANG: portal.lang, APP_SID: appSid },
    body,
    frameName: `${portal.host}|${protocol}|${appSid}`,
    initData: {
      AUTH_ID: tokens.accessToken,
      REFRESH_ID: tokens.refreshToken,
      AUTH_EXPIRES: String(tokens.expiresIn),
      DOMAIN: portal.host,
      PROTOCOL: protocol,
      PATH: '/rest/',
      LANG: portal.lang,
      MEMBER_ID: portal.memberId,
      IS_ADMIN: user.admin,
      APP_OPTIONS: { ...portal.installation.appOptions },
      USER_OPTIONS: {},
      PLACEMENT: 'DEFAULT',
      PLACEMENT_OPTIONS: {},
      INSTALL: mode.installer,
      FIRST_RUN: mode.firstRun,
    },
  };
}
