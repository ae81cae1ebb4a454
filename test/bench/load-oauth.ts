import express from 'express';
import { oauthParams } from '../emulator/oauth/params.js';
import { grantTokens, oauthAppInfo, type OAuthAnswer } from '../emulator/oauth/token.js';
import type { Portal } from '../emulator/portal.js';

/**
 * One OAuth server in front of many emulated portals, as oauth.bitrix.info serves every Bitrix24 portal.
 * Keycard has a single `B24_OAUTH_SERVER`, while each emulator is its own OAuth server knowing only its own
 * tokens: `app.info` is answered by the portal that issued the access token, a `refresh_token` or
 * `authorization_code` grant by the portal that accepts it. The answers themselves are the emulator's.
 */
export function sharedOAuthServer(portals: readonly Portal[]): express.Express {
  const [first] = portals;
  if (first === undefined) throw new Error('the OAuth server needs at least one portal');
  const app = express();
  app.disable('x-powered-by');
  app.use(express.raw({ type: () => true, limit: '1mb' }));
  app.all(
    ['/oauth-server/rest/app.info', '/oauth-server/rest/app.info.json', '/oauth-server/rest/app.info/'],
    (req, res) => {
      const params = oauthParams(req);
      const bearer = /^Bearer\s+(\S+)$/i.exec(req.get('authorization') ?? '')?.[1];
      const token = params['auth'] ?? params['access_token'] ?? bearer ?? '';
      const owner = portals.find((portal) => portal.tokens.access(token) !== undefined) ?? first;
      send(res, oauthAppInfo(owner, token));
    },
  );
  app.all(['/oauth-server/oauth/token', '/oauth-server/oauth/token/'], (req, res) => {
    const params = oauthParams(req);
    // A grant a portal does not know leaves that portal's tokens untouched, so asking each in turn is safe.
    let answer = grantTokens(first, params);
    for (const portal of portals.slice(1)) {
      if (answer.status === 200) break;
      answer = grantTokens(portal, params);
    }
    send(res, answer);
  });
  app.use((_req, res) => {
    res.status(404).json({ error: 'NOT_FOUND', message: 'No such OAuth server route.' });
  });
  return app;
}

function send(res: express.Response, answer: OAuthAnswer): void {
  res.status(answer.status).json(answer.body);
}
