import { describe, expect, it } from 'vitest';
import { uninstallApp } from '../emulator/lifecycle.js';
import { buildPhpQuery } from '../emulator/php-query.js';
import { isOrdinary, testEmulator } from './helpers.js';

describe('portal REST authorization', () => {
  it('answers 401 NO_AUTH_FOUND without a token or with an unknown one', async () => {
    const t = testEmulator();
    t.install();
    expect((await t.rest('profile', {}, undefined).expect(401)).body).toEqual({
      error: 'NO_AUTH_FOUND',
      error_description: 'Wrong authorization data',
    });
    expect((await t.rest('profile', {}, 'not-a-token').expect(401)).body.error).toBe('NO_AUTH_FOUND');
  });

  it('takes the token from auth, access_token, the query string, a form body or Authorization: Bearer', async () => {
    const t = testEmulator();
    const token = t.install();
    await t.rest('profile', {}, token).expect(200);
    await t.http.post('/rest/profile').send({ access_token: token }).expect(200);
    await t.http.get(`/rest/profile?auth=${token}`).expect(200);
    await t.http
      .post('/rest/profile')
      .type('form')
      .send(buildPhpQuery({ auth: token }))
      .expect(200);
    await t.http.post('/rest/profile').set('authorization', `Bearer ${token}`).send({}).expect(200);
  });

  it('expires access tokens after their life (3600 s by default, configurable): 401 expired_token', async () => {
    const t = testEmulator();
    const token = t.install();
    t.clock.advance(3599_000);
    await t.rest('profile', {}, token).expect(200);
    t.clock.advance(1000);
    expect((await t.rest('profile', {}, token).expect(401)).body.error).toBe('expired_token');
    const short = testEmulator({ tokenLifetimeSeconds: 60 });
    const shortToken = short.install();
    short.clock.advance(61_000);
    expect((await short.rest('profile', {}, shortToken).expect(401)).body.error).toBe('expired_token');
  });

  it('checks expiry before scope, scope before the user', async () => {
    const t = testEmulator({ scopes: 'user_brief' });
    const token = t.install();
    expect((await t.rest('department.get', {}, token).expect(401)).body.error).toBe('insufficient_scope');
    t.clock.advance(3600_000);
    expect((await t.rest('department.get', {}, token).expect(401)).body.error).toBe('expired_token');
  });

  it('answers insufficient_scope outside the granted scopes (401 as the module, 403 as the docs); basic methods always work', async () => {
    const t = testEmulator({ scopes: ['department'] });
    const token = t.install();
    expect((await t.rest('user.get', {}, token).expect(401)).body).toEqual({
      error: 'insufficient_scope',
      error_description: 'The request requires higher privileges than provided by the access token',
    });
    expect((await t.rest('sonet_group.get', {}, token).expect(401)).body.error).toBe('insufficient_scope');
    await t.rest('profile', {}, token).expect(200);
    await t.rest('department.get', {}, token).expect(200);
    const docs = testEmulator({ scopes: ['department'], insufficientScopeStatus: 403 });
    const docsToken = docs.install();
    expect((await docs.rest('user.get', {}, docsToken).expect(403)).body.error).toBe('insufficient_scope');
    expect(
      (await docs.rest('batch', { cmd: { a: 'user.get' } }, docsToken).expect(200)).body.result.result_error,
    ).toEqual({
      a: {
        error: 'insufficient_scope',
        error_description: 'The request requires higher privileges than provided by the access token',
      },
    });
  });

  it('answers 401 authorization_error for a fired user', async () => {
    const t = testEmulator();
    t.install();
    const fired = t.find((user) => !user.active);
    expect((await t.rest('profile', {}, t.tokenFor(fired)).expect(401)).body.error).toBe('authorization_error');
  });

  it('applies the app access setting: user_access_error outside it, U/D/DR/AU codes inside, admins always pass', async () => {
    const t = testEmulator();
    const adminToken = t.install();
    const employee = t.find(
      (user) =>
        isOrdinary(user) && user.departments.length > 0 && t.portal.directory.depth(user.departments[0] ?? 1) >= 2,
    );
    const token = t.tokenFor(employee);
    const department = employee.departments[0] ?? 1;
    const parent = t.portal.directory.department(department)?.parent ?? 1;

    t.portal.installation.accessCodes = ['U1'];
    expect((await t.rest('profile', {}, token).expect(403)).body).toEqual({
      error: 'user_access_error',
      error_description: 'The user does not have access to the application.',
    });
    await t.rest('profile', {}, adminToken).expect(200);
    const otherAdmin = t.find((user) => user.admin && user.id !== 1);
    await t.rest('profile', {}, t.tokenFor(otherAdmin)).expect(200);

    for (const codes of [[`U${employee.id}`], [`D${department}`], [`DR${parent}`], ['AU'], []]) {
      t.portal.installation.accessCodes = codes;
      await t.rest('profile', {}, token).expect(200);
    }
    t.portal.installation.accessCodes = [`D${parent}`];
    expect((await t.rest('profile', {}, token).expect(403)).body.error).toBe('user_access_error');
  });

  it('lets only admins use placement.* (403 ACCESS_DENIED "Access denied!") and refuses a duplicate bind', async () => {
    const t = testEmulator();
    const adminToken = t.install();
    const token = t.tokenFor(t.find(isOrdinary));
    const bind = { PLACEMENT: 'LEFT_MENU', HANDLER: 'http://localhost:3000/app', TITLE: 'Keycard' };
    expect((await t.rest('placement.bind', bind, token).expect(403)).body).toEqual({
      error: 'ACCESS_DENIED',
      error_description: 'Access denied!',
    });
    expect((await t.rest('placement.bind', bind, adminToken).expect(200)).body.result).toBe(true);
    expect((await t.rest('placement.bind', bind, adminToken).expect(400)).body.error).toBe('ERROR_CORE');
    const bound = await t.rest('placement.get', {}, adminToken).expect(200);
    expect(bound.body.result).toEqual([
      {
        placement: 'LEFT_MENU',
        userId: 0,
        handler: bind.HANDLER,
        options: [],
        title: 'Keycard',
        description: '',
        langAll: { en: { TITLE: 'Keycard', DESCRIPTION: '', GROUP_NAME: '' } },
      },
    ]);
    expect((await t.rest('placement.unbind', { PLACEMENT: 'LEFT_MENU' }, adminToken)).body.result).toEqual({
      count: 1,
    });
  });

  it('forgets every token on uninstall with removedAppTokens: unknown (the old shape)', async () => {
    const t = testEmulator({ removedAppTokens: 'unknown' });
    const token = t.install();
    uninstallApp(t.portal, false);
    expect((await t.rest('profile', {}, token).expect(401)).body.error).toBe('NO_AUTH_FOUND');
  });
});
