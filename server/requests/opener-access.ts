import { canOpen, evaluate, verifiedActive } from '../access/index.js';
import type { AccessService } from '../access/access-service.js';
import { lowestLevel, type Lang, type Manifest } from '../manifest.js';

/** A person who asks: verified by Bitrix24 when they opened the app (carried by the request ticket). */
export interface Asker {
  memberId: string;
  userId: string;
  name: string;
  isAdmin: boolean | null;
  lang: Lang;
  /** The feature they lacked (a placement); absent when they could not open the app at all. */
  feature?: string | undefined;
}

/**
 * Whether the asker gets in now under the current policy and mirror: the app (or, for a placement, the feature's
 * lowest level). A person the mirror does not know, or has as fired, is decided on their own code, as POST /app
 * decides (Bitrix24 let them in just now).
 */
export async function hasAccessNow(
  deps: { access: Pick<AccessService, 'context'>; manifest: Manifest },
  asker: Asker,
): Promise<boolean> {
  const id = Number(asker.userId);
  const context = await deps.access.context(asker.memberId, asker.lang, { id, isAdmin: asker.isAdmin });
  const subject = verifiedActive(context.subject);
  if (!canOpen(context.index, subject).allowed) return false;
  const feature = deps.manifest.features.find((item) => item.key === asker.feature);
  const level = feature === undefined ? undefined : lowestLevel(deps.manifest, feature);
  if (feature === undefined || level === undefined) return true;
  return evaluate(context.index, subject, { feature: feature.key, level }).allowed;
}
