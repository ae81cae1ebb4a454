import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { harness, isolateNetwork, testPortal } from '../support/harness.js';
import { installScopes, installerRequest } from '../support/bitrix-nock.js';
import { storedPortal } from '../support/install-portal.js';

/*
 * Enterprise portals allow 5 requests/s with a burst of 250, others 2/s with 50 (limits.md). The install reads
 * the plan from the portal's app.info and every request to the portal is paced by it.
 */

const acme = testPortal('acme');

async function installWith(plan: { license: string; licenseFamily: string | null }) {
  const h = harness();
  const scopes = installScopes(acme, plan);
  const { query, body } = installerRequest(acme, { body: { APPLICATION_TOKEN: acme.applicationToken } });
  expect((await h.request.post('/install').query(query).type('form').send(body)).status).toBe(200);
  for (const scope of scopes) scope.done();
  return h;
}

describe('the portal plan sets its request limits', () => {
  beforeEach(isolateNetwork);
  afterEach(() => nock.cleanAll());

  it('an Enterprise portal gets 5/s with a burst of 250', async () => {
    const h = await installWith({ license: 'de_ent250', licenseFamily: 'ent' });
    expect((await storedPortal(h, acme.memberId)).licenseFamily).toBe('ent');
    await h.services.clients.forPortal(acme.memberId);
    expect(h.services.budgets.forPortal(acme.memberId).limits).toEqual({ drainPerSecond: 5, burst: 250 });
  });

  it('a self-hosted portal (no family) keeps 2/s with 50', async () => {
    const h = await installWith({ license: 'en_selfhosted', licenseFamily: null });
    expect((await storedPortal(h, acme.memberId)).licenseFamily).toBeUndefined();
    await h.services.clients.forPortal(acme.memberId);
    expect(h.services.budgets.forPortal(acme.memberId).limits).toEqual({ drainPerSecond: 2, burst: 50 });
  });

  it('a plan recorded later (an update) changes the limits of the running budget', async () => {
    const h = await installWith({ license: 'en_basic', licenseFamily: 'basic' });
    await h.services.clients.forPortal(acme.memberId);
    const budget = h.services.budgets.forPortal(acme.memberId);
    expect(budget.limits.burst).toBe(50);
    await h.services.installations.update(acme.memberId, (latest) => latest && { ...latest, licenseFamily: 'ent' });
    await h.services.clients.forPortal(acme.memberId);
    expect(budget.limits.burst).toBe(250);
  });
});
