import { describe, expect, it } from 'vitest';
import { installApp } from '../emulator/lifecycle.js';
import { buildPhpQuery } from '../emulator/php-query.js';
import { isOrdinary, testEmulator, type TestEmulator } from './helpers.js';

function refreshForm(t: TestEmulator, refreshToken: string, secret = t.portal.app.clientSecret): string {
  return buildPhpQuery({
    grant_type: 'refresh_token',
    client_id: t.portal.app.clientId,
    client_secret: secret,
    refresh_token: refreshToken,
  });
}

describe('OAuth server', () => {
  it('refreshes with a form POST, rotates the refresh token, and refuses its second use with invalid_grant', async () => {
    const t = testEmulator();
    const installed = installApp(t.portal, t.admin);
    const first = await t.http
      .post('/oauth-server/oauth/token/')
      .type('form')
      .send(refreshForm(t, installed.refreshToken))
      .expect(200);
    expect(first.body).toMatchObject({
      access_token: expect.any(String),
      refresh_token: expect.any(String),
      expires_in: 3600,
      expires: Math.floor(t.clock.now() / 1000) + 3600,
      scope: 'user_brief,department,placement',
      // auto-renewal.md: `domain` is the OAuth server's, the portal is `client_endpoint`.
      domain: t.portal.oauthHost,
      server_endpoint: `${t.portal.origin}/oauth-server/rest/`,
      client_endpoint: `${t.portal.origin}/rest/`,
      member_id: t.portal.memberId,
      user_id: 1,
      status: 'L',
    });
    expect(first.body.refresh_token).not.toBe(installed.refreshToken);
    await t.rest('profile', {}, first.body.access_token).expect(200);
    const again = await t.http
      .post('/oauth-server/oauth/token/')
      .type('form')
      .send(refreshForm(t, installed.refreshToken))
      .expect(400);
    expect(again.body).toEqual({ error: 'invalid_grant', error_description: expect.any(String) });
    const viaGet = await t.http
      .get(`/oauth-server/oauth/token/?${refreshForm(t, first.body.refresh_token)}`)
      .expect(200);
    expect(viaGet.body.user_id).toBe(1);
    expect(t.portal.counters.tokenRefreshes).toBe(2);
    expect(t.portal.counters.tokenRefreshFailures).toBe(1);
  });

  it('refuses a wrong client secret (400) and an uninstalled app (401) with invalid_client', async () => {
    const t = testEmulator();
    const installed = installApp(t.portal, t.admin);
    expect(
      (
        await t.http
          .post('/oauth-server/oauth/token/')
          .type('form')
          .send(refreshForm(t, installed.refreshToken, 'wrong'))
          .expect(400)
      ).body,
    ).toEqual({ error: 'invalid_client', error_description: expect.any(String) });
    // The refresh token was not spent by the refused request.
    await t.http
      .post('/oauth-server/oauth/token/')
      .type('form')
      .send(refreshForm(t, installed.refreshToken))
      .expect(200);
    const fresh = testEmulator();
    expect(
      (
        await fresh.http
          .post('/oauth-server/oauth/token/')
          .type('form')
          .send(refreshForm(fresh, 'anything'))
          .expect(401)
      ).body.error,
    ).toBe('invalid_client');
  });

  it('runs the authorization_code flow: redirect with a 30-second single-use code for the browser’s user', async () => {
    const t = testEmulator({ app: { appUrl: 'http://localhost:3000' } });
    t.install();
    const employee = t.find(isOrdinary);
    const redirect = await t.http
      .get(`/oauth/authorize/?client_id=${t.portal.app.clientId}&state=xyz`)
      .set('cookie', `em_user=${employee.id}`)
      .expect(302);
    const location = new URL(redirect.headers['location'] ?? '');
    expect(`${location.origin}${location.pathname}`).toBe('http://localhost:3000/app');
    expect(Object.fromEntries(location.searchParams)).toMatchObject({
      state: 'xyz',
      domain: t.portal.host,
      member_id: t.portal.memberId,
      server_domain: t.portal.oauthHost,
    });
    const code = location.searchParams.get('code') ?? '';
    const exchange = (value: string) =>
      t.http
        .post('/oauth-server/oauth/token/')
        .type('form')
        .send(
          buildPhpQuery({
            grant_type: 'authorization_code',
            client_id: t.portal.app.clientId,
            client_secret: t.portal.app.clientSecret,
            code: value,
          }),
        );
    const tokens = await exchange(code).expect(200);
    expect(tokens.body.user_id).toBe(employee.id);
    expect((await exchange(code).expect(400)).body.error).toBe('invalid_grant');

    const late = new URL(
      (await t.http.get(`/oauth/authorize/?client_id=${t.portal.app.clientId}`).expect(302)).headers['location'] ?? '',
    );
    t.clock.advance(31_000);
    expect((await exchange(late.searchParams.get('code') ?? '').expect(400)).body).toEqual({
      error: 'invalid_grant',
      error_description: 'Authorization code expired',
    });
    expect((await t.http.get('/oauth/authorize/?client_id=someone-else').expect(400)).type).toBe('text/html');
  });

  it('answers app.info on the OAuth server for a token (ISO expires, string user_id), and invalid_token for a bad one', async () => {
    const t = testEmulator();
    const token = t.install();
    const info = await t.http
      .post('/oauth-server/rest/app.info')
      .type('form')
      .send(buildPhpQuery({ auth: token }))
      .expect(200);
    expect(info.body).toEqual({
      result: {
        client_id: t.portal.app.clientId,
        scope: 'user_brief,department,placement',
        expires: new Date(t.clock.now() + 3600_000).toISOString().replace('.000Z', '+00:00'),
        user_id: '1',
        install: {
          installed: true,
          version: 1,
          status: 'L',
          scope: 'user_brief,department,placement',
          domain: t.portal.host,
          uri: t.portal.origin,
          client_endpoint: `${t.portal.origin}/rest/`,
          member_id: t.portal.memberId,
          member_type: 'PORTAL',
        },
      },
    });
    expect(
      (await t.http.post('/oauth-server/rest/app.info').type('form').send('auth=nope').expect(401)).body.error,
    ).toBe('invalid_token');
    t.clock.advance(3600_000);
    expect((await t.http.get(`/oauth-server/rest/app.info?auth=${token}`).expect(401)).body.error).toBe(
      'expired_token',
    );
  });

  it('gives user_id as a number with oauthAppInfoUserId: number (both shapes: b24pysdk casts with int())', async () => {
    const t = testEmulator({ oauthAppInfoUserId: 'number' });
    const token = t.install();
    const info = await t.http.get(`/oauth-server/rest/app.info?auth=${token}`).expect(200);
    expect(info.body.result.user_id).toBe(1);
    expect(Date.parse(info.body.result.expires)).toBe(t.clock.now() + 3600_000);
  });

  it('answers an unknown client id with HTTP 200 wrong_client, for a code exchange and a refresh', async () => {
    const t = testEmulator();
    const installed = installApp(t.portal, t.admin);
    const form = (grant: Record<string, string>) =>
      buildPhpQuery({ client_id: 'WRONG_CLIENT_ID_12345', client_secret: t.portal.app.clientSecret, ...grant });
    const grants: Array<Record<string, string>> = [
      { grant_type: 'authorization_code', code: 'any_code' },
      { grant_type: 'refresh_token', refresh_token: installed.refreshToken },
    ];
    for (const grant of grants) {
      const answer = await t.http.post('/oauth-server/oauth/token/').type('form').send(form(grant)).expect(200);
      expect(answer.body).toEqual({ error: 'wrong_client' });
    }
    expect(t.portal.counters.tokenRefreshFailures).toBe(2);
    // The refresh token is still good for the right client.
    await t.http
      .post('/oauth-server/oauth/token/')
      .type('form')
      .send(refreshForm(t, installed.refreshToken))
      .expect(200);
    // A right client id with a wrong secret is 400 invalid_client even for a code exchange.
    const wrongSecret = await t.http
      .post('/oauth-server/oauth/token/')
      .type('form')
      .send(
        buildPhpQuery({
          grant_type: 'authorization_code',
          client_id: t.portal.app.clientId,
          client_secret: 'WRONG_SECRET_12345',
          code: 'any_code',
        }),
      )
      .expect(400);
    expect(wrongSecret.body.error).toBe('invalid_client');
  });
});
