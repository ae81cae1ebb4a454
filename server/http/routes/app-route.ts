import type { RequestHandler } from 'express';
import { frameBodySchema, frameQuerySchema } from '../../bitrix/schemas.js';
import { openApp, type OpenAppDeps } from '../../portals/open-app.js';
import { installationOrigin } from '../../portals/installation-record.js';
import { sendFrameApp, sendFrameError, type FramePageDeps } from '../frame-page.js';
import { langOf } from '../lang-of.js';
import type { UiAssets } from '../pages/app-shell.js';
import { askerOf, sendNoAccessPage, type NoAccessDeps } from '../no-access.js';
import type { SessionTokens } from '../session-tokens.js';

/** `POST /app`: the handler URL. Parses the frame POST, opens the app (portals/open-app.ts), renders the outcome. */
export function appRoute(
  deps: OpenAppDeps & FramePageDeps & NoAccessDeps & { sessions: SessionTokens; ui: UiAssets },
): RequestHandler {
  return async (req, res) => {
    const lang = langOf(req);
    frameQuerySchema.parse(req.query);
    const body = frameBodySchema.parse(req.body);
    const outcome = await openApp(deps, body, lang);
    if (!outcome.opened && outcome.denied !== undefined && outcome.frameOrigin !== undefined) {
      // Refused by Keycard's access settings: the page offers to ask the app's admins for access. Denied in a
      // feature's placement, it is the compact page sized for the tab, naming the feature the request asks for.
      const { memberId, user } = outcome.denied;
      const { placement } = outcome;
      deps.logger.info({ code: 'APP_ACCESS_DENIED', status: 403 }, 'frame request refused');
      await sendNoAccessPage(deps, res, {
        asker: askerOf(memberId, user, lang, placement?.feature),
        askLines: outcome.lines ?? [],
        frameOrigin: outcome.frameOrigin,
        status: 403,
        ...(placement === undefined ? {} : { compact: true, featureTitle: placement.featureTitle }),
      });
      return;
    }
    if (!outcome.opened) {
      // Until the token is verified the page is framed by PORTAL_DOMAINS, whatever is stored for the member id.
      sendFrameError(deps, res, outcome.error, {
        lang,
        ancestors: outcome.frameOrigin === undefined ? undefined : [outcome.frameOrigin],
        lines: outcome.lines,
      });
      return;
    }
    const { installation, user, placement, entry } = outcome;
    const session = await deps.sessions.issue({
      memberId: installation.memberId,
      userId: user.id,
      isAdmin: user.isAdmin,
      lang,
      name: user.name,
    });
    sendFrameApp(
      res,
      deps.ui.template,
      {
        mode: 'app',
        lang,
        session,
        user,
        portal: { domain: installation.domain },
        ...(placement === undefined ? {} : { placement }),
        ...(entry === undefined ? {} : { entry }),
      },
      installationOrigin(installation),
    );
  };
}
