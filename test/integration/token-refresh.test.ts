import { Keyv } from 'keyv';
import nock from 'nock';
import { Cipher } from '../../server/store/cipher.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bootstrapOf, harness, isolateNetwork, OAUTH, testPortal } from '../support/harness.js';
import { oauthAppInfo, portalCall, tokenRefresh } from '../support/bitrix-nock.js';
import { installPortal, storedPortal } from '../support/install-portal.js';

const acme = testPortal('acme');

/** Makes the stored access token of `acme` look expired. */
async function expireStoredToken(h: ReturnType<typeof harness>): Promise<void> {
  const portal = await storedPortal(h, acme.memberId);
  const tokens = h.services.vault.open(portal);
  if (tokens === undefined) throw new Error('no tokens');
  await h.services.installations.save(
    h.services.vault.seal(portal, { ...tokens, expiresAt: Math.floor(Date.now() / 1000) - 10 }),
  );
}

async function sessionFor(h: ReturnType<typeof harness>): Promise<string> {
  oauthAppInfo(acme, { token: 'user-token' });
  portalCall(acme, 'profile', { token: 'user-token', result: { ID: '1', ADMIN: true, NAME: 'Anna' } });
  const res = await h.request
    .post('/app')
    .query({ DOMAIN: acme.host, PROTOCOL: '1', LANG: 'en' })
    .type('form')
    .send({ AUTH_ID: 'user-token', AUTH_EXPIRES: '3600', member_id: acme.memberId });
  return bootstrapOf(res.text).session;
}

describe('token refresh', () => {
  beforeEach(isolateNetwork);
  afterEach(() => nock.cleanAll());

  it('an expired access token → one refresh → the call is made with the new token → new tokens stored encrypted', async () => {
    const h = harness();
    await installPortal(h, acme);
    const session = await sessionFor(h);
    await expireStoredToken(h);
    const refresh = tokenRefresh(acme.refreshToken, {
      access: 'access-new-111',
      refresh: 'refresh-new-222',
      portal: acme,
    });
    const scope = portalCall(acme, 'scope', { token: 'access-new-111', result: ['user_brief', 'department'] });

    const res = await h.request.get('/api/scopes').set('authorization', `Bearer ${session}`);
    expect(res.status).toBe(200);
    expect(res.body.source).toBe('portal');
    expect(res.body.unavailableFeatures).toEqual([
      { key: 'menu', title: 'Left menu item', missingScopes: ['placement'] },
      { key: 'workgroups', title: 'Access by workgroup', missingScopes: ['sonet_group'] },
    ]);
    refresh.done();
    scope.done();

    const portal = await storedPortal(h, acme.memberId);
    expect(h.services.vault.open(portal)).toMatchObject({
      accessToken: 'access-new-111',
      refreshToken: 'refresh-new-222',
    });
    const raw = JSON.stringify([...(h.store.store instanceof Map ? h.store.store.values() : [])]);
    for (const secret of ['access-new-111', 'refresh-new-222', acme.applicationToken])
      expect(raw).not.toContain(secret);
  });

  it('expired_token from the portal mid-call (clock skew) → refresh → retry', async () => {
    const h = harness();
    await installPortal(h, acme);
    const session = await sessionFor(h);
    portalCall(acme, 'scope', { token: acme.adminToken, error: [401, 'expired_token'] });
    const refresh = tokenRefresh(acme.refreshToken, {
      access: 'access-new-333',
      refresh: 'refresh-new-444',
      portal: acme,
    });
    const retried = portalCall(acme, 'scope', {
      token: 'access-new-333',
      result: ['user_brief', 'department', 'placement', 'sonet_group'],
    });
    const res = await h.request.get('/api/scopes').set('authorization', `Bearer ${session}`);
    expect(res.status).toBe(200);
    expect(res.body.unavailableFeatures).toEqual([]);
    refresh.done();
    retried.done();
  });

  it('20 concurrent calls on an expired token → exactly one refresh request', async () => {
    const h = harness();
    await installPortal(h, acme);
    const session = await sessionFor(h);
    await expireStoredToken(h);
    let refreshes = 0;
    nock(OAUTH)
      .post('/oauth/token/')
      .times(20)
      .reply(() => {
        refreshes += 1;
        return [
          200,
          {
            access_token: `access-${refreshes}`,
            refresh_token: `refresh-${refreshes}`,
            expires_in: 3600,
            client_endpoint: `${acme.origin}/rest/`,
          },
        ];
      });
    portalCall(acme, 'scope', { token: 'access-1', result: ['user_brief', 'department', 'placement'], times: 20 });

    const responses = await Promise.all(
      Array.from({ length: 20 }, () => h.request.get('/api/scopes').set('authorization', `Bearer ${session}`)),
    );
    expect(responses.map((res) => res.status)).toEqual(Array(20).fill(200));
    expect(responses.every((res) => res.body.source === 'portal')).toBe(true);
    expect(refreshes).toBe(1);
  });

  it('20 concurrent calls through separate clients of one portal share one refresh (vault single-flight)', async () => {
    const h = harness();
    await installPortal(h, acme);
    await expireStoredToken(h);
    const refresh = tokenRefresh(acme.refreshToken, {
      access: 'access-new-555',
      refresh: 'refresh-new-666',
      portal: acme,
    });
    portalCall(acme, 'scope', { token: 'access-new-555', result: ['user_brief'], times: 20 });
    const results = await Promise.all(
      Array.from({ length: 20 }, async () => {
        h.services.clients.forget(acme.memberId);
        return (await h.services.clients.forPortal(acme.memberId)).call('scope');
      }),
    );
    expect(results).toEqual(Array(20).fill(['user_brief']));
    refresh.done();
  });

  it('invalid_grant marks the portal as needing a reinstall and keeps the scopes page answering from the install', async () => {
    const h = harness();
    await installPortal(h, acme);
    const session = await sessionFor(h);
    await expireStoredToken(h);
    nock(OAUTH).post('/oauth/token/').reply(400, { error: 'invalid_grant', error_description: 'Invalid grant' });
    const res = await h.request.get('/api/scopes').set('authorization', `Bearer ${session}`);
    expect(res.status).toBe(200);
    expect(res.body.source).toBe('stored');
    expect((await storedPortal(h, acme.memberId)).state).toBe('needs_reinstall');
  });
});

describe('a renewed pair whose write fails', () => {
  beforeEach(isolateNetwork);
  afterEach(() => nock.cleanAll());

  it('is kept and used (no second exchange of the spent refresh token), and stored once the store answers', async () => {
    // A Map store whose writes of the portal record can be made to fail.
    const failing = { portalWrites: 0 };
    const map = new Map<string, unknown>();
    const store = new Keyv({
      store: {
        get: (key: string) => map.get(key),
        set: (key: string, value: unknown) => {
          if (failing.portalWrites > 0 && key.includes(`portal:${acme.memberId}`)) {
            failing.portalWrites--;
            throw new Error('store write failed');
          }
          map.set(key, value);
          return true;
        },
        delete: (key: string) => map.delete(key),
        clear: () => map.clear(),
      } as unknown as Map<string, unknown>,
      throwOnErrors: true,
    });
    const h = harness({ store });
    await installPortal(h, acme);
    const session = await sessionFor(h);
    await expireStoredToken(h);
    // Bitrix24 renews exactly once; the spent refresh token would be refused (invalid_grant) if sent again.
    const refresh = tokenRefresh(acme.refreshToken, {
      access: 'access-new-333',
      refresh: 'refresh-new-444',
      portal: acme,
    });
    const spent = nock(OAUTH)
      .post('/oauth/token/')
      .reply(400, { error: 'invalid_grant', error_description: 'refresh token already used' });
    portalCall(acme, 'scope', { token: 'access-new-333', result: ['user_brief'], times: 2 });

    failing.portalWrites = 2;
    const first = await h.request.get('/api/scopes').set('authorization', `Bearer ${session}`);
    expect(first.status).toBe(200);
    refresh.done();
    // Meanwhile the pair is served from memory: the next call uses it, nothing is renewed again.
    const second = await h.request.get('/api/scopes').set('authorization', `Bearer ${session}`);
    expect(second.status).toBe(200);
    expect(spent.isDone()).toBe(false);

    // What the store itself holds (the vault would show the pair it keeps in memory).
    const cipher = new Cipher({ secrets: h.services.config.secretKeys });
    const storedRefresh = async () => {
      const { secrets } = await storedPortal(h, acme.memberId);
      return secrets === undefined ? undefined : JSON.parse(cipher.open(secrets, acme.memberId)).refreshToken;
    };
    expect(await storedRefresh()).toBe(acme.refreshToken);
    for (let waited = 0; waited < 5000 && (await storedRefresh()) !== 'refresh-new-444'; waited += 50) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(await storedRefresh()).toBe('refresh-new-444');
    expect((await storedPortal(h, acme.memberId)).state).toBe('active');
    expect(h.logLines.some((line) => line.includes('renewed tokens could not be stored'))).toBe(true);
  });
});
