import { describe, expect, it } from 'vitest';
import { installApp, uninstallApp } from '../emulator/lifecycle.js';
import { buildPhpQuery } from '../emulator/php-query.js';
import { testEmulator, type TestEmulator } from './helpers.js';

function refresh(t: TestEmulator, refreshToken: string) {
  return t.http
    .post('/oauth-server/oauth/token/')
    .type('form')
    .send(
      buildPhpQuery({
        grant_type: 'refresh_token',
        client_id: t.portal.app.clientId,
        client_secret: t.portal.app.clientSecret,
        refresh_token: refreshToken,
      }),
    );
}

describe('a removed app’s tokens (removedAppTokens: bitrix24)', () => {
  it('REST: 401 APPLICATION_NOT_FOUND while the token is cached (< 1 h), then 401 ERROR_OAUTH', async () => {
    const t = testEmulator();
    const token = t.install();
    uninstallApp(t.portal, false);
    expect((await t.rest('profile', {}, token).expect(401)).body).toEqual({
      error: 'APPLICATION_NOT_FOUND',
      error_description: 'Application not found',
    });
    // Inside a batch the command fails the same way (the whole request is refused first).
    expect((await t.rest('batch', { cmd: { a: 'profile' } }, token).expect(401)).body.error).toBe(
      'APPLICATION_NOT_FOUND',
    );
    t.clock.advance(3599_000);
    expect((await t.rest('app.info', {}, token).expect(401)).body.error).toBe('APPLICATION_NOT_FOUND');
    t.clock.advance(1000);
    // Out of the cache (and expired): the portal relays the OAuth server, not expired_token.
    expect((await t.rest('profile', {}, token).expect(401)).body).toEqual({
      error: 'ERROR_OAUTH',
      error_description: 'Application not installed',
    });
  });

  it('the token cache life is an option', async () => {
    const t = testEmulator({ removedAppTokens: 'bitrix24', tokenCacheSeconds: 60 });
    const token = t.install();
    uninstallApp(t.portal, true);
    t.clock.advance(61_000);
    expect((await t.rest('profile', {}, token).expect(401)).body.error).toBe('ERROR_OAUTH');
  });

  it('the OAuth server: app.info 401 NOT_INSTALLED; refresh 401 invalid_client "Application not installed"', async () => {
    const t = testEmulator({ removedAppTokens: 'bitrix24' });
    const installed = installApp(t.portal, t.admin);
    uninstallApp(t.portal, false);
    expect((await t.http.get(`/oauth-server/rest/app.info?auth=${installed.accessToken}`).expect(401)).body).toEqual({
      error: 'NOT_INSTALLED',
      error_description: 'Application not installed',
    });
    expect((await refresh(t, installed.refreshToken).expect(401)).body).toEqual({
      error: 'invalid_client',
      error_description: 'Application not installed',
    });
    // A token the server never issued stays invalid_token.
    expect((await t.http.get('/oauth-server/rest/app.info?auth=nope').expect(401)).body.error).toBe('invalid_token');
  });

  it('removedAppRefreshError: NOT_INSTALLED answers the refresh with NOT_INSTALLED (the other shape)', async () => {
    const t = testEmulator({ removedAppRefreshError: 'NOT_INSTALLED' });
    const installed = installApp(t.portal, t.admin);
    uninstallApp(t.portal, false);
    expect((await refresh(t, installed.refreshToken).expect(401)).body).toEqual({
      error: 'NOT_INSTALLED',
      error_description: 'Application not installed',
    });
  });

  it('a reinstall issues tokens that work; the removed installation’s tokens stay dead', async () => {
    const t = testEmulator({ removedAppTokens: 'bitrix24' });
    const first = installApp(t.portal, t.admin);
    const oldToken = t.tokenFor(t.admin);
    uninstallApp(t.portal, false);
    const second = installApp(t.portal, t.admin);
    await t.rest('profile', {}, second.accessToken).expect(200);
    await refresh(t, second.refreshToken).expect(200);
    for (const token of [first.accessToken, oldToken]) {
      expect((await t.rest('profile', {}, token).expect(401)).body.error).toBe('NO_AUTH_FOUND');
      expect((await t.http.get(`/oauth-server/rest/app.info?auth=${token}`).expect(401)).body.error).toBe(
        'invalid_token',
      );
    }
    expect((await refresh(t, first.refreshToken).expect(400)).body.error).toBe('invalid_grant');
  });

  it('removedAppTokens: unknown (the shape Keycard must not take as proof) forgets the tokens: NO_AUTH_FOUND, invalid_token', async () => {
    const t = testEmulator({ removedAppTokens: 'unknown' });
    const installed = installApp(t.portal, t.admin);
    uninstallApp(t.portal, false);
    expect((await t.rest('profile', {}, installed.accessToken).expect(401)).body.error).toBe('NO_AUTH_FOUND');
    const info = await t.http.get(`/oauth-server/rest/app.info?auth=${installed.accessToken}`).expect(401);
    expect(info.body.error).toBe('invalid_token');
  });
});
