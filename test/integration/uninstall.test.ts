import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { harness, isolateNetwork, OAUTH, testPortal, type TestPortal } from '../support/harness.js';
import { oauthAppInfo, portalCall } from '../support/bitrix-nock.js';
import { installPortal, storedPortal } from '../support/install-portal.js';

/*
 * ONAPPUNINSTALL as real Bitrix24 confirms it (module rest/lib/oauth/auth.php; b24pysdk errors): the OAuth
 * server answers NOT_INSTALLED for a removed app's token; the portal answers APPLICATION_NOT_FOUND (token still
 * in its cache) or ERROR_OAUTH "Application not installed". Anything else keeps the uninstall pending, checked
 * again with back-off; a connection that still works drops it as forged, in every state.
 */

const acme = testPortal('acme');
const DAY = 86_400_000;

function uninstallEvent(portal: TestPortal, clean: 0 | 1) {
  return {
    event: 'ONAPPUNINSTALL',
    data: { LANGUAGE_ID: 'en', CLEAN: clean },
    ts: String(Date.now()),
    auth: {
      domain: portal.host,
      member_id: portal.memberId,
      application_token: portal.applicationToken,
      server_endpoint: `${OAUTH}/rest/`,
    },
  };
}

/** The OAuth server no longer knows the token (it was revoked): on its own, not proof of an uninstall. */
function tokenUnknownToOAuth(portal: TestPortal, times = 1) {
  return oauthAppInfo(portal, {
    reply: [401, { error: 'invalid_token', error_description: 'The access token provided is invalid.' }],
    times,
  });
}

async function installed() {
  const h = harness();
  await installPortal(h, acme);
  return h;
}

describe('ONAPPUNINSTALL confirmed the way Bitrix24 answers', () => {
  beforeEach(isolateNetwork);
  afterEach(() => nock.cleanAll());

  it('the portal answering APPLICATION_NOT_FOUND (the token still in its cache) confirms it: data purged', async () => {
    const h = await installed();
    tokenUnknownToOAuth(acme);
    const portal = portalCall(acme, 'app.info', { error: [401, 'APPLICATION_NOT_FOUND'] });
    const res = await h.request.post('/events').send(uninstallEvent(acme, 1));
    expect(res.body).toEqual({ result: 'accepted' });
    portal.done();
    await h.background.idle();
    expect(await h.services.installations.get(acme.memberId)).toBeUndefined();
  });

  it('the portal relaying ERROR_OAUTH "Application not installed" confirms it', async () => {
    const h = await installed();
    tokenUnknownToOAuth(acme);
    nock(acme.origin)
      .post('/rest/app.info')
      .query(true)
      .reply(401, { error: 'ERROR_OAUTH', error_description: 'Application not installed' });
    await h.request.post('/events').send(uninstallEvent(acme, 0));
    const portal = await storedPortal(h, acme.memberId);
    expect(portal.state).toBe('deleted');
    expect(portal.secrets).toBeUndefined();
  });

  it('an answer Keycard does not recognise keeps it pending, checked with back-off until Bitrix24 keeps refusing for days', async () => {
    const h = await installed();
    // Words Keycard does not know, wherever it asks: the OAuth server, the portal, the token endpoint (once the
    // stored access token has expired).
    const refuse = () => {
      nock.cleanAll();
      tokenUnknownToOAuth(acme);
      nock(acme.origin)
        .post('/rest/app.info')
        .query(true)
        .reply(401, { error: 'APP_GONE_SOMEHOW', error_description: 'new wording' });
      nock(OAUTH).post('/oauth/token/').reply(400, { error: 'APP_GONE_SOMEHOW', error_description: 'new wording' });
    };
    refuse();
    expect((await h.request.post('/events').send(uninstallEvent(acme, 1))).body).toEqual({ result: 'accepted' });
    let portal = await storedPortal(h, acme.memberId);
    expect(portal.state).toBe('active');
    expect(portal.uninstall).toMatchObject({ clean: true, checks: 1, refusals: 1, workedBefore: true });
    expect((await h.services.installations.index())[acme.memberId]?.uninstallCheckAt).toBe(
      portal.uninstall?.nextCheckAt,
    );

    // Not due yet: nothing is asked.
    expect(await h.services.uninstallChecks.runDue()).toBe(0);
    // Each check comes when its back-off says; refusals pile up, and after three days the uninstall stands.
    for (let check = 2; ; check++) {
      h.clock.advance((portal.uninstall?.nextCheckAt ?? 0) - h.clock.now() + 1);
      refuse();
      expect(await h.services.uninstallChecks.runDue()).toBe(1);
      await h.background.idle();
      const latest = await h.services.installations.get(acme.memberId);
      if (latest === undefined) break;
      portal = latest;
      expect(portal.uninstall?.refusals).toBe(check);
      expect(check).toBeLessThan(12);
    }
    expect(h.clock.now() - (portal.uninstall?.requestedAt ?? 0)).toBeGreaterThanOrEqual(3 * DAY - 60_000);
  });

  it('a check that gets no answer at all counts for nothing; a later one that finds the app working drops the event', async () => {
    const h = await installed();
    oauthAppInfo(acme, { reply: [503, { error: 'SERVICE_UNAVAILABLE' }] });
    expect((await h.request.post('/events').send(uninstallEvent(acme, 1))).body).toEqual({ result: 'accepted' });
    const pending = await storedPortal(h, acme.memberId);
    expect(pending.uninstall).toMatchObject({ checks: 1, refusals: 0 });

    h.clock.advance(2 * 60_000);
    oauthAppInfo(acme);
    expect(await h.services.uninstallChecks.runDue()).toBe(1);
    const kept = await storedPortal(h, acme.memberId);
    expect(kept.state).toBe('active');
    expect(kept.uninstall).toBeUndefined();
    expect(h.services.vault.open(kept)?.accessToken).toBe(acme.adminToken);
  });

  it.each(['blocked', 'needs_reinstall'] as const)(
    'a forged uninstall of a %s installation is dropped too: its tokens still work, its data stays',
    async (state) => {
      const h = await installed();
      await h.services.installations.update(acme.memberId, (current) => current && { ...current, state });
      oauthAppInfo(acme);
      expect((await h.request.post('/events').send(uninstallEvent(acme, 1))).body).toEqual({ result: 'ignored' });
      await h.background.idle();
      const portal = await storedPortal(h, acme.memberId);
      expect(portal.state).toBe(state);
      expect(portal.uninstall).toBeUndefined();
      expect(await h.services.policies.currentVersion(acme.memberId)).toBe(0);
      expect(h.services.vault.open(portal)?.applicationToken).toBe(acme.applicationToken);
    },
  );

  it('an expired token is renewed at the OAuth server first; the renewed pair is kept, and NOT_INSTALLED confirms', async () => {
    const h = await installed();
    const portal = await storedPortal(h, acme.memberId);
    const tokens = h.services.vault.open(portal);
    if (tokens === undefined) throw new Error('no tokens');
    await h.services.installations.save(h.services.vault.seal(portal, { ...tokens, expiresAt: 1 }));
    // A removed app cannot be renewed: the OAuth server refuses it as not installed.
    const refresh = nock(OAUTH)
      .post('/oauth/token/')
      .reply(401, { error: 'NOT_INSTALLED', error_description: 'Application not installed' });
    await h.request.post('/events').send(uninstallEvent(acme, 0));
    refresh.done();
    expect((await storedPortal(h, acme.memberId)).state).toBe('deleted');
  });
});
