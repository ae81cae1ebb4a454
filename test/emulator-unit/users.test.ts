import { describe, expect, it } from 'vitest';
import { isOrdinary, testEmulator } from './helpers.js';

describe('firing and demoting users', () => {
  it('a fired installer’s token answers authorization_error everywhere (profile too); re-activated it works again', async () => {
    const t = testEmulator();
    const token = t.install();
    const otherAdmin = t.find((user) => user.admin && user.active && user.id !== t.admin.id);
    const fire = await t.http
      .post(`/_emulator/users/${t.admin.id}/active`)
      .set('cookie', `em_user=${otherAdmin.id}`)
      .send({ active: false })
      .expect(200);
    expect(fire.body.user).toMatchObject({ id: t.admin.id, active: false, isAdmin: true });
    for (const method of ['profile', 'user.current', 'app.info', 'placement.get']) {
      expect((await t.rest(method, {}, token).expect(401)).body, method).toEqual({
        error: 'authorization_error',
        error_description: 'Unable to authorize user',
      });
    }
    // The OAuth server still vouches for the token and renews it (unconfirmed; the portal refuses the user).
    expect((await t.http.get(`/oauth-server/rest/app.info?auth=${token}`).expect(200)).body.result.user_id).toBe(
      String(t.admin.id),
    );
    t.portal.setUserActive(t.admin.id, true);
    await t.rest('profile', {}, token).expect(200);
  });

  it('a demoted admin’s token works but is no admin: placement.* 403 ACCESS_DENIED, ADMIN_MODE sees no extranet', async () => {
    const t = testEmulator();
    const token = t.install();
    const mates = t.portal.directory.groupMates(t.admin.id);
    const extranet = t.find((user) => user.active && user.type === 'extranet' && !mates.has(user.id));
    const adminMode = { FILTER: { ID: extranet.id }, ADMIN_MODE: true };
    expect((await t.rest('user.get', adminMode, token).expect(200)).body.result).toHaveLength(1);
    const otherAdmin = t.find((user) => user.admin && user.active && user.id !== t.admin.id);
    await t.http
      .post(`/_emulator/users/${t.admin.id}/admin`)
      .set('cookie', `em_user=${otherAdmin.id}`)
      .send({ admin: false })
      .expect(200);
    const profile = await t.rest('profile', {}, token).expect(200);
    expect(profile.body.result.ADMIN).toBe(false);
    expect((await t.rest('user.admin', {}, token).expect(200)).body.result).toBe(false);
    expect((await t.rest('user.get', adminMode, token).expect(200)).body.result).toEqual([]);
    const bind = { PLACEMENT: 'LEFT_MENU', HANDLER: 'http://localhost:3000/app' };
    for (const [method, params] of [
      ['placement.bind', bind],
      ['placement.get', {}],
      ['placement.unbind', { PLACEMENT: 'LEFT_MENU' }],
    ] as const) {
      expect((await t.rest(method, params, token).expect(403)).body, method).toEqual({
        error: 'ACCESS_DENIED',
        error_description: 'Access denied!',
      });
    }
    t.portal.setUserAdmin(t.admin.id, true);
    await t.rest('placement.bind', bind, token).expect(200);
  });

  it('the control endpoints: admins only, booleans only, never the last active admin', async () => {
    const t = testEmulator({ company: { users: 30 } });
    const employee = t.find(isOrdinary);
    await t.http
      .post(`/_emulator/users/${employee.id}/active`)
      .set('cookie', `em_user=${employee.id}`)
      .send({ active: false })
      .expect(403);
    await t.http.post(`/_emulator/users/${employee.id}/active`).send({ active: 'N' }).expect(400);
    await t.http.post('/_emulator/users/99999999/active').send({ active: false }).expect(404);
    await t.http.post(`/_emulator/users/${employee.id}/admin`).send({ admin: true }).expect(200);
    expect(t.portal.directory.user(employee.id)?.admin).toBe(true);
    const admins = t.portal.directory.users.filter((user) => user.admin && user.active);
    const [last, ...others] = admins;
    for (const user of others) t.portal.setUserAdmin(user.id, false);
    if (last === undefined) throw new Error('no admin');
    const refused = await t.http
      .post(`/_emulator/users/${last.id}/active`)
      .set('cookie', `em_user=${last.id}`)
      .send({ active: false })
      .expect(409);
    expect(refused.body.error).toBe('LAST_ADMIN');
    await t.http
      .post(`/_emulator/users/${last.id}/admin`)
      .set('cookie', `em_user=${last.id}`)
      .send({ admin: false })
      .expect(409);
  });
});
