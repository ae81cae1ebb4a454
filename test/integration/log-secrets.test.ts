import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CLIENT_SECRET, OAUTH, bootstrapOf, harness, isolateNetwork, testPortal } from '../support/harness.js';
import { installerRequest, oauthAppInfo, portalCall, tokenRefresh } from '../support/bitrix-nock.js';
import { installPortal, storedPortal } from '../support/install-portal.js';

const acme = testPortal('acme');

describe('logs', () => {
  beforeEach(isolateNetwork);
  afterEach(() => nock.cleanAll());

  it('no token or secret appears anywhere in the log output of install, open, refresh, failures and events', async () => {
    const h = harness();
    await installPortal(h, acme);

    // Open the app, then use the API through an expired token so a refresh happens.
    oauthAppInfo(acme, { token: 'user-token-secret-1' });
    portalCall(acme, 'profile', { token: 'user-token-secret-1', result: { ID: '3', ADMIN: false, NAME: 'Ola' } });
    const frame = await h.request.post('/app').query({ DOMAIN: acme.host, LANG: 'en' }).type('form').send({
      AUTH_ID: 'user-token-secret-1',
      REFRESH_ID: 'user-refresh-secret-2',
      member_id: acme.memberId,
      APPLICATION_TOKEN: acme.applicationToken,
    });
    const { session } = bootstrapOf(frame.text);
    const portal = await storedPortal(h, acme.memberId);
    const tokens = h.services.vault.open(portal);
    if (tokens === undefined) throw new Error('no tokens');
    await h.services.installations.save(h.services.vault.seal(portal, { ...tokens, expiresAt: 1 }));
    tokenRefresh(acme.refreshToken, {
      access: 'renewed-access-secret-3',
      refresh: 'renewed-refresh-secret-4',
      portal: acme,
    });
    portalCall(acme, 'scope', { token: 'renewed-access-secret-3', error: [503, 'QUERY_LIMIT_EXCEEDED'], times: 3 });
    await h.request.get('/api/scopes').set('authorization', `Bearer ${session}`);

    // Failures that log their causes: a forged install, a refused refresh, a forged uninstall.
    oauthAppInfo(acme, { token: 'forged-token-secret-5', reply: [401, { error: 'invalid_token' }] });
    const forged = installerRequest(acme, {
      body: { AUTH_ID: 'forged-token-secret-5', REFRESH_ID: 'forged-refresh-secret-6' },
    });
    await h.request.post('/install').query(forged.query).type('form').send(forged.body);
    await h.request.post('/events').type('form').send({
      event: 'ONAPPUNINSTALL',
      'auth[member_id]': acme.memberId,
      'auth[application_token]': 'forged-app-token-secret-7',
    });
    const renewed = await storedPortal(h, acme.memberId);
    const renewedTokens = h.services.vault.open(renewed);
    if (renewedTokens === undefined) throw new Error('no tokens');
    await h.services.installations.save(h.services.vault.seal(renewed, { ...renewedTokens, expiresAt: 1 }));
    nock(OAUTH).post('/oauth/token/').reply(400, { error: 'invalid_grant' });
    await h.request.get('/api/scopes').set('authorization', `Bearer ${session}`);
    await h.background.idle();

    const output = h.logLines.join('');
    expect(h.logLines.length).toBeGreaterThan(5);
    expect(output).toContain(acme.memberId);
    expect(output).toContain('invalid_grant');
    const secrets = [
      acme.adminToken,
      acme.refreshToken,
      acme.applicationToken,
      CLIENT_SECRET,
      session,
      'user-token-secret-1',
      'user-refresh-secret-2',
      'renewed-access-secret-3',
      'renewed-refresh-secret-4',
      'forged-token-secret-5',
      'forged-refresh-secret-6',
      'forged-app-token-secret-7',
    ];
    for (const secret of secrets) expect(output, secret).not.toContain(secret);
  });
});
