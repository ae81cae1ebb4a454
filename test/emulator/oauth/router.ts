import express, { type Request, type Response } from 'express';
import { currentUser } from '../control/session.js';
import type { OAuthRegion } from '../options.js';
import type { Portal } from '../portal.js';
import { oauthParams } from './params.js';
import { grantTokens, oauthAppInfo } from './token.js';

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}

/**
 * One of the two OAuth servers: `west` under `/oauth-server` (stands for https://oauth.bitrix.info), `east` under
 * `/oauth-server-east` (https://oauth.bitrix24.tech). Each serves `oauth/token/` (GET or form POST) and
 * `rest/app.info`; only the portal's own (`oauthRegion`) knows its tokens (RU docs `settings/oauth/index.md`: the
 * authorization server "alone issues and renews tokens"; rest module `AuthorizationServerUrlResolver` picks one
 * server per portal by license region). Set the app's `B24_OAUTH_SERVER` to the base URL(s) of `portal.oauthServers`.
 */
export function oauthServerRouter(portal: Portal, region: OAuthRegion): express.Router {
  const router = express.Router();
  router.use(express.raw({ type: () => true, limit: '1mb' }));
  router.all(['/oauth/token', '/oauth/token/'], (req, res) => {
    const answer = grantTokens(portal, oauthParams(req), region);
    res.status(answer.status).json(answer.body);
  });
  router.all(['/rest/app.info', '/rest/app.info.json', '/rest/app.info/'], (req, res) => {
    const params = oauthParams(req);
    const bearer = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '')?.[1];
    const answer = oauthAppInfo(portal, params['auth'] ?? params['access_token'] ?? bearer ?? '', region);
    res.status(answer.status).json(answer.body);
  });
  router.get(['/oauth/authorize', '/oauth/authorize/'], authorize(portal));
  return router;
}

/**
 * `GET /oauth/authorize/?client_id=…&state=…` for the browser's current user: redirects to the app's
 * redirect URI (from the app settings; `redirect_uri` is not a parameter) with a code that lives 30 s.
 * Failures show an error page, as Bitrix24 does, instead of redirecting.
 * @see https://apidocs.bitrix24.com/settings/oauth/index.html
 */
export function authorize(portal: Portal): (req: Request, res: Response) => void {
  return (req, res) => {
    const params = oauthParams(req);
    const fail = (message: string): void => {
      res
        .status(400)
        .type('html')
        .send(`<!doctype html><title>Authorization error</title><p>${escapeHtml(message)}</p>`);
    };
    if (params['client_id'] !== portal.app.clientId) return fail('Unknown application (client_id).');
    if (!portal.installation.installed) return fail('The application is not installed on this Bitrix24.');
    const user = currentUser(portal, req);
    const target = new URL(portal.app.redirectUri);
    target.searchParams.set('code', portal.tokens.createCode(user.id, portal.installation.tokenEpoch));
    if (params['state'] !== undefined) target.searchParams.set('state', params['state']);
    target.searchParams.set('domain', portal.host);
    target.searchParams.set('member_id', portal.memberId);
    target.searchParams.set('scope', portal.scope);
    // The OAuth server's host, as `server_domain=oauth.bitrix.info` in the docs' redirect.
    target.searchParams.set('server_domain', portal.oauthHost);
    res.redirect(302, target.toString());
  };
}
