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

const HEX_ESCAPES: Readonly<Record<string, string>> = {
  '"': '\\u0022',
  "'": '\\u0027',
  '<': '\\u003C',
  '>': '\\u003E',
  '&': '\\u0026',
  '/': '\\/',
};

function bitrixJsonString(value: string): string {
  const escaped = [...value].map((char) => HEX_ESCAPES[char] ?? JSON.stringify(char).slice(1, -1)).join('');
  return `"${escaped}"`;
}

/**
 * A string map as `Bitrix\Main\Web\Json::encode` writes it (`JSON_HEX_TAG | JSON_HEX_AMP | JSON_HEX_APOS |
 * JSON_HEX_QUOT | JSON_UNESCAPED_UNICODE`, slashes escaped; main module `lib/web/json.php`).
 */
export function bitrixJson(map: Record<string, string>): string {
  return `{${Object.entries(map)
    .map(([key, value]) => `${bitrixJsonString(key)}:${bitrixJsonString(value)}`)
    .join(',')}}`;
}

export interface FrameMode {
  installer: boolean;
  firstRun: boolean;
  /** `PLACEMENT_OPTIONS` (for DEFAULT: the portal page's GET parameters, rest module app.layout `component.php`). */
  placementOptions?: Record<string, string>;
  /**
   * The placement the frame opens in (`DEFAULT` when absent): `SONET_GROUP_DETAIL_TAB` with `{"GROUP_ID":"10",
   * "URI":"\/workgroups\/group\/10\/"}` (docs widgets/workgroups/detail-tab.md), `REST_APP_URI` with the link's
   * `params[...]` (docs widgets/universal/app-url.md). Body `PLACEMENT` + `PLACEMENT_OPTIONS` (widget_data.md).
   */
  placement?: string;
}

/**
 * The installer/app frame POST as Bitrix24 sends it (rest module `install/components/bitrix/app.layout`
 * `component.php` + `templates/.default/template.php`; docs `settings/oauth/simple-way.md`):
 * - query `DOMAIN` (host with the port when not 80/443), `PROTOCOL` (`0` for a portal served over http, as this one
 *   is: `$request->isHttps() ? 1 : 0`), `LANG`, `APP_SID`;
 * - body `AUTH_ID`, `AUTH_EXPIRES`, `REFRESH_ID`, `member_id`, `status`, `PLACEMENT`, and `PLACEMENT_OPTIONS` (JSON)
 *   only when there are options (the module template: `if (!empty(...))`);
 * - `SERVER_ENDPOINT`: listed by the docs since 2026-08-20, absent from the module template; posted unless
 *   `frameServerEndpoint: false` (both shapes tested);
 * - `APPLICATION_TOKEN` and `APPLICATION_SCOPE`: docs since 2026-08-20 only; posted with `frameApplicationToken`.
 * `window.name` is `DOMAIN|PROTOCOL|APP_SID` for the frame SDK.
 */
export function frameLaunch(portal: Portal, user: CompanyUser, tokens: IssuedTokens, mode: FrameMode): FrameLaunch {
  const appSid = randomToken();
  const protocol = portal.protocol === 'http' ? '0' : '1';
  const placementOptions = mode.placementOptions ?? {};
  const body: Record<string, string> = {
    AUTH_ID: tokens.accessToken,
    AUTH_EXPIRES: String(tokens.expiresIn),
    REFRESH_ID: tokens.refreshToken,
    ...(portal.behaviour.frameServerEndpoint ? { SERVER_ENDPOINT: portal.serverEndpoint } : {}),
    member_id: portal.memberId,
    status: portal.app.status,
    PLACEMENT: mode.placement ?? 'DEFAULT',
  };
  if (Object.keys(placementOptions).length > 0) body['PLACEMENT_OPTIONS'] = bitrixJson(placementOptions);
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
      PLACEMENT: mode.placement ?? 'DEFAULT',
      PLACEMENT_OPTIONS: { ...placementOptions },
      INSTALL: mode.installer,
      FIRST_RUN: mode.firstRun,
    },
  };
}
