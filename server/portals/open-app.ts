import type { BackgroundTasks } from '../background.js';
import { unixSeconds } from '../clock.js';
import type { DirectoryService } from '../directory/directory-service.js';
import { ConflictError, ForbiddenError, NotFoundError } from '../errors.js';
import type { Lang } from '../manifest.js';
import type { FrameBody } from '../bitrix/schemas.js';
import { installationOrigin, type Installation } from './installation-record.js';
import type { Manifest } from '../manifest.js';
import {
  AppAccessDeniedError,
  PlacementAccessDeniedError,
  askLines,
  decideOpen,
  decidePlacement,
  type DecisionDeps,
  type PlacementFeature,
} from './open-decision.js';
import { resolvePlacement, type Entry } from './open-placement.js';
import { identifyOpener, verifyOpenerToken, type OpenerDeps } from './opener.js';
import type { PortalUser } from './verification.js';

export { AppAccessDeniedError } from './open-decision.js';

/** What opening the app needs. */
export interface OpenAppDeps extends OpenerDeps, DecisionDeps {
  background: BackgroundTasks;
  directory: DecisionDeps['directory'] & Pick<DirectoryService, 'syncIfIdle'>;
  manifest: Pick<Manifest, 'features' | 'levels'>;
}

/** Opened in a feature's placement: which, with its options (`GROUP_ID`…), for the page that shows it. */
export interface OpenedPlacement {
  code: string;
  options: Record<string, string>;
  feature: string;
}

/** What `POST /app` renders: the app for a verified user the access settings let in, or a refusal page. */
export type OpenAppOutcome =
  | {
      opened: true;
      installation: Installation;
      user: PortalUser;
      /** Set when opened in a feature's placement: the client shows that placement's page alone. */
      placement?: OpenedPlacement;
      /** Set when a link into the app (`REST_APP_URI`) names a view to open. */
      entry?: Entry;
    }
  | {
      opened: false;
      error: unknown;
      /** The installation's origin, when one is stored: its own refusal pages are framed by it. */
      frameOrigin: string | undefined;
      /** Lines shown under the refusal (the people to ask for access). */
      lines: string[] | undefined;
      /** Who was refused by Keycard's access settings (APP_ACCESS_DENIED): they may ask for access. */
      denied?: { memberId: string; user: PortalUser } | undefined;
      /** Denied in a feature's placement: the compact page names the feature, and a request asks for it. */
      placement?: PlacementFeature;
    };

/** `lastOpenedAt` is kept to the hour: one write an hour per portal at most. */
const OPENED_PRECISION_MS = 3_600_000;

/**
 * `POST /app`, the handler URL: the token is verified with the OAuth server first (opener.ts) — until then,
 * whatever Keycard holds for the `member_id` (nothing, a blocked or a removed installation) makes no difference
 * to the answer — then the installation's state is checked, the user identified on the portal, and Keycard's
 * own access settings decide (open-decision.ts). The request's DOMAIN is never called. Never throws: every
 * failure becomes a refusal outcome, framed by the installation's origin once the token is verified.
 */
export async function openApp(deps: OpenAppDeps, body: FrameBody, lang: Lang): Promise<OpenAppOutcome> {
  let frameOrigin: string | undefined;
  let opener: { memberId: string; user: PortalUser } | undefined;
  // Opened in a feature's placement: any refusal there is the compact page of that tab, naming the feature.
  let inTab: PlacementFeature | undefined;
  try {
    // A placement Keycard does not bind is refused before anything is asked of Bitrix24.
    const place = resolvePlacement(deps.manifest, body.PLACEMENT, body.PLACEMENT_OPTIONS);
    if (place.kind === 'feature') {
      const feature = deps.manifest.features.find((item) => item.key === place.feature);
      inTab = { code: place.code, feature: place.feature, featureTitle: feature?.title[lang] ?? place.feature };
    }
    const stored = await deps.installations.get(body.member_id);
    const verified = await verifyOpenerToken(deps, stored, body);
    // Verified: the portal's own pages (reinstall needed, blocked…) are framed by its origin.
    if (stored !== undefined) frameOrigin = installationOrigin(stored);
    assertOpenable(stored);
    const { installation, user } = await identifyOpener(deps, stored, verified, body);
    frameOrigin = installationOrigin(installation);
    opener = { memberId: installation.memberId, user };
    // Keycard's own access settings, on top of Bitrix24's: a denied user gets a page naming whom to ask.
    const decided = await decideOpen(deps, installation, user, lang);
    if (place.kind === 'feature' && inTab !== undefined)
      await decidePlacement(deps, installation.memberId, decided, { ...inTab, level: place.level }, lang);
    afterOpen(deps, installation, user, body);
    if (place.kind === 'feature') {
      const placement = { code: place.code, options: place.options, feature: place.feature };
      return { opened: true, installation, user, placement };
    }
    return { opened: true, installation, user, ...(place.entry === undefined ? {} : { entry: place.entry }) };
  } catch (error: unknown) {
    const denied = error instanceof AppAccessDeniedError;
    const lines = denied ? askLines(error.askNames, lang) : undefined;
    const placement = error instanceof PlacementAccessDeniedError ? error.placement : inTab;
    return {
      opened: false,
      error,
      frameOrigin,
      lines,
      denied: denied ? opener : undefined,
      ...(placement === undefined ? {} : { placement }),
    };
  }
}

/** An installation that may be opened: active, or one an administrator opening it can heal. */
function assertOpenable(installation: Installation | undefined): asserts installation is Installation {
  switch (installation?.state) {
    case 'active':
    case 'needs_reinstall':
      return;
    case 'new':
      throw new ConflictError('INSTALL_UNFINISHED', 'The installation is not finished.');
    case 'blocked':
      throw new ForbiddenError('PORTAL_BLOCKED', 'This portal is blocked.');
    default:
      throw new NotFoundError('NOT_INSTALLED', 'The app is not installed on this portal.');
  }
}

/**
 * After the response: an admin's fresh tokens are kept as a standby connection (the connection belongs to a
 * person, who may leave); an installer who is no longer an admin hands the connection to a standby admin; the
 * portal is marked in use (the scheduled reconcile visits only portals people use), and a mirror left alone
 * while nobody used the app is synced again.
 */
function afterOpen(deps: OpenAppDeps, installation: Installation, user: PortalUser, body: FrameBody): void {
  const { memberId } = installation;
  const { vault, background, clock } = deps;
  if (user.isAdmin === true && body.REFRESH_ID !== undefined) {
    const expiresAt = unixSeconds(clock) + body.AUTH_EXPIRES;
    const connection = { userId: user.id, accessToken: body.AUTH_ID, refreshToken: body.REFRESH_ID, expiresAt };
    background.run('keep an admin connection', () => vault.adoptAdminConnection(memberId, connection));
  } else if (user.isAdmin === false) {
    background.run('hand over a demoted admin connection', () => vault.preferStandbyOver(memberId, user.id));
  }
  const now = clock.now();
  if (now - (installation.lastOpenedAt ?? 0) >= OPENED_PRECISION_MS) {
    background.run('sync an idle mirror', () => deps.directory.syncIfIdle(memberId));
    background.run('mark the portal in use', () =>
      deps.installations.update(memberId, (latest) =>
        latest === undefined || latest.state === 'deleted' ? undefined : { ...latest, lastOpenedAt: now },
      ),
    );
  }
}
