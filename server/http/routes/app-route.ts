import type { RequestHandler } from 'express';
import { unixSeconds } from '../../clock.js';
import { AppError, ForbiddenError, NotFoundError, UnavailableError } from '../../errors.js';
import { frameBodySchema, frameQuerySchema } from '../../bitrix/schemas.js';
import { portalOrigin, type Portal } from '../../portals/portal.js';
import { identifyUser, verifyAppToken } from '../../portals/verification.js';
import type { Services } from '../../services.js';
import { AppAccessDeniedError, decideOpen } from '../app-gate.js';
import { setFramePageHeaders } from '../frame-headers.js';
import { sendFrameError } from '../frame-page.js';
import { langOf } from '../lang-of.js';
import { renderAppShell } from '../pages/app-shell.js';

/**
 * `POST /app`: the handler URL. The user is identified with `profile` on the portal's stored endpoint
 * (the request's DOMAIN is never used), then the UI is rendered with a session bound to portal and user.
 */
export function appRoute(services: Services): RequestHandler {
  return async (req, res) => {
    const lang = langOf(req);
    let ancestors: string[] | undefined;
    try {
      frameQuerySchema.parse(req.query);
      const body = frameBodySchema.parse(req.body);
      const portal = await loadPortal(services, body.member_id);
      // A stored portal's own pages (reinstall needed, blocked…) are framed by its origin too.
      if (portal !== undefined) ancestors = [portalOrigin(portal)];
      assertUsable(portal);
      // Two independent checks, both required: the OAuth server says the token is Keycard's and this
      // portal's (a token of another app on the portal must not open Keycard), and `profile` on the stored
      // endpoint says who the user is. The token's own verdict wins when both fail.
      const [issuer, identity] = await Promise.allSettled([
        verifyAppToken(services, body.AUTH_ID, portal.memberId, portal.clientEndpoint),
        identifyUser(services.clients, {
          memberId: portal.memberId,
          clientEndpoint: portal.clientEndpoint,
          accessToken: body.AUTH_ID,
          expiresAt: unixSeconds(services.clock) + body.AUTH_EXPIRES,
        }),
      ]);
      if (issuer.status === 'rejected') throw issuer.reason;
      if (identity.status === 'rejected') throw identity.reason;
      const user = identity.value;
      // Keycard's own access settings, on top of Bitrix24's: a denied user gets a page naming whom to ask.
      await decideOpen(services, portal, user, lang);
      const session = await services.sessions.issue({ memberId: portal.memberId, userId: user.id, isAdmin: user.isAdmin, lang, name: user.name });
      setFramePageHeaders(res, [portalOrigin(portal)]);
      res.type('html').send(renderAppShell(services.ui.template, { mode: 'app', lang, session, user, portal: { domain: portal.domain } }));
    } catch (error: unknown) {
      const details = error instanceof AppAccessDeniedError ? askLines(error.askNames, lang) : undefined;
      sendFrameError(services, res, error, { lang, ancestors, ...(details === undefined ? {} : { details }) });
    }
  };
}

/** The access-denied page's list of people to ask; Bitrix24's admin when Keycard knows nobody yet. */
function askLines(names: string[], lang: 'en' | 'ru'): string[] {
  if (names.length > 0) return names;
  return [lang === 'ru' ? 'Администратор вашего Битрикс24' : 'Your Bitrix24 administrator'];
}

async function loadPortal(services: Services, memberId: string): Promise<Portal | undefined> {
  try {
    return await services.portals.get(memberId);
  } catch (error: unknown) {
    throw new UnavailableError('STORE_UNAVAILABLE', 'The installation store could not be read.', { cause: error });
  }
}

function assertUsable(portal: Portal | undefined): asserts portal is Portal {
  switch (portal?.state) {
    case 'active':
      return;
    case 'new':
      throw new AppError('INSTALL_UNFINISHED', 409, 'The installation is not finished.');
    case 'needs_reinstall':
      throw new AppError('NEEDS_REINSTALL', 409, 'The app must be reinstalled on this portal.');
    case 'blocked':
      throw new ForbiddenError('PORTAL_BLOCKED', 'This portal is blocked.');
    default:
      throw new NotFoundError('NOT_INSTALLED', 'The app is not installed on this portal.');
  }
}
