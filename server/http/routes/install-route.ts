import type { RequestHandler } from 'express';
import { frameBodySchema, frameQuerySchema } from '../../bitrix/schemas.js';
import { installFromFrame, type InstallDeps } from '../../portals/installation.js';
import { installationOrigin } from '../../portals/installation-record.js';
import { sendFrameApp, sendFrameError, type FramePageDeps } from '../frame-page.js';
import { langOf } from '../lang-of.js';
import type { UiAssets } from '../pages/app-shell.js';
import type { SessionTokens } from '../session-tokens.js';

/**
 * `POST /install`: the installer frame. Parses, installs (portals/installation.ts), renders the installer UI or the
 * refusal.
 */
export function installRoute(
  deps: InstallDeps & FramePageDeps & { sessions: SessionTokens; ui: UiAssets },
): RequestHandler {
  return async (req, res) => {
    const lang = langOf(req);
    const query = frameQuerySchema.parse(req.query);
    const body = frameBodySchema.parse(req.body);
    const outcome = await installFromFrame(deps, query, body);
    if (!outcome.installed) {
      sendFrameError(deps, res, outcome.error, {
        lang,
        ancestors: outcome.frameOrigin === undefined ? undefined : [outcome.frameOrigin],
        lines: outcome.lines,
      });
      return;
    }
    const { installation, user, keptSettings } = outcome;
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
        mode: 'install',
        lang,
        session,
        user,
        portal: { domain: installation.domain },
        ...(keptSettings === null ? {} : { keptSettings }),
      },
      installationOrigin(installation),
    );
  };
}
