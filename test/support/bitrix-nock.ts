import nock from 'nock';
import { z } from 'zod';
import { CLIENT_ID, CLIENT_SECRET, OAUTH, type TestPortal } from './harness.js';

const authBody = z.object({ auth: z.string() }).loose();

/** The token a request body carries (`auth`), or undefined. */
function authOf(body: unknown): string | undefined {
  const parsed = authBody.safeParse(body);
  return parsed.success ? parsed.data.auth : undefined;
}

/** OAuth server `app.info` for `token`: by default it vouches for `portal` and our client id. */
export function oauthAppInfo(
  portal: TestPortal,
  options: {
    token?: string;
    clientId?: string;
    memberId?: string;
    scope?: string;
    reply?: [number, object];
    times?: number;
    server?: string;
  } = {},
): nock.Scope {
  const token = options.token ?? portal.adminToken;
  return nock(options.server ?? OAUTH)
    .post('/rest/app.info', (body: unknown) => authOf(body) === token)
    .times(options.times ?? 1)
    .reply(
      ...(options.reply ?? [
        200,
        {
          result: {
            client_id: options.clientId ?? CLIENT_ID,
            scope: options.scope ?? 'user_brief,department,placement',
            user_id: 1,
            install: {
              installed: true,
              member_id: options.memberId ?? portal.memberId,
              domain: portal.host,
              client_endpoint: `${portal.origin}/rest/`,
              status: 'F',
            },
          },
        },
      ]),
    );
}

/** One portal REST call made with `token`, answering `result` (or an error reply). */
export function portalCall(
  portal: TestPortal,
  method: string,
  options: {
    token?: string;
    result?: unknown;
    error?: [number, string];
    times?: number;
    params?: (body: Record<string, unknown>) => boolean;
  },
): nock.Scope {
  const token = options.token ?? portal.adminToken;
  const interceptor = nock(portal.origin)
    .post(
      `/rest/${method}`,
      (body: Record<string, unknown>) => authOf(body) === token && (options.params?.(body) ?? true),
    )
    .query(true)
    .times(options.times ?? 1);
  const time = {
    start: 1,
    finish: 1.01,
    duration: 0.01,
    processing: 0.01,
    date_start: '',
    date_finish: '',
    operating: 0,
  };
  if (options.error !== undefined) {
    const [status, code] = options.error;
    return interceptor.reply(status, { error: code, error_description: `${code} description` });
  }
  return interceptor.reply(200, { result: options.result ?? true, time });
}

/** Everything a successful installation asks of Bitrix24 for `portal`. */
/**
 * The portal's `app.info` for an installed app (api-reference/common/system/app-info.md): `license` picks the plan,
 * `family` null answers as a self-hosted portal does (no LICENSE_FAMILY).
 */
export function portalAppInfo(portal: TestPortal, license = 'en_basic', family: string | null = 'basic') {
  return portalCall(portal, 'app.info', {
    result: {
      ID: 17,
      CODE: 'keycard.app',
      VERSION: 1,
      STATUS: 'F',
      INSTALLED: true,
      PAYMENT_EXPIRED: 'N',
      DAYS: null,
      LANGUAGE_ID: 'en',
      LICENSE: license,
      ...(family === null ? {} : { LICENSE_TYPE: license.replace(/^[a-z]+_/, ''), LICENSE_FAMILY: family }),
    },
  });
}

export function installScopes(
  portal: TestPortal,
  options: { admin?: boolean; userId?: string; license?: string; licenseFamily?: string | null } = {},
): nock.Scope[] {
  return [
    oauthAppInfo(portal),
    portalCall(portal, 'profile', {
      result: { ID: options.userId ?? '1', ADMIN: options.admin ?? true, NAME: 'Anna', LAST_NAME: 'Admin' },
    }),
    portalCall(portal, 'event.get', { result: [] }),
    portalCall(portal, 'event.bind', { times: 3 }),
    portalCall(portal, 'placement.get', { result: [] }),
    portalCall(portal, 'placement.bind', { times: 2 }),
    portalAppInfo(portal, options.license, options.licenseFamily),
  ];
}

/** The installer frame POST Bitrix24 sends for `portal`. */
export function installerRequest(
  portal: TestPortal,
  overrides: { query?: Record<string, string>; body?: Record<string, string> } = {},
) {
  return {
    query: { DOMAIN: portal.host, PROTOCOL: '1', LANG: 'en', APP_SID: 'sid123', ...overrides.query },
    body: {
      AUTH_ID: portal.adminToken,
      AUTH_EXPIRES: '3600',
      REFRESH_ID: portal.refreshToken,
      member_id: portal.memberId,
      status: 'F',
      PLACEMENT: 'DEFAULT',
      ...overrides.body,
    },
  };
}

/** OAuth token endpoint renewing `refreshToken` into `issued` (checks our client credentials). */
export function tokenRefresh(
  refreshToken: string,
  issued: { access: string; refresh: string; portal: TestPortal },
  times = 1,
): nock.Scope {
  return nock(OAUTH)
    .post(
      '/oauth/token/',
      (body: Record<string, unknown>) =>
        body['grant_type'] === 'refresh_token' &&
        body['refresh_token'] === refreshToken &&
        body['client_id'] === CLIENT_ID &&
        body['client_secret'] === CLIENT_SECRET,
    )
    .times(times)
    .reply(200, {
      access_token: issued.access,
      refresh_token: issued.refresh,
      expires_in: 3600,
      expires: Math.floor(Date.now() / 1000) + 3600,
      client_endpoint: `${issued.portal.origin}/rest/`,
      server_endpoint: `${OAUTH}/rest/`,
      member_id: issued.portal.memberId,
      scope: 'user_brief,department,placement',
      status: 'F',
      domain: 'oauth.test',
    });
}
