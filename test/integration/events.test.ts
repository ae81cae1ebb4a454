import { Keyv } from 'keyv';
import nock from 'nock';
import { DocumentInstallationRepository } from '../../server/portals/installation-repository.js';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { harness, isolateNetwork, OAUTH, testPortal, type TestPortal } from '../support/harness.js';
import { installScopes, installerRequest, oauthAppInfo, portalCall, tokenRefresh } from '../support/bitrix-nock.js';
import { installPortal, storedPortal } from '../support/install-portal.js';

const acme = testPortal('acme');

function uninstallForm(portal: TestPortal, clean: 0 | 1, applicationToken = portal.applicationToken) {
  return {
    event: 'ONAPPUNINSTALL',
    'data[LANGUAGE_ID]': 'en',
    'data[CLEAN]': String(clean),
    ts: '1466439714',
    'auth[domain]': portal.host,
    'auth[server_endpoint]': `${OAUTH}/rest/`,
    'auth[client_endpoint]': `${portal.origin}/rest/`,
    'auth[member_id]': portal.memberId,
    'auth[application_token]': applicationToken,
  };
}

/**
 * After a real uninstall the OAuth server says so for the installation's token: 401 NOT_INSTALLED "Application
 * not installed" (b24pysdk errors/oauth.py BitrixOAuthNotInstalled). That is how a genuine event is told apart.
 */
function tokenRevoked(portal: TestPortal) {
  return oauthAppInfo(portal, {
    reply: [401, { error: 'NOT_INSTALLED', error_description: 'Application not installed' }],
  });
}

function installEvent(portal: TestPortal, accessToken: string) {
  return {
    event: 'ONAPPINSTALL',
    data: { VERSION: '1', ACTIVE: 'Y', INSTALLED: 'Y', LANGUAGE_ID: 'ru' },
    ts: '1696527000',
    auth: {
      domain: portal.host,
      scope: 'user_brief,department,placement',
      access_token: accessToken,
      refresh_token: portal.refreshToken,
      expires_in: 3600,
      expires: '1762093575',
      user_id: '1',
      server_endpoint: `${OAUTH}/rest/`,
      status: 'F',
      client_endpoint: `${portal.origin}/rest/`,
      member_id: portal.memberId,
      application_token: portal.applicationToken,
    },
  };
}

describe('POST /events ONAPPUNINSTALL', () => {
  beforeEach(isolateNetwork);
  afterEach(() => nock.cleanAll());

  it('a wrong application token → 401 and nothing deleted', async () => {
    const h = harness();
    await installPortal(h, acme);
    const res = await h.request
      .post('/events')
      .type('form')
      .send(uninstallForm(acme, 1, 'forged-token'));
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ error: 'EVENT_NOT_VERIFIED', message: expect.any(String) });
    const portal = await storedPortal(h, acme.memberId);
    expect(portal.state).toBe('active');
    expect(h.services.vault.open(portal)?.accessToken).toBe(acme.adminToken);
  });

  it('without CLEAN: tokens deleted, installation kept as deleted', async () => {
    const h = harness();
    await installPortal(h, acme);
    const confirm = tokenRevoked(acme);
    const res = await h.request.post('/events').type('form').send(uninstallForm(acme, 0));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ result: 'accepted' });
    confirm.done();
    const portal = await storedPortal(h, acme.memberId);
    expect(portal.state).toBe('deleted');
    expect(portal.secrets).toBeUndefined();
  });

  it('with CLEAN=1: all of the portal’s data purged', async () => {
    const h = harness();
    await installPortal(h, acme);
    tokenRevoked(acme);
    const res = await h.request.post('/events').type('form').send(uninstallForm(acme, 1));
    expect(res.status).toBe(200);
    // Tokens are gone before the reply; the purge follows it.
    expect((await h.services.installations.get(acme.memberId))?.secrets).toBeUndefined();
    await h.background.idle();
    expect(await h.services.installations.get(acme.memberId)).toBeUndefined();
    const backing: unknown = h.store.store;
    expect(backing).toBeInstanceOf(Map);
    expect(
      [...(backing instanceof Map ? backing.keys() : [])].filter((key) => String(key).includes(acme.memberId)),
    ).toEqual([]);
  });

  it('a replayed uninstall and an unknown portal are no-ops, never 5xx', async () => {
    const h = harness();
    await installPortal(h, acme);
    tokenRevoked(acme);
    expect((await h.request.post('/events').type('form').send(uninstallForm(acme, 0))).status).toBe(200);
    const replay = await h.request.post('/events').type('form').send(uninstallForm(acme, 0));
    expect(replay.status).toBe(200);
    expect(replay.body).toEqual({ result: 'ignored' });
    const unknown = await h.request
      .post('/events')
      .type('form')
      .send(uninstallForm(testPortal('nobody'), 1));
    expect(unknown.status).toBe(200);
    expect(unknown.body).toEqual({ result: 'ignored' });
  });

  it('a forged uninstall with the (widely visible) application token is refused while Bitrix24 still serves the app', async () => {
    const h = harness();
    await installPortal(h, acme);
    // The OAuth server still vouches for the installation's token: the app is installed.
    const confirm = oauthAppInfo(acme);
    const res = await h.request.post('/events').type('form').send(uninstallForm(acme, 1));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ result: 'ignored' });
    confirm.done();
    await h.background.idle();
    const portal = await storedPortal(h, acme.memberId);
    expect(portal.state).toBe('active');
    expect(h.services.vault.open(portal)?.accessToken).toBe(acme.adminToken);
  });

  it('accepts the JSON form of the event too', async () => {
    const h = harness();
    await installPortal(h, acme);
    tokenRevoked(acme);
    const res = await h.request.post('/events').send({
      event: 'onappuninstall',
      data: { CLEAN: 1 },
      auth: { member_id: acme.memberId, application_token: acme.applicationToken, domain: acme.host },
    });
    expect(res.status).toBe(200);
    await h.background.idle();
    expect(await h.services.installations.get(acme.memberId)).toBeUndefined();
  });

  it('a store outage answers 503 with a code and changes nothing', async () => {
    const h = harness();
    await installPortal(h, acme);
    // The store itself fails (installation records are cached after a write: drop the cache first).
    h.services.installations = new DocumentInstallationRepository({ documents: h.services.documents });
    const failing = vi.spyOn(h.store, 'get').mockRejectedValue(new Error('SQLITE_BUSY: database is locked'));
    const res = await h.request.post('/events').type('form').send(uninstallForm(acme, 1));
    failing.mockRestore();
    expect(res.status).toBe(503);
    expect(res.body.error).toBe('STORE_UNAVAILABLE');
    expect((await storedPortal(h, acme.memberId)).state).toBe('active');
  });

  it('malformed event payloads → 400, nothing changed', async () => {
    const h = harness();
    await installPortal(h, acme);
    for (const payload of [
      {},
      { event: 'ONAPPUNINSTALL' },
      { event: 'ONAPPUNINSTALL', auth: { member_id: acme.memberId } },
    ]) {
      const res = await h.request.post('/events').send(payload);
      expect(res.status).toBe(400);
      expect(res.body.error).toBe('BAD_EVENT');
    }
    expect((await h.services.installations.get(acme.memberId))?.state).toBe('active');
  });
});

describe('POST /events ONAPPINSTALL', () => {
  beforeEach(isolateNetwork);
  afterEach(() => nock.cleanAll());

  it('arriving before the installer: verified, then stored as new with its application token', async () => {
    const h = harness();
    const oauth = oauthAppInfo(acme, { token: 'event-access-token' });
    portalCall(acme, 'profile', { token: 'event-access-token', result: { ID: '1', ADMIN: true, NAME: 'Anna' } });
    const res = await h.request.post('/events').send(installEvent(acme, 'event-access-token'));
    expect(res.status).toBe(200);
    await h.background.idle();
    oauth.done();
    const portal = await storedPortal(h, acme.memberId);
    expect(portal).toMatchObject({ state: 'new', lang: 'ru' });
    expect(h.services.vault.open(portal)).toMatchObject({
      accessToken: 'event-access-token',
      applicationToken: acme.applicationToken,
    });

    // The installer then completes it; posting no application token of its own, it keeps the event's.
    const scopes = installScopes(acme);
    const { query, body } = installerRequest(acme);
    expect((await h.request.post('/install').query(query).type('form').send(body)).status).toBe(200);
    for (const scope of scopes) scope.done();
    const installed = await storedPortal(h, acme.memberId);
    expect(installed.state).toBe('active');
    expect(h.services.vault.open(installed)?.applicationToken).toBe(acme.applicationToken);
  });

  it('arriving after the installer: stores the application token, keeps the installation active', async () => {
    const h = harness();
    const scopes = installScopes(acme);
    const { query, body } = installerRequest(acme);
    await h.request.post('/install').query(query).type('form').send(body);
    for (const scope of scopes) scope.done();
    oauthAppInfo(acme, { token: 'event-access-token' });
    portalCall(acme, 'profile', { token: 'event-access-token', result: { ID: '1', ADMIN: true, NAME: 'Anna' } });
    await h.request.post('/events').send(installEvent(acme, 'event-access-token'));
    await h.background.idle();
    const portal = await storedPortal(h, acme.memberId);
    expect(portal.state).toBe('active');
    expect(h.services.vault.open(portal)).toMatchObject({
      accessToken: acme.adminToken,
      applicationToken: acme.applicationToken,
    });
  });

  it('an employee’s own tokens with the (widely visible) application token store nothing', async () => {
    const h = harness();
    oauthAppInfo(acme, { token: 'employee-token' });
    portalCall(acme, 'profile', { token: 'employee-token', result: { ID: '42', ADMIN: false, NAME: 'Eve' } });
    await h.request.post('/events').send(installEvent(acme, 'employee-token'));
    await h.background.idle();
    expect(await h.services.installations.get(acme.memberId)).toBeUndefined();
  });

  it('a token the OAuth server does not vouch for stores nothing', async () => {
    const h = harness();
    oauthAppInfo(acme, { token: 'forged', reply: [401, { error: 'invalid_token' }] });
    const res = await h.request.post('/events').send(installEvent(acme, 'forged'));
    expect(res.status).toBe(200);
    await h.background.idle();
    expect(await h.services.installations.get(acme.memberId)).toBeUndefined();
  });

  it('a token issued for another portal stores nothing for this one', async () => {
    const h = harness();
    oauthAppInfo(acme, { token: 'other-portal-token', memberId: 'member-other' });
    await h.request.post('/events').send(installEvent(acme, 'other-portal-token'));
    await h.background.idle();
    expect(await h.services.installations.get(acme.memberId)).toBeUndefined();
  });
});

describe('POST /events ONAPPUPDATE and ONUSERADD', () => {
  beforeEach(isolateNetwork);
  afterEach(() => nock.cleanAll());

  it('ONAPPUPDATE with a valid application token re-binds the events Bitrix24 dropped and stores verified tokens', async () => {
    const h = harness();
    await installPortal(h, acme);
    const oauth = oauthAppInfo(acme, { token: 'updated-access' });
    portalCall(acme, 'profile', { token: 'updated-access', result: { ID: '1', ADMIN: true, NAME: 'Anna' } });
    const calls = [
      portalCall(acme, 'event.get', { token: 'updated-access', result: [] }),
      portalCall(acme, 'event.bind', { token: 'updated-access', times: 3 }),
      portalCall(acme, 'placement.get', { token: 'updated-access', result: [] }),
      portalCall(acme, 'placement.bind', { token: 'updated-access', times: 2 }),
    ];
    const res = await h.request.post('/events').send({
      event: 'ONAPPUPDATE',
      data: { VERSION: '2', PREVIOUS_VERSION: '1', LANGUAGE_ID: 'en' },
      auth: {
        member_id: acme.memberId,
        application_token: acme.applicationToken,
        access_token: 'updated-access',
        refresh_token: 'updated-refresh',
        expires_in: 3600,
      },
    });
    expect(res.status).toBe(200);
    await h.background.idle();
    oauth.done();
    for (const call of calls) call.done();
    const portal = await storedPortal(h, acme.memberId);
    expect(portal.appVersion).toBe('2');
    expect(h.services.vault.open(portal)).toMatchObject({
      accessToken: 'updated-access',
      refreshToken: 'updated-refresh',
    });
  });

  it('ONAPPUPDATE without tokens on an expired token: the renewal during re-binding is not overwritten', async () => {
    const h = harness();
    await installPortal(h, acme);
    const installed = await storedPortal(h, acme.memberId);
    const tokens = h.services.vault.open(installed);
    if (tokens === undefined) throw new Error('no tokens');
    await h.services.installations.save(h.services.vault.seal(installed, { ...tokens, expiresAt: 1 }));
    tokenRefresh(acme.refreshToken, { access: 'renewed-access', refresh: 'renewed-refresh', portal: acme });
    portalCall(acme, 'event.get', { token: 'renewed-access', result: [] });
    portalCall(acme, 'event.bind', { token: 'renewed-access', times: 3 });
    portalCall(acme, 'placement.get', { token: 'renewed-access', result: [] });
    portalCall(acme, 'placement.bind', { token: 'renewed-access', times: 2 });
    const res = await h.request.post('/events').send({
      event: 'ONAPPUPDATE',
      data: { VERSION: '3' },
      auth: { member_id: acme.memberId, application_token: acme.applicationToken },
    });
    expect(res.status).toBe(200);
    await h.background.idle();
    const portal = await storedPortal(h, acme.memberId);
    expect(portal.appVersion).toBe('3');
    expect(h.services.vault.open(portal)).toMatchObject({
      accessToken: 'renewed-access',
      refreshToken: 'renewed-refresh',
    });
  });

  it('ONAPPUPDATE carrying an employee’s tokens keeps the installation’s own tokens', async () => {
    const h = harness();
    await installPortal(h, acme);
    oauthAppInfo(acme, { token: 'employee-token' });
    portalCall(acme, 'profile', { token: 'employee-token', result: { ID: '42', ADMIN: false, NAME: 'Eve' } });
    const res = await h.request.post('/events').send({
      event: 'ONAPPUPDATE',
      data: { VERSION: '9' },
      auth: {
        member_id: acme.memberId,
        application_token: acme.applicationToken,
        access_token: 'employee-token',
        refresh_token: 'employee-refresh',
      },
    });
    expect(res.status).toBe(200);
    await h.background.idle();
    const portal = await storedPortal(h, acme.memberId);
    expect(h.services.vault.open(portal)).toMatchObject({
      accessToken: acme.adminToken,
      refreshToken: acme.refreshToken,
    });
  });

  it('the same ONUSERADD delivered twice is handled once (one user.get), a later one again', async () => {
    const h = harness();
    await installPortal(h, acme);
    const fetched = portalCall(acme, 'user.get', {
      token: acme.adminToken,
      result: [{ ID: '77', ACTIVE: true, NAME: 'Nia', LAST_NAME: 'New' }],
      times: 2,
    });
    const event = (ts: string) => ({
      event: 'ONUSERADD',
      ts,
      data: { ID: '77' },
      auth: { member_id: acme.memberId, application_token: acme.applicationToken },
    });
    expect((await h.request.post('/events').send(event('1795000000'))).body).toEqual({ result: 'accepted' });
    expect((await h.request.post('/events').send(event('1795000000'))).body).toEqual({ result: 'ignored' });
    await h.background.idle();
    expect(fetched.pendingMocks()).toHaveLength(1);
    expect((await h.request.post('/events').send(event('1795000300'))).body).toEqual({ result: 'accepted' });
    await h.background.idle();
    fetched.done();
  });

  it('ONAPPUPDATE or ONUSERADD with a wrong application token → 401', async () => {
    const h = harness();
    await installPortal(h, acme);
    for (const event of ['ONAPPUPDATE', 'ONUSERADD']) {
      const res = await h.request
        .post('/events')
        .send({ event, data: {}, auth: { member_id: acme.memberId, application_token: 'nope' } });
      expect(res.status).toBe(401);
    }
  });

  it('an unknown event is acknowledged and ignored', async () => {
    const h = harness();
    await installPortal(h, acme);
    const res = await h.request
      .post('/events')
      .send({ event: 'ONCRMDEALADD', auth: { member_id: acme.memberId, application_token: acme.applicationToken } });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ result: 'ignored' });
  });
});

describe('ONAPPINSTALL racing the installer', () => {
  beforeEach(isolateNetwork);
  afterEach(() => nock.cleanAll());

  it('the event’s application token survives an installer POST that carries none and read the record before it', async () => {
    // The installer's read of the portal record (the second one: the event handler reads it first, on arrival) is
    // answered as it was when asked, but only once the event has written the record (or after 500 ms, when the
    // installer holds the portal's lock and the event waits for it): the installer decides on the older record.
    const map = new Map<string, unknown>();
    const portalKey = (key: string) => key.includes(`portal:${acme.memberId}`);
    let portalReads = 0;
    let stalled = false;
    let written: () => void = () => undefined;
    const eventWrote = new Promise<void>((resolve) => (written = resolve));
    const store = new Keyv({
      store: {
        get: async (key: string) => {
          const value = map.get(key);
          if (portalKey(key) && ++portalReads === 2) {
            stalled = true;
            await Promise.race([eventWrote, new Promise((resolve) => setTimeout(resolve, 500))]);
          }
          return value;
        },
        set: (key: string, value: unknown) => {
          map.set(key, value);
          if (portalKey(key) && stalled) written();
          return true;
        },
        delete: (key: string) => map.delete(key),
        clear: () => map.clear(),
      } as unknown as Map<string, unknown>,
      throwOnErrors: true,
    });
    const h = harness({ store });
    const scopes = installScopes(acme);
    // The event's verification takes a little longer, so the installer reads the record before the event writes.
    nock(OAUTH)
      .post('/rest/app.info', (body: Record<string, string>) => body['auth'] === 'event-access-token')
      .delay(100)
      .reply(200, {
        result: {
          client_id: h.services.config.clientId,
          scope: 'user_brief,department,placement',
          user_id: 1,
          install: {
            installed: true,
            member_id: acme.memberId,
            domain: acme.host,
            client_endpoint: `${acme.origin}/rest/`,
          },
        },
      });
    portalCall(acme, 'profile', { token: 'event-access-token', result: { ID: '1', ADMIN: true, NAME: 'Anna' } });
    const { query, body } = installerRequest(acme);
    const [installer, event] = await Promise.all([
      h.request.post('/install').query(query).type('form').send(body),
      h.request.post('/events').send(installEvent(acme, 'event-access-token')),
    ]);
    expect([installer.status, event.status]).toEqual([200, 200]);
    await h.background.idle();
    for (const scope of scopes) scope.done();
    const portal = await storedPortal(h, acme.memberId);
    expect(h.services.vault.open(portal)?.applicationToken).toBe(acme.applicationToken);
  });
});
