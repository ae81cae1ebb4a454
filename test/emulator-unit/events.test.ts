import type { Server } from 'node:http';
import express from 'express';
import { afterEach, describe, expect, it } from 'vitest';
import { parsePhpQuery, type PhpArray } from '../emulator/php-query.js';
import { isOrdinary, testEmulator, type TestEmulator } from './helpers.js';

interface Received {
  path: string;
  contentType: string;
  raw: string;
  form: PhpArray;
}

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
});

/** A tiny app server that records every event POST it gets. */
async function receiver(status = 200): Promise<{ url: string; received: Received[] }> {
  const received: Received[] = [];
  const app = express();
  app.use(express.text({ type: () => true }));
  app.post('/{*path}', (req, res) => {
    const raw = typeof req.body === 'string' ? req.body : '';
    received.push({ path: req.path, contentType: req.get('content-type') ?? '', raw, form: parsePhpQuery(raw) });
    res.status(status).end();
  });
  const server = await new Promise<Server>((resolve) => {
    const listening = app.listen(0, '127.0.0.1', () => resolve(listening));
  });
  servers.push(server);
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return { url: `http://127.0.0.1:${port}`, received };
}

function sub(form: PhpArray, key: string): PhpArray {
  const value = form[key];
  return typeof value === 'object' ? value : {};
}

async function installViaPage(t: TestEmulator): Promise<string> {
  const descriptor = await t.http.post('/_emulator/install').expect(200);
  await t.http.post('/_emulator/install-finish').expect(200);
  return descriptor.body.body.AUTH_ID;
}

describe('events', () => {
  it('posts ONAPPINSTALL form-encoded to the install event handler with tokens and the application token', async () => {
    const app = await receiver();
    const t = testEmulator({ app: { appUrl: app.url }, fetch });
    const token = await installViaPage(t);
    await t.emulator.flushEvents();
    expect(app.received).toHaveLength(1);
    const [event] = app.received;
    expect(event?.path).toBe('/events');
    expect(event?.contentType).toBe('application/x-www-form-urlencoded');
    expect(event?.raw).toContain('auth%5Bapplication_token%5D=');
    const form = event?.form ?? {};
    expect(form['event']).toBe('ONAPPINSTALL');
    expect(sub(form, 'data')).toMatchObject({ VERSION: '1', LANGUAGE_ID: 'en' });
    expect(sub(form, 'auth')).toMatchObject({
      access_token: token,
      refresh_token: expect.any(String),
      expires_in: '3600',
      expires: String(Math.floor(t.clock.now() / 1000) + 3600),
      user_id: '1',
      member_id: t.portal.memberId,
      domain: t.portal.host,
      client_endpoint: t.portal.clientEndpoint,
      server_endpoint: t.portal.serverEndpoint,
      status: 'L',
      scope: 'user_brief,department,placement',
      application_token: t.portal.installation.applicationToken,
    });
    expect(t.portal.counters.eventsSent).toBe(1);
  });

  it('posts ONAPPUNINSTALL with data[CLEAN] and no tokens to bound handlers, then revokes access', async () => {
    const app = await receiver();
    const t = testEmulator({ app: { appUrl: app.url }, fetch, removedAppTokens: 'bitrix24' });
    const token = await installViaPage(t);
    await t.rest('event.bind', { event: 'onAppUninstall', handler: `${app.url}/uninstalled` }, token).expect(200);
    const applicationToken = t.portal.installation.applicationToken;
    await t.http.post('/_emulator/uninstall').send({ clean: true }).expect(200);
    await t.emulator.flushEvents();
    const event = app.received.find((item) => item.path === '/uninstalled');
    expect(event?.form['event']).toBe('ONAPPUNINSTALL');
    expect(sub(event?.form ?? {}, 'data')).toEqual({ LANGUAGE_ID: 'en', CLEAN: '1' });
    expect(sub(event?.form ?? {}, 'auth')).toEqual({
      domain: t.portal.host,
      server_endpoint: t.portal.serverEndpoint,
      client_endpoint: t.portal.clientEndpoint,
      member_id: t.portal.memberId,
      application_token: applicationToken,
    });
    expect((await t.rest('event.get', {}, token).expect(401)).body.error).toBe('APPLICATION_NOT_FOUND');
  });

  it('posts ONUSERADD for a new employee once the installation is finished', async () => {
    const app = await receiver();
    const t = testEmulator({ app: { appUrl: app.url }, fetch });
    const token = await installViaPage(t);
    await t.rest('event.bind', { event: 'ONUSERADD', handler: `${app.url}/users` }, token).expect(200);
    const created = await t.http
      .post('/_emulator/users')
      .send({ name: 'Åsa', lastName: '<b>New</b>', departmentId: 2 })
      .expect(201);
    await t.emulator.flushEvents();
    const event = app.received.find((item) => item.path === '/users');
    expect(event?.form['event']).toBe('ONUSERADD');
    expect(sub(event?.form ?? {}, 'data')).toMatchObject({
      ID: String(created.body.id),
      ACTIVE: 'Y',
      NAME: 'Åsa',
      LAST_NAME: '<b>New</b>',
      UF_DEPARTMENT: { 0: '2' },
    });
    const auth = sub(event?.form ?? {}, 'auth');
    expect(auth).toMatchObject({ user_id: '1', application_token: t.portal.installation.applicationToken });
    expect(auth).not.toHaveProperty('refresh_token');
    await t.rest('profile', {}, String(auth['access_token'])).expect(200);
  });

  it('sends no bound events before installFinish', async () => {
    const app = await receiver();
    const t = testEmulator({ app: { appUrl: app.url }, fetch });
    const descriptor = await t.http.post('/_emulator/install').expect(200);
    await t
      .rest('event.bind', { event: 'ONUSERADD', handler: `${app.url}/users` }, descriptor.body.body.AUTH_ID)
      .expect(200);
    await t.http.post('/_emulator/users').send({ name: 'Early', lastName: 'Bird', departmentId: 1 }).expect(201);
    await t.emulator.flushEvents();
    expect(app.received.map((item) => item.path)).toEqual(['/events']);
  });

  it('event.bind: unknown events, duplicates, and ONUSERADD without scope user when so configured', async () => {
    const t = testEmulator({ onUserAddNeedsUserScope: true });
    const token = t.install();
    expect(
      (await t.rest('event.bind', { event: 'ONNOTHING', handler: 'http://localhost:3000/events' }, token).expect(400))
        .body.error,
    ).toBe('ERROR_EVENT_NOT_FOUND');
    expect(
      (await t.rest('event.bind', { event: 'ONUSERADD', handler: 'http://localhost:3000/events' }, token).expect(400))
        .body.error,
    ).toBe('ERROR_EVENT_NOT_FOUND');
    await t.rest('event.bind', { event: 'ONAPPUPDATE', handler: 'http://localhost:3000/events' }, token).expect(200);
    expect(
      (await t.rest('event.bind', { event: 'ONAPPUPDATE', handler: 'http://localhost:3000/events' }, token).expect(400))
        .body,
    ).toEqual({
      error: 'ERROR_CORE',
      error_description: 'Unable to set event handler: Handler already binded',
    });
    expect((await t.rest('event.get', {}, token)).body.result).toEqual([
      { event: 'ONAPPUPDATE', handler: 'http://localhost:3000/events', auth_type: '0', offline: 0 },
    ]);
    expect(
      (await t.rest('event.unbind', { event: 'ONAPPUPDATE', handler: 'http://localhost:3000/events' }, token)).body
        .result,
    ).toEqual({ count: 1 });

    const lenient = testEmulator();
    const lenientToken = lenient.install();
    await lenient
      .rest('event.bind', { event: 'ONUSERADD', handler: 'http://localhost:3000/events' }, lenientToken)
      .expect(200);
    const employee = lenient.find(isOrdinary);
    const offline = await lenient
      .rest('event.bind', { event: 'ONUSERADD', event_type: 'offline' }, lenient.tokenFor(employee))
      .expect(403);
    expect(offline.body.error).toBe('ACCESS_DENIED');
  });

  it('logs and counts a failed delivery without retrying', async () => {
    const app = await receiver(500);
    const lines: string[] = [];
    const t = testEmulator({ app: { appUrl: app.url }, fetch, log: (line) => lines.push(line) });
    await installViaPage(t);
    await t.emulator.flushEvents();
    expect(app.received).toHaveLength(1);
    expect(t.portal.counters.eventsFailed).toBe(1);
    expect(lines.join('\n')).toContain('HTTP 500');
  });
});

describe('app update', () => {
  it('posts ONAPPUPDATE as on-app-update.md shows it, with a new application token that later events carry too', async () => {
    const app = await receiver();
    const t = testEmulator({ app: { appUrl: app.url }, fetch });
    const token = await installViaPage(t);
    await t.rest('event.bind', { event: 'ONAPPUPDATE', handler: `${app.url}/updated` }, token).expect(200);
    await t.rest('event.bind', { event: 'ONAPPUNINSTALL', handler: `${app.url}/uninstalled` }, token).expect(200);
    await t.rest('event.bind', { event: 'ONUSERADD', handler: `${app.url}/users` }, token).expect(200);
    const before = t.portal.installation.applicationToken;
    expect((await t.http.post('/_emulator/update').expect(200)).body).toEqual({ ok: true, version: 2 });
    await t.emulator.flushEvents();
    const after = t.portal.installation.applicationToken;
    expect(after).toMatch(/^[0-9a-f]{32}$/);
    expect(after).not.toBe(before);
    const event = app.received.find((item) => item.path === '/updated');
    expect(event?.form['event']).toBe('ONAPPUPDATE');
    expect(Object.keys(event?.form ?? {}).sort()).toEqual(['auth', 'data', 'event', 'ts']);
    expect(sub(event?.form ?? {}, 'data')).toEqual({ VERSION: '2', PREVIOUS_VERSION: '1', LANGUAGE_ID: 'en' });
    const auth = sub(event?.form ?? {}, 'auth');
    expect(Object.keys(auth)).toEqual([
      'domain',
      'scope',
      'access_token',
      'refresh_token',
      'expires_in',
      'server_endpoint',
      'status',
      'client_endpoint',
      'member_id',
      'application_token',
    ]);
    expect(auth).toMatchObject({
      domain: t.portal.host,
      expires_in: '3600',
      server_endpoint: t.portal.serverEndpoint,
      client_endpoint: t.portal.clientEndpoint,
      member_id: t.portal.memberId,
      application_token: after,
    });
    expect((await t.rest('profile', {}, String(auth['access_token'])).expect(200)).body.result.ID).toBe('1');
    // Bindings stay (the rest module's UpdateApp only deletes the install callback) …
    expect((await t.rest('event.get', {}, token).expect(200)).body.result).toHaveLength(3);
    // … and every later event carries the new token.
    await t.http.post('/_emulator/users').send({ name: 'Late', lastName: 'Comer', departmentId: 1 }).expect(201);
    await t.http.post('/_emulator/uninstall').send({ clean: false }).expect(200);
    await t.emulator.flushEvents();
    for (const path of ['/users', '/uninstalled']) {
      const later = app.received.find((item) => item.path === path);
      expect(sub(later?.form ?? {}, 'auth')['application_token'], path).toBe(after);
    }
  });

  it('drops every event binding on update with dropEventBindingsOnUpdate (event-bind.md)', async () => {
    const app = await receiver();
    const t = testEmulator({ app: { appUrl: app.url }, fetch, dropEventBindingsOnUpdate: true });
    const token = await installViaPage(t);
    await t.rest('event.bind', { event: 'ONAPPUPDATE', handler: `${app.url}/updated` }, token).expect(200);
    await t.http.post('/_emulator/update').expect(200);
    await t.emulator.flushEvents();
    expect(app.received.some((item) => item.path === '/updated')).toBe(true);
    expect((await t.rest('event.get', {}, token).expect(200)).body.result).toEqual([]);
  });
});
