import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { harness, isolateNetwork, testPortal } from '../support/harness.js';
import { oauthAppInfo, portalCall } from '../support/bitrix-nock.js';
import { installPortal, storedPortal } from '../support/install-portal.js';

/*
 * A portal whose address changed answers 302 from the old one. Keycard checks the new host, records it,
 * and repeats the same POST there; later calls go to the new address directly.
 */
const acme = testPortal('acme');
const renamed = { ...acme, host: 'acme-renamed.bitrix24.com', origin: 'https://acme-renamed.bitrix24.com' };

describe('portal domain change', () => {
  beforeEach(isolateNetwork);
  afterEach(() => nock.cleanAll());

  it('follows a 302 from the old address with the same POST, and records the new one', async () => {
    const h = harness();
    await installPortal(h, acme);
    const old = nock(acme.origin)
      .post('/rest/profile')
      .query(true)
      .reply(302, '', { location: `${renamed.origin}/rest/profile?bx24=1` });
    const there = portalCall(renamed, 'profile', { result: { ID: '1', ADMIN: true } });
    const client = await h.services.clients.forPortal(acme.memberId);
    await expect(client.call('profile')).resolves.toMatchObject({ ID: '1' });
    old.done();
    there.done();
    const portal = await storedPortal(h, acme.memberId);
    expect(portal.domain).toBe(renamed.host);
    expect(portal.clientEndpoint).toBe(`${renamed.origin}/rest/`);

    const next = portalCall(renamed, 'scope', { result: ['user_brief'] });
    await (await h.services.clients.forPortal(acme.memberId)).call('scope');
    next.done();
  });

  it('refuses a redirect to a host the OAuth server does not vouch for: nothing is sent there and nothing recorded', async () => {
    const h = harness();
    await installPortal(h, acme);
    // Asked about the redirect, the OAuth server still places the portal at its old address.
    const asked = oauthAppInfo(acme);
    nock(acme.origin)
      .post('/rest/profile')
      .query(true)
      .reply(302, '', { location: 'https://evil.example.com/rest/profile' });
    const evil = nock('https://evil.example.com')
      .post(/.*/)
      .query(true)
      .reply(200, { result: { ID: '1', ADMIN: true } });
    const client = await h.services.clients.forPortal(acme.memberId);
    const refused: unknown = await client.call('profile').then(
      () => undefined,
      (error: unknown) => error,
    );
    // The move itself was refused (not, say, a 302 followed as a GET that nock then refused).
    expect(JSON.stringify(refused, Object.getOwnPropertyNames(refused ?? {})) + String(refused)).toContain(
      'This Bitrix24 address is not served by this Keycard server.',
    );
    expect(evil.isDone()).toBe(false);
    asked.done();
    expect((await storedPortal(h, acme.memberId)).domain).toBe(acme.host);
  });

  it('follows a redirect to a self-hosted address outside PORTAL_DOMAINS when the OAuth server vouches for it', async () => {
    const h = harness();
    await installPortal(h, acme);
    const moved = { ...acme, host: 'crm.acme.example', origin: 'https://crm.acme.example' };
    nock(acme.origin)
      .post('/rest/profile')
      .query(true)
      .reply(302, '', { location: `${moved.origin}/rest/profile` });
    const vouched = oauthAppInfo(moved);
    const there = portalCall(moved, 'profile', { result: { ID: '1', ADMIN: true } });
    await expect((await h.services.clients.forPortal(acme.memberId)).call('profile')).resolves.toMatchObject({
      ID: '1',
    });
    vouched.done();
    there.done();
    expect((await storedPortal(h, acme.memberId)).clientEndpoint).toBe(`${moved.origin}/rest/`);
  });

  it('the first open after a rename follows the OAuth server to the new address instead of refusing WRONG_PORTAL', async () => {
    const h = harness();
    await installPortal(h, acme);
    // The OAuth server already reports the new address; the stored record still has the old one.
    oauthAppInfo(renamed, { token: 'user-token' });
    const profile = portalCall(renamed, 'profile', {
      token: 'user-token',
      result: { ID: '5', ADMIN: false, NAME: 'Boris' },
    });
    const res = await h.request
      .post('/app')
      .query({ DOMAIN: renamed.host, PROTOCOL: '1', LANG: 'en' })
      .type('form')
      .send({ AUTH_ID: 'user-token', AUTH_EXPIRES: '3600', member_id: acme.memberId });
    expect(res.status).toBe(200);
    profile.done();
    expect(res.headers['content-security-policy']).toContain(`frame-ancestors ${renamed.origin}`);
    expect((await storedPortal(h, acme.memberId)).clientEndpoint).toBe(`${renamed.origin}/rest/`);
  });
});
