import { Router } from 'express';
import { z } from 'zod';
import type { AccessService } from '../../access/access-service.js';
import type { AppAdmins } from '../../access/app-admins.js';
import { groupAccess } from '../../access/group-access.js';
import { BadRequestError } from '../../errors.js';
import { lowestLevel, type Manifest } from '../../manifest.js';
import { manifestView } from '../../access/policy-view.js';
import type { ResourceCatalog } from '../../stock/resource-catalog.js';
import { accessContext, accessGuards } from '../require-access.js';
import { requestContext } from '../require-session.js';

const groupIdParam = z.object({
  groupId: z
    .string()
    .regex(/^[1-9]\d{0,11}$/)
    .transform(Number),
});

/** The feature a manifest shows in `placement`, with its lowest level; undefined when no feature claims it. */
function featureOn(manifest: Manifest, placement: string): { feature: string; level: string } | undefined {
  const feature = manifest.features.find((item) => item.placements?.some((bound) => bound.code === placement));
  if (feature === undefined) return undefined;
  const level = lowestLevel(manifest, feature);
  return level === undefined ? undefined : { feature: feature.key, level };
}

/**
 * The APIs behind placement pages (mounted behind requireSession), each guarded by the feature the manifest puts on
 * its placement (the sample: `group_access` on SONET_GROUP_DETAIL_TAB) — the same check that POST /app makes before
 * showing the placement. A manifest without that placement has no such API.
 */
export function placementsRouter(deps: {
  access: AccessService;
  manifest: Manifest;
  appAdmins: AppAdmins;
  resources: ResourceCatalog;
}): Router {
  const router = Router();
  const { requireFeature } = accessGuards(deps);

  // The workgroup tab: who in the group may use Keycard, and how.
  const groupTab = featureOn(deps.manifest, 'SONET_GROUP_DETAIL_TAB');
  if (groupTab !== undefined) {
    router.get(
      '/placements/group-access/:groupId',
      requireFeature(groupTab.feature, groupTab.level),
      async (req, res) => {
        const parsed = groupIdParam.safeParse(req.params);
        if (!parsed.success) throw new BadRequestError('INVALID_GROUP', 'Give the workgroup as its Bitrix24 ID.');
        const { session, installation } = requestContext(req);
        const context = await accessContext(deps, req);
        const { memberId } = installation;
        const access = await groupAccess(deps, memberId, context, session, parsed.data.groupId);
        // The titles of features and levels, so the tab names them without the policy (which needs access.manage).
        res.json({ ...access, manifest: await manifestView(deps.manifest, deps.resources, memberId, session.lang) });
      },
    );
  }

  return router;
}
