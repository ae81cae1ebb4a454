import { z } from 'zod';
import { ENTERPRISE_LIMITS, STANDARD_LIMITS, type RateLimits } from '../bitrix/rate-budget.js';
import type { BitrixClient } from '../bitrix/sdk-client.js';

/**
 * A portal's Bitrix24 plan, which sets its request limits: Enterprise 5 requests/s with a burst of 250, every
 * other plan 2/s with 50 (api-reference/common/limits.md → "Enterprise | 5 per sec | 250").
 *
 * The portal's `app.info` names the plan: cloud portals answer `LICENSE` (`de_ent250`) with `LICENSE_TYPE`
 * (`ent250`) and `LICENSE_FAMILY` (`ent`); self-hosted ones answer `LICENSE` `<lang>_selfhosted` and no family
 * (api-reference/common/system/app-info.md; module source rest_provider.php appInfo). The jssdk's own check
 * compares the whole LICENSE to 'enterprise' and so never matches; Keycard reads the family, or the `_ent`
 * suffix of LICENSE when the family is missing. Anything else keeps the conservative limits.
 */
const planSchema = z.object({
  LICENSE: z.string().optional(),
  LICENSE_FAMILY: z.string().optional(),
});

const ENTERPRISE_LICENSE = /^[a-z]{2,3}_ent\d*$/i;

/** The plan family of an `app.info` answer (`ent` for any Enterprise plan), or undefined when it names none. */
export function planFamily(appInfo: unknown): string | undefined {
  const parsed = planSchema.safeParse(appInfo);
  if (!parsed.success) return undefined;
  const { LICENSE: license, LICENSE_FAMILY: family } = parsed.data;
  if (family !== undefined && family !== '') return family.toLowerCase();
  return license !== undefined && ENTERPRISE_LICENSE.test(license) ? 'ent' : undefined;
}

/** The request limits of a plan family; undefined for an unknown plan (the budgets' defaults apply). */
export function limitsOfPlan(family: string | undefined): RateLimits | undefined {
  if (family === undefined) return undefined;
  return family === 'ent' ? ENTERPRISE_LIMITS : STANDARD_LIMITS;
}

/** Asks the portal for its plan; undefined when it does not say (or the call fails: the limits stay conservative). */
export async function readPlan(client: BitrixClient): Promise<string | undefined> {
  try {
    return planFamily(await client.call('app.info'));
  } catch {
    return undefined;
  }
}
