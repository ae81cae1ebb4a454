import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { isOrdinary, testEmulator } from './helpers.js';

describe('portal page endpoints (/_emulator)', () => {
  it('GET /state describes the portal, the app, the current user and users to switch to', async () => {
    const t = testEmulator();
    const state = (await t.http.get('/_emulator/state').expect(200)).body;
    expect(state.portal).toEqual({
      host: t.portal.host,
      memberId: t.portal.memberId,
      lang: 'en',
      protocol: 0,
      oauthRegion: 'west',
      oauthServer: `${t.portal.origin}/oauth-server`,
      plan: 'standard',
      subscriptionExpired: false,
    });
    expect(state.page).toEqual({ dialogCancel: 'answer' });
    expect(state.app).toMatchObject({
      title: 'Keycard',
      installed: false,
      finished: false,
      accessCodes: [],
      accessNames: {},
    });
    expect(state.currentUser).toMatchObject({ id: 1, isAdmin: true, active: true, type: 'employee' });
    const switchable: Array<{
      id: number;
      isAdmin: boolean;
      active: boolean;
      type: string;
      departmentId: number | null;
    }> = state.switchable;
    expect(switchable[0]?.id).toBe(1);
    const ordinary = switchable.filter((user) => !user.isAdmin && user.active && user.type === 'employee');
    expect(ordinary.length).toBeGreaterThanOrEqual(3);
    expect(new Set(ordinary.map((user) => user.departmentId)).size).toBe(ordinary.length);
    expect(ordinary.some((user) => t.portal.directory.depth(user.departmentId ?? 1) >= 3)).toBe(true);
    expect(switchable.filter((user) => !user.active)).toHaveLength(1);
    expect(switchable.filter((user) => user.type === 'extranet')).toHaveLength(1);
  });

  it('switches the current user with a cookie', async () => {
    const t = testEmulator();
    const employee = t.find(isOrdinary);
    const answer = await t.http.post('/_emulator/user').send({ userId: employee.id }).expect(200);
    const cookie = answer.headers['set-cookie']?.[0] ?? '';
    expect(cookie).toMatch(new RegExp(`^em_user=${employee.id};`));
    const state = await t.http.get('/_emulator/state').set('cookie', `em_user=${employee.id}`).expect(200);
    expect(state.body.currentUser.id).toBe(employee.id);
    await t.http.post('/_emulator/user').send({ userId: 99_999_999 }).expect(400);
  });

  it('install → installer frame; open before finish: installer for admins, NOT_FINISHED for others', async () => {
    const t = testEmulator();
    const employee = t.find(isOrdinary);
    expect((await t.http.post('/_emulator/open').expect(409)).body.error).toBe('NOT_INSTALLED');
    expect(
      (await t.http.post('/_emulator/install').set('cookie', `em_user=${employee.id}`).expect(403)).body.error,
    ).toBe('ADMIN_REQUIRED');
    const install = (await t.http.post('/_emulator/install').expect(200)).body;
    expect(install.url).toBe(t.portal.app.installerUrl);
    expect(install.query).toEqual({
      DOMAIN: t.portal.host,
      PROTOCOL: '0',
      LANG: 'en',
      APP_SID: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    expect(install.frameName).toBe(`${t.portal.host}|0|${install.query.APP_SID}`);
    expect(install.body).toEqual({
      AUTH_ID: expect.any(String),
      AUTH_EXPIRES: '3600',
      REFRESH_ID: expect.any(String),
      SERVER_ENDPOINT: t.portal.serverEndpoint,
      member_id: t.portal.memberId,
      status: 'L',
      PLACEMENT: 'DEFAULT',
    });
    expect(install.initData).toMatchObject({
      AUTH_ID: install.body.AUTH_ID,
      PATH: '/rest/',
      MEMBER_ID: t.portal.memberId,
      IS_ADMIN: true,
      INSTALL: true,
      FIRST_RUN: false,
    });
    await t.rest('profile', {}, install.body.AUTH_ID).expect(200);
    expect((await t.http.post('/_emulator/install').expect(409)).body.error).toBe('ALREADY_INSTALLED');
    expect((await t.http.post('/_emulator/open').expect(200)).body.url).toBe(t.portal.app.installerUrl);
    expect((await t.http.post('/_emulator/open').set('cookie', `em_user=${employee.id}`).expect(409)).body.error).toBe(
      'NOT_FINISHED',
    );
  });

  it('frame POST: PLACEMENT_OPTIONS only when there are options, SERVER_ENDPOINT and APPLICATION_TOKEN by option', async () => {
    const t = testEmulator();
    t.install();
    const plain = (await t.http.post('/_emulator/open').expect(200)).body;
    expect(plain.query.PROTOCOL).toBe('0');
    expect(plain.body).not.toHaveProperty('PLACEMENT_OPTIONS');
    expect(plain.body).not.toHaveProperty('APPLICATION_TOKEN');
    expect(plain.body.SERVER_ENDPOINT).toBe(t.portal.serverEndpoint);
    const withOptions = (
      await t.http
        .post('/_emulator/open')
        .send({ placementOptions: { view: 'requests', id: 7, note: '<b>"R&D"</b> a/b' } })
        .expect(200)
    ).body;
    // Bitrix\Main\Web\Json::encode: HEX_TAG|HEX_AMP|HEX_APOS|HEX_QUOT, slashes escaped, ids as strings.
    expect(withOptions.body.PLACEMENT_OPTIONS).toBe(
      '{"view":"requests","id":"7","note":"\\u003Cb\\u003E\\u0022R\\u0026D\\u0022\\u003C\\/b\\u003E a\\/b"}',
    );
    expect(JSON.parse(withOptions.body.PLACEMENT_OPTIONS)).toEqual({
      view: 'requests',
      id: '7',
      note: '<b>"R&D"</b> a/b',
    });
    expect(withOptions.initData.PLACEMENT_OPTIONS).toEqual({ view: 'requests', id: '7', note: '<b>"R&D"</b> a/b' });

    const moduleShape = testEmulator({ frameServerEndpoint: false, frameApplicationToken: true });
    moduleShape.install();
    const open = (await moduleShape.http.post('/_emulator/open').expect(200)).body;
    expect(open.body).not.toHaveProperty('SERVER_ENDPOINT');
    expect(open.body).toMatchObject({
      APPLICATION_TOKEN: moduleShape.portal.installation.applicationToken,
      APPLICATION_SCOPE: 'user_brief,department,placement',
    });
  });

  it('after install-finish opens the handler with FIRST_RUN once', async () => {
    const t = testEmulator();
    await t.http.post('/_emulator/install').expect(200);
    const employee = t.find(isOrdinary);
    await t.http.post('/_emulator/install-finish').set('cookie', `em_user=${employee.id}`).expect(403);
    await t.http.post('/_emulator/install-finish').expect(200);
    const first = (await t.http.post('/_emulator/open').set('cookie', `em_user=${employee.id}`).expect(200)).body;
    expect(first.url).toBe(t.portal.app.handlerUrl);
    expect(first.initData).toMatchObject({ INSTALL: false, FIRST_RUN: true, IS_ADMIN: false });
    const second = (await t.http.post('/_emulator/open').expect(200)).body;
    expect(second.initData).toMatchObject({ INSTALL: false, FIRST_RUN: false, IS_ADMIN: true });
    expect((await t.http.get('/_emulator/state')).body.app).toMatchObject({ installed: true, finished: true });
  });

  it('opens the app for users the access setting excludes, whose REST calls then get user_access_error', async () => {
    const t = testEmulator();
    await t.http.post('/_emulator/install').expect(200);
    await t.http.post('/_emulator/install-finish').expect(200);
    const employee = t.find(isOrdinary);
    await t.http
      .post('/_emulator/access')
      .set('cookie', `em_user=${employee.id}`)
      .send({ codes: ['AU'] })
      .expect(403);
    const set = await t.http
      .post('/_emulator/access')
      .send({ codes: ['U1', 'DR1'] })
      .expect(200);
    expect(set.body.accessNames).toEqual({
      U1: t.portal.directory.fullName(t.admin),
      DR1: 'Keycard Demo Company (with subdepartments)',
    });
    await t.http
      .post('/_emulator/access')
      .send({ codes: ['U1'] })
      .expect(200);
    await t.http
      .post('/_emulator/access')
      .send({ codes: ['<script>'] })
      .expect(400);
    const open = (await t.http.post('/_emulator/open').set('cookie', `em_user=${employee.id}`).expect(200)).body;
    expect((await t.rest('profile', {}, open.body.AUTH_ID).expect(403)).body.error).toBe('user_access_error');
    expect((await t.http.get('/_emulator/state')).body.app.accessCodes).toEqual(['U1']);
  });

  it('refresh-auth issues new working tokens for the current user', async () => {
    const t = testEmulator();
    await t.http.post('/_emulator/refresh-auth').expect(409);
    t.install();
    const employee = t.find(isOrdinary);
    const tokens = (await t.http.post('/_emulator/refresh-auth').set('cookie', `em_user=${employee.id}`).expect(200))
      .body;
    expect(Object.keys(tokens).sort()).toEqual(['AUTH_EXPIRES', 'AUTH_ID', 'REFRESH_ID']);
    expect((await t.rest('profile', {}, tokens.AUTH_ID).expect(200)).body.result.ID).toBe(String(employee.id));
  });

  it('GET /directory lists departments and at most 200 users, filtered by q', async () => {
    const t = testEmulator({ company: { users: 500 } });
    const all = (await t.http.get('/_emulator/directory').expect(200)).body;
    expect(all.users).toHaveLength(200);
    expect(all.departments).toHaveLength(t.portal.directory.departments.length);
    expect(all.departments[0]).toEqual({ id: 1, name: 'Keycard Demo Company', parentId: null, headId: 1 });
    expect(all.users[0]).toMatchObject({ id: 1, departmentIds: [1], active: true, type: 'employee' });
    const hostile = (await t.http.get('/_emulator/directory').query({ q: '<script>' }).expect(200)).body;
    expect(hostile.users.length).toBeGreaterThan(0);
    expect(hostile.users.every((user: { name: string }) => user.name.includes('<script>'))).toBe(true);
  });

  it('adds employees (admin only) and uninstalls with CLEAN wiping app options', async () => {
    const t = testEmulator();
    const token = t.install();
    const employee = t.find(isOrdinary);
    await t.http
      .post('/_emulator/users')
      .set('cookie', `em_user=${employee.id}`)
      .send({ name: 'X', lastName: 'Y', departmentId: 1 })
      .expect(403);
    await t.http.post('/_emulator/users').send({ name: 'X', lastName: 'Y', departmentId: 99_999 }).expect(400);
    const created = (
      await t.http.post('/_emulator/users').send({ name: 'Néstor', lastName: 'Nuevo', departmentId: 3 }).expect(201)
    ).body;
    const found = await t.rest('user.get', { ID: created.id }, token).expect(200);
    expect(found.body.result[0]).toMatchObject({ NAME: 'Néstor', UF_DEPARTMENT: [3] });
    await t.rest('app.option.set', { options: { theme: 'dark' } }, token).expect(200);
    await t.http.post('/_emulator/uninstall').set('cookie', `em_user=${employee.id}`).send({ clean: true }).expect(403);
    await t.http.post('/_emulator/uninstall').send({ clean: true }).expect(200);
    expect(t.portal.installation).toMatchObject({
      installed: false,
      finished: false,
      appOptions: {},
      events: [],
      placements: [],
    });
    await t.http.post('/_emulator/uninstall').send({ clean: true }).expect(409);
  });

  it('serves avatars with escaped initials, the page if present, and 404 for unknown page files', async () => {
    const t = testEmulator();
    const hostile = t.find((user) => user.name.startsWith('<script>'));
    const avatar = await t.http.get(`/_emulator/avatar/${hostile.id}.svg`).expect(200);
    expect(avatar.type).toBe('image/svg+xml');
    expect(avatar.text ?? avatar.body.toString()).not.toContain('<script');
    await t.http.get('/_emulator/page/does-not-exist.js').expect(404);
    const pagePresent = existsSync(fileURLToPath(new URL('../emulator/page/index.html', import.meta.url)));
    const root = await t.http.get('/');
    expect(root.status).toBe(pagePresent ? 200 : 404);
    if (pagePresent) expect(root.type).toBe('text/html');
  });
});
