import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { harness, isolateNetwork, OAUTH, testPortal } from '../support/harness.js';
import { oauthAppInfo, portalCall } from '../support/bitrix-nock.js';
import { installPortal, storedPortal } from '../support/install-portal.js';

/*
 * Bitrix24 asks apps not to renew tokens on a timer (settings/oauth/auto-renewal.md) and does not redeliver a
 * lost ONAPPUNINSTALL. So an installation Bitrix24 calls removed or refuses for good is stopped, in a state
 * someone can see, instead of being synced (and its token renewed) every hour for ever.
 */

const acme = testPortal('acme');
const DAY = 86_400_000;

type Harness = ReturnType<typeof harness>;

async function installed(): Promise<Harness> {
  const h = harness();
  await installPortal(h, acme);
  return h;
}

/** What the scheduled reconcile would visit now. */
async function inUse(h: Harness): Promise<string[]> {
  return h.services.installations.listInUse(h.clock.now() - 14 * DAY);
}

async function expireStoredToken(h: Harness): Promise<void> {
  const portal = await storedPortal(h, acme.memberId);
  const tokens = h.services.vault.open(portal);
  if (tokens === undefined) throw new Error('no tokens');
  await h.services.installations.save(h.services.vault.seal(portal, { ...tokens, expiresAt: 1 }));
}

async function callPortal(h: Harness): Promise<unknown> {
  const client = await h.services.clients.forPortal(acme.memberId);
  return client.call('user.get', { ID: 1 }).catch((error: unknown) => error);
}

describe('dead installations stop', () => {
  beforeEach(isolateNetwork);
  afterEach(() => nock.cleanAll());

  it('a call answered APPLICATION_NOT_FOUND makes Keycard ask; confirmed removed, the installation is uninstalled (data kept)', async () => {
    const h = await installed();
    expect(await inUse(h)).toEqual([acme.memberId]);
    portalCall(acme, 'user.get', { error: [401, 'APPLICATION_NOT_FOUND'] });
    oauthAppInfo(acme, { reply: [401, { error: 'NOT_INSTALLED', error_description: 'Application not installed' }] });
    expect(await callPortal(h)).toMatchObject({ bitrixCode: 'APPLICATION_NOT_FOUND' });
    await h.background.idle();
    const portal = await storedPortal(h, acme.memberId);
    expect(portal.state).toBe('deleted');
    expect(portal.secrets).toBeUndefined();
    expect(await inUse(h)).toEqual([]);
  });

  it('an unconfirmed "not installed" stops the schedule while the uninstall is checked; a working answer resumes it', async () => {
    const h = await installed();
    portalCall(acme, 'user.get', { error: [401, 'APPLICATION_NOT_FOUND'] });
    oauthAppInfo(acme, { reply: [503, { error: 'SERVICE_UNAVAILABLE' }] });
    await callPortal(h);
    await h.background.idle();
    const pending = await storedPortal(h, acme.memberId);
    expect(pending.state).toBe('active');
    expect(pending.uninstall).toMatchObject({ clean: false, checks: 1 });
    expect(await inUse(h)).toEqual([]);

    h.clock.advance(2 * 60_000);
    oauthAppInfo(acme);
    expect(await h.services.uninstallChecks.runDue()).toBe(1);
    expect((await storedPortal(h, acme.memberId)).uninstall).toBeUndefined();
    expect(await inUse(h)).toEqual([acme.memberId]);
  });

  it('a renewal refused with invalid_client and no standby connection stops the installation until an admin opens it', async () => {
    const h = await installed();
    await expireStoredToken(h);
    const refresh = nock(OAUTH)
      .post('/oauth/token/')
      .reply(401, { error: 'invalid_client', error_description: 'The application may not be installed' });
    expect(await callPortal(h)).toMatchObject({ bitrixCode: 'invalid_client' });
    refresh.done();
    expect((await storedPortal(h, acme.memberId)).state).toBe('needs_reinstall');
    expect(await inUse(h)).toEqual([]);
  });

  it('a portal nobody has opened for two weeks is not visited; opening it again brings it back', async () => {
    const h = await installed();
    h.clock.advance(15 * DAY);
    expect(await inUse(h)).toEqual([]);
    await h.services.installations.update(
      acme.memberId,
      (latest) => latest && { ...latest, lastOpenedAt: h.clock.now() },
    );
    expect(await inUse(h)).toEqual([acme.memberId]);
  });
});
