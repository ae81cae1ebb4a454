import { describe, expect, it } from 'vitest';
import { ENTERPRISE_LIMITS, STANDARD_LIMITS } from '../../server/bitrix/rate-budget.js';
import { limitsOfPlan, planFamily } from '../../server/portals/portal-plan.js';

describe('the portal plan from app.info', () => {
  it.each([
    ['the cloud docs example', { LICENSE: 'de_ent10000', LICENSE_TYPE: 'ent10000', LICENSE_FAMILY: 'ent' }, 'ent'],
    ['an Enterprise LICENSE without a family', { LICENSE: 'ru_ent250' }, 'ent'],
    ['a smaller plan', { LICENSE: 'en_basic', LICENSE_TYPE: 'basic', LICENSE_FAMILY: 'basic' }, 'basic'],
    ['a self-hosted portal (no family)', { LICENSE: 'en_selfhosted' }, undefined],
    // What the jssdk compares against: the word alone is no plan Bitrix24 reports.
    ['the jssdk spelling', { LICENSE: 'enterprise' }, undefined],
    ['a webhook answer without a licence', { SCOPE: ['user'] }, undefined],
    ['garbage', 'nope', undefined],
  ])('%s', (_name, appInfo, family) => {
    expect(planFamily(appInfo)).toBe(family);
  });

  it('gives Enterprise 5 requests/s with a burst of 250 and every other plan 2/s with 50 (limits.md)', () => {
    expect(limitsOfPlan('ent')).toEqual({ drainPerSecond: 5, burst: 250 });
    expect(limitsOfPlan('ent')).toBe(ENTERPRISE_LIMITS);
    for (const family of ['basic', 'pro']) expect(limitsOfPlan(family)).toBe(STANDARD_LIMITS);
    // Unknown (self-hosted, or not read yet): the budgets' defaults, the standard limits unless configured.
    expect(limitsOfPlan(undefined)).toBeUndefined();
  });
});
