import type { RequestHandler } from 'express';
import { AppError } from '../../errors.js';
import { frameBodySchema, frameQuerySchema } from '../../bitrix/schemas.js';
import { hasRequiredBindings } from '../../portals/bindings.js';
import { installFromFrame } from '../../portals/installation.js';
import { portalOrigin } from '../../portals/portal.js';
import type { Services } from '../../services.js';
import { setFramePageHeaders } from '../frame-headers.js';
import { sendFrameError } from '../frame-page.js';
import { langOf } from '../lang-of.js';
import { renderAppShell } from '../pages/app-shell.js';

/** `POST /install`: the installer frame. Verifies, stores, binds, then renders the installer UI. */
export function installRoute(services: Services): RequestHandler {
  return async (req, res) => {
    const lang = langOf(req);
    try {
      const query = frameQuerySchema.parse(req.query);
      const body = frameBodySchema.parse(req.body);
      const { portal, user } = await installFromFrame(services, query, body);
      const ancestors = [portalOrigin(portal)];
      if (!hasRequiredBindings(portal.bindings)) {
        const details = portal.bindings.failed.map((failure) => `${failure.name}: ${failure.code}`);
        sendFrameError(services, res, new AppError('INSTALL_INCOMPLETE', 502, 'Required events could not be bound.'), { lang, ancestors, details });
        return;
      }
      const session = await services.sessions.issue({ memberId: portal.memberId, userId: user.id, isAdmin: user.isAdmin, lang, name: user.name });
      services.directory.installed(portal.memberId);
      setFramePageHeaders(res, ancestors);
      res.type('html').send(
        renderAppShell(services.ui.template, {
          mode: 'install',
          lang,
          session,
          user,
          portal: { domain: portal.domain },
        }),
      );
    } catch (error: unknown) {
      sendFrameError(services, res, error, { lang });
    }
  };
}
