import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bootstrapOf, harness, isolateNetwork, OAUTH, testPortal } from '../support/harness.js';
import { oauthAppInfo, portalCall } from '../support/bitrix-nock.js';
import { installPortal, storedPortal } from '../support/install-portal.js';

/*
 * Bitrix24's tokens belong to a person. Fired, that person's tokens answer `authorization_error`; their refresh
 * token can die (`invalid_grant`). Keycard keeps admins' fresh tokens as standby connections and switches to
 * one when the connection in use is refused for good; with none left it asks for an administrator.
 */

const acme = testPortal('acme');
const EAST = 'https://oauth.bitrix24.tech';

type Harness = ReturnType<typeof harness>;

/** An admin (user 7) opens the app with a fresh token pair: the frame POST carries REFRESH_ID. */
async function adminOpens(
  h: Harness,
  user = { id: '7', token: 'ada-access', refresh: 'ada-refresh' },
): Promise<string> {
  oauthAppInfo(acme, { token: user.token });
  portalCall(acme, 'profile', { token: user.token, result: { ID: user.id, ADMIN: true, NAME: 'Ada' } });
  const res = await h.request
    .post('/app')
    .query({ DOMAIN: acme.host, PROTOCOL: '1', LANG: 'en' })
    .type('form')
    .send({ AUTH_ID: user.token, AUTH_EXPIRES: '3600', REFRESH_ID: user.refresh, member_id: acme.memberId });
  expect(res.status).toBe(200);
  await h.background.idle();
  return bootstrapOf(res.text).session;
}

async function expireStoredToken(h: Harness): Promise<void> {
  const portal = await storedPortal(h, acme.memberId);
  const tokens = h.services.vault.open(portal);
  if (tokens === undefined) throw new Error('no tokens');
  await h.services.installations.save(h.services.vault.seal(portal, { ...tokens, expiresAt: 1 }));
}

describe('connections', () => {
  beforeEach(isolateNetwork);
  afterEach(() => nock.cleanAll());

  it('an admin who opens the app leaves a standby connection (the installer stays in use)', async () => {
    const h = harness();
    await installPortal(h, acme);
    await adminOpens(h);
    const tokens = h.services.vault.open(await storedPortal(h, acme.memberId));
    expect(tokens).toMatchObject({ userId: '1', accessToken: acme.adminToken });
    expect(tokens?.standby).toEqual([
      expect.objectContaining({ userId: '7', accessToken: 'ada-access', refreshToken: 'ada-refresh' }),
    ]);
  });

  it('the installer fired (authorization_error): the standby admin connection takes over and the call succeeds', async () => {
    const h = harness();
    await installPortal(h, acme);
    await adminOpens(h);
    const fired = portalCall(acme, 'scope', { error: [401, 'authorization_error'] });
    const standby = portalCall(acme, 'scope', { token: 'ada-access', result: ['user_brief'] });
    expect(await (await h.services.clients.forPortal(acme.memberId)).call('scope')).toEqual(['user_brief']);
    fired.done();
    standby.done();
    const portal = await storedPortal(h, acme.memberId);
    expect(portal.state).toBe('active');
    expect(h.services.vault.open(portal)).toMatchObject({ userId: '7', accessToken: 'ada-access' });
    // The application token (the event secret) is the installation's, not a person's: it stays.
    expect(h.services.vault.open(portal)?.applicationToken).toBe(acme.applicationToken);
  });

  it('a dead refresh token (invalid_grant) switches to the standby connection, renewed where it was issued', async () => {
    const h = harness();
    await installPortal(h, acme);
    await adminOpens(h);
    await expireStoredToken(h);
    nock(OAUTH)
      .post('/oauth/token/', (body: Record<string, string>) => body['refresh_token'] === acme.refreshToken)
      .reply(400, { error: 'invalid_grant' });
    const standby = portalCall(acme, 'scope', { token: 'ada-access', result: ['user_brief'] });
    expect(await (await h.services.clients.forPortal(acme.memberId)).call('scope')).toEqual(['user_brief']);
    standby.done();
    expect((await storedPortal(h, acme.memberId)).state).toBe('active');
  });

  it('with no standby left, the installation needs an administrator; the next admin to open the app heals it', async () => {
    const h = harness();
    await installPortal(h, acme);
    portalCall(acme, 'scope', { error: [401, 'authorization_error'] });
    await expect((await h.services.clients.forPortal(acme.memberId)).call('scope')).rejects.toMatchObject({
      bitrixCode: 'authorization_error',
    });
    expect((await storedPortal(h, acme.memberId)).state).toBe('needs_reinstall');
    await adminOpens(h);
    const healed = await storedPortal(h, acme.memberId);
    expect(healed.state).toBe('active');
    expect(h.services.vault.open(healed)).toMatchObject({ userId: '7', accessToken: 'ada-access' });
  });

  it('an installer who is no longer an admin hands the connection to a standby admin', async () => {
    const h = harness();
    await installPortal(h, acme);
    await adminOpens(h);
    // The installer (user 1) opens the app; Bitrix24 now says they are not an admin.
    oauthAppInfo(acme, { token: 'anna-now' });
    portalCall(acme, 'profile', { token: 'anna-now', result: { ID: '1', ADMIN: false, NAME: 'Anna' } });
    const res = await h.request
      .post('/app')
      .query({ DOMAIN: acme.host, PROTOCOL: '1', LANG: 'en' })
      .type('form')
      .send({ AUTH_ID: 'anna-now', AUTH_EXPIRES: '3600', member_id: acme.memberId });
    expect(res.status).toBe(200);
    await h.background.idle();
    expect(h.services.vault.open(await storedPortal(h, acme.memberId))).toMatchObject({ userId: '7' });
  });

  it('tokens are renewed at the OAuth server that issued them (east), never the default one', async () => {
    const h = harness();
    await installPortal(h, acme);
    await h.services.installations.update(acme.memberId, (current) => current && { ...current, oauthServer: EAST });
    await expireStoredToken(h);
    const west = nock(OAUTH).post('/oauth/token/').reply(200, {});
    const east = nock(EAST)
      .post('/oauth/token/')
      .reply(200, {
        access_token: 'east-access',
        refresh_token: 'east-refresh',
        expires_in: 3600,
        client_endpoint: `${acme.origin}/rest/`,
      });
    portalCall(acme, 'scope', { token: 'east-access', result: ['user_brief'] });
    expect(await (await h.services.clients.forPortal(acme.memberId)).call('scope')).toEqual(['user_brief']);
    east.done();
    expect(west.isDone()).toBe(false);
  });
});
