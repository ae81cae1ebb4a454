import type { Server } from 'node:http';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { installApp } from '../emulator/lifecycle.js';
import { buildPhpQuery } from '../emulator/php-query.js';
import { testEmulator, type TestEmulator } from './helpers.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

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

describe('a lapsed subscription (PAYMENT_REQUIRED)', () => {
  it('the OAuth server issues and renews nothing, app.info refuses, REST answers 401 PAYMENT_REQUIRED', async () => {
    const t = testEmulator();
    const installed = installApp(t.portal, t.admin);
    expect((await t.http.post('/_emulator/subscription').send({ expired: true }).expect(200)).body).toEqual({
      ok: true,
      expired: true,
    });
    expect((await t.http.get('/_emulator/state').expect(200)).body.portal.subscriptionExpired).toBe(true);
    const payment = { error: 'PAYMENT_REQUIRED', error_description: 'Payment required' };
    expect((await refresh(t, installed.refreshToken).expect(401)).body).toEqual(payment);
    expect((await t.http.get(`/oauth-server/rest/app.info?auth=${installed.accessToken}`).expect(401)).body).toEqual(
      payment,
    );
    const code = new URL(
      (await t.http.get(`/oauth/authorize/?client_id=${t.portal.app.clientId}`).expect(302)).headers['location'] ?? '',
    ).searchParams.get('code');
    const exchange = await t.http
      .post('/oauth-server/oauth/token/')
      .type('form')
      .send(
        buildPhpQuery({
          grant_type: 'authorization_code',
          client_id: t.portal.app.clientId,
          client_secret: t.portal.app.clientSecret,
          code: code ?? '',
        }),
      )
      .expect(401);
    expect(exchange.body).toEqual(payment);
    expect((await t.rest('profile', {}, installed.accessToken).expect(401)).body).toEqual({
      error: 'PAYMENT_REQUIRED',
      error_description: 'Subscription has been ended',
    });
    // Renewed: the refresh token was not spent.
    await t.http.post('/_emulator/subscription').send({ expired: false }).expect(200);
    await refresh(t, installed.refreshToken).expect(200);
    await t.rest('profile', {}, installed.accessToken).expect(200);
    await t.http.post('/_emulator/subscription').send({ expired: 'yes' }).expect(400);
  });

  it('the OAuth server’s status is an option (unconfirmed)', async () => {
    const t = testEmulator({ subscriptionExpired: true, paymentRequiredStatus: 402 });
    const installed = installApp(t.portal, t.admin);
    expect((await refresh(t, installed.refreshToken).expect(402)).body.error).toBe('PAYMENT_REQUIRED');
    expect((await t.rest('app.info', {}, installed.accessToken).expect(401)).body.error).toBe('PAYMENT_REQUIRED');
  });

  it('sends no events while the subscription has lapsed', async () => {
    const paths: string[] = [];
    const app = express();
    app.post('/{*path}', (req, res) => {
      paths.push(req.path);
      res.status(200).end();
    });
    const server = await new Promise<Server>((resolve) => {
      const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
    });
    servers.push(server);
    const address = server.address();
    const url = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
    const t = testEmulator({ app: { appUrl: url }, fetch });
    const token = t.install();
    await t.emulator.flushEvents();
    await t.rest('event.bind', { event: 'ONUSERADD', handler: `${url}/users` }, token).expect(200);
    t.portal.setSubscriptionExpired(true);
    await t.http.post('/_emulator/users').send({ name: 'Unpaid', lastName: 'Period', departmentId: 1 }).expect(201);
    await t.emulator.flushEvents();
    expect(paths).toEqual(['/events']);
    t.portal.setSubscriptionExpired(false);
    await t.http.post('/_emulator/users').send({ name: 'Paid', lastName: 'Again', departmentId: 1 }).expect(201);
    await t.emulator.flushEvents();
    expect(paths).toEqual(['/events', '/users']);
  });
});
