import nock from 'nock';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { bootstrapOf, isolateNetwork, type TestPortal } from '../support/harness.js';
import { installerRequest, oauthAppInfo, portalCall } from '../support/bitrix-nock.js';
import { storedPortal } from '../support/install-portal.js';
import { closeServed, install, securedHarness, securedPortal, serve, type Harness } from './support/app.js';
import { expectRefusalPage, frameRequest, sessionOf } from './support/frames.js';
import { itLogsNoSecrets, secret } from './support/log-scan.js';
import { recordUnmatched } from './support/network.js';
import { watchStore } from './support/store.js';

/*
 * Forged installer, frame and event POSTs (wrong or missing tokens, another app's client id, another
 * portal's member id, an employee posing as an admin) are refused — a readable page for frames, 4xx or a
 * 200 no-op for events as README says — and leave every byte of the store as it was. Both portals are
 * installed first, so "nothing changed" also covers overwriting a working installation.
 */

const acme = securedPortal('acme');
const globex = securedPortal('globex');
const forged = secret('forged-access-token-9d41c7');
const forgedRefresh = secret('forged-refresh-token-1e8b3a');
const employeeToken = secret('employee-access-token-77aa01');

let h: Harness;
let unmatched: ReturnType<typeof recordUnmatched>;

beforeAll(async () => {
  isolateNetwork();
  h = await serve(securedHarness());
  await install(h, acme);
  await install(h, globex);
  await h.background.idle();
  nock.cleanAll();
});
afterAll(closeServed);
beforeEach(() => {
  isolateNetwork();
  unmatched = recordUnmatched();
});
afterEach(() => {
  unmatched.stop();
  nock.cleanAll();
});

/** Runs `attempt` and checks that, once every background task has finished, the store is byte-for-byte the same. */
async function changesNothing(attempt: () => Promise<void>): Promise<void> {
  const store = watchStore(h.store);
  await attempt();
  await h.background.idle();
  store.expectUnchanged();
  // Whatever the app asked Bitrix24 was one of the mocked calls.
  expect(unmatched.requests).toEqual([]);
}

describe('POST /install: forged installer payloads', () => {
  const send = (portal: TestPortal, overrides: Parameters<typeof installerRequest>[1]) => {
    const { query, body } = installerRequest(portal, overrides);
    return h.request.post('/install').query(query).type('form').send(body);
  };

  it('missing AUTH_ID, member_id or REFRESH_ID → 400 page before anything is asked', async () => {
    await changesNothing(async () => {
      const { body } = installerRequest(acme, { body: { AUTH_ID: forged, REFRESH_ID: forgedRefresh } });
      for (const drop of ['AUTH_ID', 'member_id', 'REFRESH_ID'] as const) {
        const { query } = installerRequest(acme);
        const res = await h.request
          .post('/install')
          .query(query)
          .type('form')
          .send(Object.fromEntries(Object.entries(body).filter(([key]) => key !== drop)));
        expectRefusalPage(res, 400, drop === 'REFRESH_ID' ? 'REFRESH_TOKEN_MISSING' : 'BAD_REQUEST');
      }
    });
  });

  it('a token the OAuth server does not vouch for → 401', async () => {
    await changesNothing(async () => {
      const oauth = oauthAppInfo(acme, {
        token: forged,
        reply: [401, { error: 'invalid_token', error_description: 'The access token provided is invalid.' }],
      });
      expectRefusalPage(
        await send(acme, { body: { AUTH_ID: forged, REFRESH_ID: forgedRefresh } }),
        401,
        'TOKEN_NOT_VERIFIED',
      );
      oauth.done();
    });
  });

  it('a token issued to another application (wrong client id) → 403, even over a working installation', async () => {
    await changesNothing(async () => {
      const oauth = oauthAppInfo(acme, { token: forged, clientId: 'app.someone.else' });
      expectRefusalPage(
        await send(acme, { body: { AUTH_ID: forged, REFRESH_ID: forgedRefresh } }),
        403,
        'WRONG_CLIENT',
      );
      oauth.done();
    });
  });

  it('a token of another portal (other member id) → 403: globex’s admin cannot overwrite acme', async () => {
    await changesNothing(async () => {
      const oauth = oauthAppInfo(globex, { token: forged });
      expectRefusalPage(
        await send(acme, { body: { AUTH_ID: forged, REFRESH_ID: forgedRefresh } }),
        403,
        'WRONG_PORTAL',
      );
      oauth.done();
    });
  });

  it('a token the OAuth server places on another domain than DOMAIN: the user is asked there, never at DOMAIN', async () => {
    await changesNothing(async () => {
      // Same member id, but Bitrix24 says the portal lives at globex's address (renamed, say).
      const oauth = oauthAppInfo(globex, { token: forged, memberId: acme.memberId });
      const there = portalCall(globex, 'profile', { token: forged, result: { ID: '42', ADMIN: false, NAME: 'Eve' } });
      const atDomain = portalCall(acme, 'profile', { token: forged, result: { ID: '1', ADMIN: true, NAME: 'Anna' } });
      expectRefusalPage(
        await send(acme, { body: { AUTH_ID: forged, REFRESH_ID: forgedRefresh } }),
        403,
        'INSTALL_NEEDS_ADMIN',
      );
      oauth.done();
      there.done();
      expect(atDomain.isDone()).toBe(false);
    });
  });

  it('an employee’s genuine token (profile: not an admin, or admin unknown) → 403, acme’s tokens untouched', async () => {
    await changesNothing(async () => {
      for (const admin of [{ ADMIN: false }, {}]) {
        oauthAppInfo(acme, { token: employeeToken });
        const profile = portalCall(acme, 'profile', {
          token: employeeToken,
          result: { ID: '42', NAME: 'Eve', ...admin },
        });
        expectRefusalPage(
          await send(acme, {
            body: {
              AUTH_ID: employeeToken,
              REFRESH_ID: forgedRefresh,
              APPLICATION_TOKEN: secret('employee-chosen-app-token'),
            },
          }),
          403,
          'INSTALL_NEEDS_ADMIN',
        );
        profile.done();
      }
    });
    const tokens = h.services.vault.open(await storedPortal(h, acme.memberId));
    expect(tokens).toMatchObject({
      accessToken: acme.adminToken,
      refreshToken: acme.refreshToken,
      applicationToken: acme.applicationToken,
    });
  });
});

describe('POST /app: forged frame payloads', () => {
  const open = (portal: TestPortal, token: string, overrides: Parameters<typeof frameRequest>[2] = {}) => {
    const { query, body } = frameRequest(portal, token, overrides);
    return h.request.post('/app').query(query).type('form').send(body);
  };

  it('missing or malformed AUTH_ID / member_id → 400 page, nothing asked', async () => {
    await changesNothing(async () => {
      const bodies: Record<string, string>[] = [
        { AUTH_ID: '' },
        { AUTH_ID: 'a b"<script>' },
        { member_id: '' },
        { member_id: '../../admin' },
        { AUTH_EXPIRES: '-5' },
      ];
      for (const body of bodies) {
        expectRefusalPage(await open(acme, forged, { body }), 400, 'BAD_REQUEST');
      }
    });
  });

  it('a token neither the OAuth server nor the portal accepts → 401', async () => {
    await changesNothing(async () => {
      oauthAppInfo(acme, { token: forged, reply: [401, { error: 'invalid_token' }] });
      portalCall(acme, 'profile', { token: forged, error: [401, 'invalid_token'] });
      expectRefusalPage(await open(acme, forged), 401, 'TOKEN_NOT_VERIFIED');
    });
  });

  it('another application’s token on this portal, even an admin’s → 403 WRONG_CLIENT', async () => {
    await changesNothing(async () => {
      oauthAppInfo(acme, { token: forged, clientId: 'app.someone.else' });
      portalCall(acme, 'profile', { token: forged, result: { ID: '1', ADMIN: true, NAME: 'Anna' } });
      expectRefusalPage(await open(acme, forged), 403, 'WRONG_CLIENT');
    });
  });

  it('globex’s user token posted with acme’s member_id → 403 WRONG_PORTAL', async () => {
    await changesNothing(async () => {
      oauthAppInfo(globex, { token: forged });
      portalCall(acme, 'profile', { token: forged, error: [401, 'NO_AUTH_FOUND'] });
      expectRefusalPage(await open(acme, forged, { query: { DOMAIN: globex.host } }), 403, 'WRONG_PORTAL');
    });
  });

  it('a token the OAuth server vouches for but the stored portal does not know → 401 USER_NOT_VERIFIED', async () => {
    await changesNothing(async () => {
      oauthAppInfo(acme, { token: forged });
      portalCall(acme, 'profile', { token: forged, error: [401, 'invalid_token'] });
      expectRefusalPage(await open(acme, forged), 401, 'USER_NOT_VERIFIED');
    });
  });

  it('before the token is verified, an unknown, blocked, removed or unfinished installation all look the same', async () => {
    const answers: string[] = [];
    const refusedToken = () => oauthAppInfo(acme, { token: forged, reply: [401, { error: 'invalid_token' }] });
    const pageOf = async (memberId: string) => {
      refusedToken();
      const res = await open(acme, forged, { body: { member_id: memberId } });
      expectRefusalPage(res, 401, 'TOKEN_NOT_VERIFIED');
      answers.push(`${res.status} ${res.headers['content-security-policy']} ${res.text}`);
    };
    await changesNothing(async () => {
      await pageOf('member-nobody');
      await pageOf(acme.memberId);
    });
    for (const state of ['blocked', 'deleted', 'new', 'needs_reinstall'] as const) {
      await h.services.installations.update(acme.memberId, (latest) => latest && { ...latest, state });
      await pageOf(acme.memberId);
    }
    await h.services.installations.update(acme.memberId, (latest) => latest && { ...latest, state: 'active' });
    expect(new Set(answers).size).toBe(1);
  });

  it('admin claims in the frame body are ignored: Bitrix24’s profile decides', async () => {
    oauthAppInfo(acme, { token: employeeToken });
    portalCall(acme, 'profile', { token: employeeToken, result: { ID: '42', ADMIN: false, NAME: 'Eve' } });
    portalCall(acme, 'user.get', { result: [] });
    const res = await open(acme, employeeToken, {
      query: { ADMIN: 'Y', user_id: '1' },
      body: {
        ADMIN: 'true',
        IS_ADMIN: 'Y',
        isAdmin: 'true',
        user_id: '1',
        USER_ID: '1',
        APPLICATION_TOKEN: acme.applicationToken,
      },
    });
    expect(res.status).toBe(200);
    sessionOf(res.text);
    expect(bootstrapOf(res.text).user).toEqual({ id: '42', name: 'Eve', isAdmin: false });
    await h.background.idle();
    expect((await h.services.appAdmins.list(acme.memberId)).map((admin) => admin.id)).not.toContain('42');
  });
});

describe('POST /events: forged events', () => {
  const form = (event: string, portal: TestPortal, applicationToken: string, extra: Record<string, string> = {}) => ({
    event,
    'data[CLEAN]': '1',
    'data[ID]': '5',
    'data[VERSION]': '9',
    ts: String(Date.now()),
    'auth[domain]': portal.host,
    'auth[member_id]': portal.memberId,
    'auth[application_token]': applicationToken,
    ...extra,
  });

  it('ONAPPUNINSTALL / ONAPPUPDATE / ONUSERADD with a wrong, another portal’s, or no application token → 401 or 400', async () => {
    await changesNothing(async () => {
      for (const event of ['ONAPPUNINSTALL', 'ONAPPUPDATE', 'ONUSERADD']) {
        for (const token of [
          secret('forged-application-token-3c9'),
          globex.applicationToken,
          `${acme.applicationToken}x`,
          acme.applicationToken.slice(0, -1),
        ]) {
          const res = await h.request
            .post('/events')
            .type('form')
            .send(form(event, acme, token));
          expect(res.status, `${event} ${token}`).toBe(401);
          expect(res.body.error).toBe('EVENT_NOT_VERIFIED');
        }
        const { 'auth[application_token]': _dropped, ...missing } = form(event, acme, '');
        const res = await h.request.post('/events').type('form').send(missing);
        expect(res.status).toBe(400);
        expect(res.body.error).toBe('BAD_EVENT');
      }
    });
  });

  it('ONAPPUNINSTALL with the (widely visible) application token while Bitrix24 still serves the app → ignored', async () => {
    await changesNothing(async () => {
      // The OAuth server still vouches for the installation's own token: the app is installed.
      const stillInstalled = oauthAppInfo(acme);
      const res = await h.request
        .post('/events')
        .type('form')
        .send(form('ONAPPUNINSTALL', acme, acme.applicationToken));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({ result: 'ignored' });
      stillInstalled.done();
    });
  });

  it('ONAPPUPDATE with the application token but tokens the OAuth server refuses, or an employee’s → nothing taken', async () => {
    await changesNothing(async () => {
      oauthAppInfo(acme, { token: forged, reply: [401, { error: 'invalid_token' }] });
      const refused = await h.request.post('/events').send({
        event: 'ONAPPUPDATE',
        ts: '1',
        data: { VERSION: '7' },
        auth: {
          member_id: acme.memberId,
          application_token: acme.applicationToken,
          access_token: forged,
          refresh_token: forgedRefresh,
        },
      });
      expect(refused.status).toBe(200);
      await h.background.idle();
      oauthAppInfo(acme, { token: employeeToken });
      portalCall(acme, 'profile', { token: employeeToken, result: { ID: '42', ADMIN: false, NAME: 'Eve' } });
      const employee = await h.request.post('/events').send({
        event: 'ONAPPUPDATE',
        ts: '2',
        data: { VERSION: '8' },
        auth: {
          member_id: acme.memberId,
          application_token: acme.applicationToken,
          access_token: employeeToken,
          refresh_token: forgedRefresh,
        },
      });
      expect(employee.status).toBe(200);
    });
  });

  it('ONAPPINSTALL with a refused token, another app’s, another portal’s or an employee’s → nothing stored or replaced', async () => {
    const event = (portal: TestPortal, token: string, applicationToken: string) => ({
      event: 'ONAPPINSTALL',
      data: { VERSION: '1', LANGUAGE_ID: 'en' },
      auth: {
        domain: portal.host,
        member_id: portal.memberId,
        client_endpoint: `${portal.origin}/rest/`,
        access_token: token,
        refresh_token: forgedRefresh,
        application_token: applicationToken,
        expires_in: '3600',
      },
    });
    const nobody = securedPortal('nobody');
    const chosenAppToken = secret('attacker-chosen-application-token');
    await changesNothing(async () => {
      for (const portal of [acme, nobody]) {
        oauthAppInfo(portal, { token: forged, reply: [401, { error: 'invalid_token' }] });
        oauthAppInfo(portal, { token: `${forged}-other-app`, clientId: 'app.someone.else' });
        oauthAppInfo(globex, { token: `${forged}-globex`, memberId: globex.memberId });
        oauthAppInfo(portal, { token: employeeToken });
        portalCall(portal, 'profile', { token: employeeToken, result: { ID: '42', ADMIN: false, NAME: 'Eve' } });
        for (const token of [forged, `${forged}-other-app`, `${forged}-globex`, employeeToken]) {
          const res = await h.request.post('/events').send(event(portal, token, chosenAppToken));
          expect(res.status).toBe(200);
          await h.background.idle();
        }
      }
    });
    expect(h.services.vault.open(await storedPortal(h, acme.memberId))?.applicationToken).toBe(acme.applicationToken);
    expect(await h.services.installations.get(nobody.memberId)).toBeUndefined();
  });

  it('every event for an unknown portal is a 200 no-op', async () => {
    const nobody = securedPortal('nobody');
    await changesNothing(async () => {
      for (const name of ['ONAPPUNINSTALL', 'ONAPPUPDATE', 'ONUSERADD', 'ONCRMDEALADD']) {
        const res = await h.request
          .post('/events')
          .type('form')
          .send(form(name, nobody, nobody.applicationToken));
        expect(res.status).toBe(200);
        expect(res.body).toEqual({ result: 'ignored' });
      }
    });
  });
});

itLogsNoSecrets();
