import { Keyv } from 'keyv';
import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { bootstrapOf, harness, isolateNetwork, testConfig, testPortal } from '../support/harness.js';
import { installScopes, installerRequest, oauthAppInfo, portalCall } from '../support/bitrix-nock.js';
import { installPortal, storedPortal } from '../support/install-portal.js';

/*
 * SECRET_KEY rotates by putting the new key first (issue 12): records sealed under the old key are re-sealed as
 * they are read, `npm run reseal` does them all with progress, and a record no key opens any more is a clear
 * state ("needs an administrator"), never a 500 — not for the installer, the app or an event.
 */

const acme = testPortal('acme');
const OLD = 'old-secret-key-0123456789abcdef0123456789';
const NEW = 'new-secret-key-9876543210fedcba9876543210';

type Harness = ReturnType<typeof harness>;

/** One Keycard process over `store` with SECRET_KEY `keys`. */
const instance = (store: Keyv, keys: string) => harness({ store, config: testConfig({ SECRET_KEY: keys }) });

const kidOf = async (h: Harness) => (await storedPortal(h, acme.memberId)).secrets?.kid;

async function openAs(h: Harness, user: { token: string; id: string; admin: boolean }) {
  oauthAppInfo(acme, { token: user.token });
  portalCall(acme, 'profile', { token: user.token, result: { ID: user.id, ADMIN: user.admin, NAME: 'Someone' } });
  portalCall(acme, 'user.get', { token: acme.adminToken, result: [], times: 2 });
  return h.request
    .post('/app')
    .query({ DOMAIN: acme.host, PROTOCOL: '1', LANG: 'en' })
    .type('form')
    .send({ AUTH_ID: user.token, AUTH_EXPIRES: '3600', REFRESH_ID: `${user.token}-refresh`, member_id: acme.memberId });
}

describe('SECRET_KEY rotation', () => {
  beforeEach(isolateNetwork);
  afterEach(() => nock.cleanAll());

  it('a record sealed under the old key is re-sealed when read; the old key can then go', async () => {
    const store = new Keyv({ store: new Map(), throwOnErrors: true });
    const before = instance(store, OLD);
    await installPortal(before, acme);
    const oldKid = await kidOf(before);

    const rotated = instance(store, `${NEW},${OLD}`);
    expect(rotated.services.vault.open(await storedPortal(rotated, acme.memberId))?.accessToken).toBe(acme.adminToken);
    await rotated.background.idle();
    for (let waited = 0; waited < 2000 && (await kidOf(rotated)) === oldKid; waited += 20) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(await kidOf(rotated)).not.toBe(oldKid);

    const after = instance(store, NEW);
    expect(after.services.vault.open(await storedPortal(after, acme.memberId))).toMatchObject({
      accessToken: acme.adminToken,
      applicationToken: acme.applicationToken,
    });
  });

  it('reseal re-seals every installation with progress and lists none unreadable', async () => {
    const store = new Keyv({ store: new Map(), throwOnErrors: true });
    const before = instance(store, OLD);
    const portals = [acme, testPortal('globex'), testPortal('hooli')];
    for (const portal of portals) await installPortal(before, portal);
    const rotated = instance(store, `${NEW},${OLD}`);
    const progress: string[] = [];
    const report = await rotated.services.sealed.resealAll((done, total) => progress.push(`${done}/${total}`));
    expect(report).toEqual({ total: 3, resealed: 3, unreadable: [] });
    expect(progress).toEqual(['1/3', '2/3', '3/3']);
    expect((await rotated.services.sealed.resealAll()).resealed).toBe(0);
  });

  it('the old key dropped too early: the portal needs an administrator, installer and events answer, nothing 500s', async () => {
    const store = new Keyv({ store: new Map(), throwOnErrors: true });
    await installPortal(instance(store, OLD), acme);
    const h = instance(store, NEW);

    // The first read finds it: the state records it, the log says why.
    expect(h.services.vault.open(await storedPortal(h, acme.memberId))).toBeUndefined();
    for (let waited = 0; waited < 2000; waited += 20) {
      if ((await storedPortal(h, acme.memberId)).state === 'needs_reinstall') break;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect((await storedPortal(h, acme.memberId)).state).toBe('needs_reinstall');
    expect(h.logLines.some((line) => line.includes('no configured SECRET_KEY opens'))).toBe(true);
    // An employee opening Keycard is told an administrator is needed.
    const employee = await openAs(h, { token: 'employee-token', id: '42', admin: false });
    expect(employee.status).toBe(409);
    expect(employee.text).toContain('needs an administrator');

    // An event for the portal is answered (Bitrix24 decides an uninstall; nothing crashes).
    const event = await h.request.post('/events').send({
      event: 'ONAPPUNINSTALL',
      data: { CLEAN: 0 },
      auth: { member_id: acme.memberId, domain: acme.host, application_token: acme.applicationToken },
    });
    expect(event.status).toBeLessThan(500);

    // An administrator opening Keycard gives it fresh tokens, sealed under the new key.
    const admin = await openAs(h, { token: 'admin-token', id: '1', admin: true });
    expect(admin.status).toBe(200);
    expect(bootstrapOf(admin.text).session).toBeTruthy();
    const healed = await storedPortal(h, acme.memberId);
    expect(healed.state).toBe('active');
    expect(h.services.vault.open(healed)?.accessToken).toBe('admin-token');
  });

  it('a reinstall over a record no key opens succeeds', async () => {
    const store = new Keyv({ store: new Map(), throwOnErrors: true });
    await installPortal(instance(store, OLD), acme);
    const h = instance(store, NEW);
    const scopes = installScopes(acme);
    const { query, body } = installerRequest(acme, { body: { APPLICATION_TOKEN: acme.applicationToken } });
    const res = await h.request.post('/install').query(query).type('form').send(body);
    expect(res.status).toBe(200);
    for (const scope of scopes) scope.done();
    expect(h.services.vault.open(await storedPortal(h, acme.memberId))?.accessToken).toBe(acme.adminToken);
  });
});
