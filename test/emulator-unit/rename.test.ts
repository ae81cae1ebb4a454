import { describe, expect, it } from 'vitest';
import { appInstallPayload } from '../emulator/event-payloads.js';
import { installApp } from '../emulator/lifecycle.js';
import { buildPhpQuery } from '../emulator/php-query.js';
import { isOrdinary, testEmulator } from './helpers.js';

describe('renaming the portal', () => {
  it('REST calls to the old address answer 302 to the new one; the new address works', async () => {
    const t = testEmulator();
    const installed = installApp(t.portal, t.admin);
    const renamed = await t.http.post('/_emulator/rename').send({ host: 'new-name.example.com:4000' }).expect(200);
    expect(renamed.body).toEqual({
      ok: true,
      previous: 'localhost:4000',
      host: 'new-name.example.com:4000',
      origin: 'http://new-name.example.com:4000',
    });
    const post = await t.http
      .post('/rest/profile.json?x=1')
      .set('host', 'localhost:4000')
      .send({ auth: installed.accessToken })
      .expect(302);
    expect(post.headers['location']).toBe('http://new-name.example.com:4000/rest/profile.json?x=1');
    const get = await t.http.get(`/rest/user.current?auth=${installed.accessToken}`).set('host', 'LOCALHOST:4000');
    expect(get.status).toBe(302);
    expect((await t.http.get('/').set('host', 'localhost:4000').expect(302)).headers['location']).toBe(
      'http://new-name.example.com:4000/',
    );
    await t.http
      .post('/rest/profile')
      .set('host', 'new-name.example.com:4000')
      .send({ auth: installed.accessToken })
      .expect(200);
    // A host the portal never had is not redirected (supertest's own 127.0.0.1:<port>).
    await t.rest('profile', {}, installed.accessToken).expect(200);
  });

  it('the OAuth server, frames and events carry the new address; member_id and the OAuth servers stay', async () => {
    const t = testEmulator();
    const installed = installApp(t.portal, t.admin);
    const memberId = t.portal.memberId;
    t.portal.renameHost('b24-renamed.example.com');
    expect(t.portal.memberId).toBe(memberId);
    expect(t.portal.oauthServer).toBe('http://localhost:4000/oauth-server');
    const info = (await t.http.get(`/oauth-server/rest/app.info?auth=${installed.accessToken}`).expect(200)).body;
    expect(info.result.install).toMatchObject({
      domain: 'b24-renamed.example.com',
      uri: 'http://b24-renamed.example.com',
      client_endpoint: 'http://b24-renamed.example.com/rest/',
      member_id: memberId,
    });
    const renewed = await t.http
      .post('/oauth-server/oauth/token/')
      .type('form')
      .send(
        buildPhpQuery({
          grant_type: 'refresh_token',
          client_id: t.portal.app.clientId,
          client_secret: t.portal.app.clientSecret,
          refresh_token: installed.refreshToken,
        }),
      )
      .expect(200);
    expect(renewed.body).toMatchObject({
      client_endpoint: 'http://b24-renamed.example.com/rest/',
      domain: 'localhost:4000',
      member_id: memberId,
    });
    const frame = (await t.http.post('/_emulator/open').expect(200)).body;
    expect(frame.query.DOMAIN).toBe('b24-renamed.example.com');
    expect(frame.frameName.startsWith('b24-renamed.example.com|0|')).toBe(true);
    expect(frame.initData.DOMAIN).toBe('b24-renamed.example.com');
    const auth = appInstallPayload(t.portal, installed).auth as Record<string, unknown>;
    expect(auth).toMatchObject({
      domain: 'b24-renamed.example.com',
      client_endpoint: 'http://b24-renamed.example.com/rest/',
    });
    expect((await t.http.get('/_emulator/state').expect(200)).body.portal.host).toBe('b24-renamed.example.com');
  });

  it('the control endpoint: admins only, a host only, and by default the other loopback name for the port', async () => {
    const t = testEmulator();
    const employee = t.find(isOrdinary);
    await t.http.post('/_emulator/rename').set('cookie', `em_user=${employee.id}`).send({}).expect(403);
    await t.http.post('/_emulator/rename').send({ host: 'http://evil.example/' }).expect(400);
    expect((await t.http.post('/_emulator/rename').send({}).expect(200)).body.host).toBe('127.0.0.1:4000');
    expect((await t.http.post('/_emulator/rename').send({}).expect(200)).body.host).toBe('localhost:4000');
    // Renaming back makes the address current again: it no longer redirects, the other one does.
    await t.http
      .get('/')
      .set('host', 'localhost:4000')
      .expect((res) => expect(res.status).not.toBe(302));
    await t.http.get('/').set('host', '127.0.0.1:4000').expect(302);
  });
});
