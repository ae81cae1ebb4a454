import { describe, expect, it } from 'vitest';
import { appInstallPayload } from '../emulator/event-payloads.js';
import { installApp } from '../emulator/lifecycle.js';
import { buildPhpQuery } from '../emulator/php-query.js';
import { createEmulator } from '../emulator/server.js';
import { acceptingFetch, testEmulator, type TestEmulator } from './helpers.js';

function refresh(t: TestEmulator, base: string, refreshToken: string) {
  return t.http
    .post(`${base}/oauth/token/`)
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

describe('two OAuth servers (oauthRegion)', () => {
  it('west by default: its server_endpoint everywhere; the east server refuses the portal’s tokens', async () => {
    const t = testEmulator();
    const installed = installApp(t.portal, t.admin);
    expect(t.emulator.oauthServers).toEqual({
      west: `${t.portal.origin}/oauth-server`,
      east: `${t.portal.origin}/oauth-server-east`,
    });
    expect(t.portal.oauthServer).toBe(t.emulator.oauthServers.west);
    expect(t.portal.serverEndpoint).toBe(`${t.portal.origin}/oauth-server/rest/`);
    expect((appInstallPayload(t.portal, installed).auth as Record<string, unknown>)['server_endpoint']).toBe(
      t.portal.serverEndpoint,
    );
    expect((await refresh(t, '/oauth-server-east', installed.refreshToken).expect(400)).body.error).toBe(
      'invalid_grant',
    );
    const east = await t.http.get(`/oauth-server-east/rest/app.info?auth=${installed.accessToken}`).expect(401);
    expect(east.body.error).toBe('invalid_token');
    // The refused attempt did not spend the refresh token at its own server.
    const renewed = await refresh(t, '/oauth-server', installed.refreshToken).expect(200);
    expect(renewed.body.server_endpoint).toBe(`${t.portal.origin}/oauth-server/rest/`);
  });

  it('east: token answers, events, the frame POST and app.info point at /oauth-server-east; west refuses', async () => {
    const t = testEmulator({ oauthRegion: 'east' });
    const installed = installApp(t.portal, t.admin);
    const eastEndpoint = `${t.portal.origin}/oauth-server-east/rest/`;
    expect(t.portal.serverEndpoint).toBe(eastEndpoint);
    expect((appInstallPayload(t.portal, installed).auth as Record<string, unknown>)['server_endpoint']).toBe(
      eastEndpoint,
    );
    const frame = (await t.http.post('/_emulator/open').expect(200)).body;
    expect(frame.body.SERVER_ENDPOINT).toBe(eastEndpoint);
    expect((await t.http.get('/_emulator/state').expect(200)).body.portal).toMatchObject({
      oauthRegion: 'east',
      oauthServer: `${t.portal.origin}/oauth-server-east`,
    });

    expect((await refresh(t, '/oauth-server', installed.refreshToken).expect(400)).body.error).toBe('invalid_grant');
    expect((await t.http.get(`/oauth-server/rest/app.info?auth=${installed.accessToken}`).expect(401)).body.error).toBe(
      'invalid_token',
    );
    await t.http.get(`/oauth-server-east/rest/app.info?auth=${installed.accessToken}`).expect(200);
    const renewed = await refresh(t, '/oauth-server-east', installed.refreshToken).expect(200);
    expect(renewed.body.server_endpoint).toBe(eastEndpoint);

    // Codes too: only the own server exchanges them.
    const code = new URL(
      (await t.http.get(`/oauth/authorize/?client_id=${t.portal.app.clientId}`).expect(302)).headers['location'] ?? '',
    ).searchParams.get('code');
    const exchange = (base: string) =>
      t.http
        .post(`${base}/oauth/token/`)
        .type('form')
        .send(
          buildPhpQuery({
            grant_type: 'authorization_code',
            client_id: t.portal.app.clientId,
            client_secret: t.portal.app.clientSecret,
            code: code ?? '',
          }),
        );
    expect((await exchange('/oauth-server').expect(400)).body.error).toBe('invalid_grant');
    await exchange('/oauth-server-east').expect(200);
  });

  it('listen() reports both servers at the real port', async () => {
    const emulator = createEmulator({ rateLimit: false, fetch: acceptingFetch, log: () => undefined });
    const running = await emulator.listen(0);
    try {
      expect(running.oauthServers).toEqual({
        west: `${running.url}/oauth-server`,
        east: `${running.url}/oauth-server-east`,
      });
      expect(emulator.oauthServers).toEqual(running.oauthServers);
    } finally {
      await running.close();
    }
  });
});
