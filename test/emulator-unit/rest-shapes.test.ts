import { describe, expect, it } from 'vitest';
import { isOrdinary, testEmulator } from './helpers.js';

const TIME_KEYS = [
  'start',
  'finish',
  'duration',
  'processing',
  'date_start',
  'date_finish',
  'operating_reset_at',
  'operating',
];

describe('REST answers have the documented shapes', () => {
  it('user.get: string ID, boolean ACTIVE, integer UF_DEPARTMENT, USER_TYPE, no EMAIL under user_brief, a time block', async () => {
    const t = testEmulator();
    const token = t.install();
    const response = await t.rest('user.get', { FILTER: { ID: 1 } }, token).expect(200);
    expect(Object.keys(response.body.time)).toEqual(TIME_KEYS);
    expect(response.body.total).toBe(1);
    expect(response.body).not.toHaveProperty('next');
    const [user] = response.body.result;
    expect(user).toMatchObject({
      ID: '1',
      ACTIVE: true,
      USER_TYPE: 'employee',
      UF_DEPARTMENT: [1],
      IS_ONLINE: expect.stringMatching(/^[YN]$/),
    });
    expect(user.DATE_REGISTER).toMatch(/^\d{4}-\d\d-\d\dT00:00:00\+00:00$/);
    expect(user.TIMESTAMP_X).toEqual({});
    expect(user).not.toHaveProperty('EMAIL');
    expect(user).not.toHaveProperty('LAST_LOGIN');
  });

  it('user.get adds EMAIL with user_basic and LAST_LOGIN with user', async () => {
    const basic = testEmulator({ scopes: 'user_basic,department' });
    const basicUser = (await basic.rest('user.current', {}, basic.install()).expect(200)).body.result;
    expect(basicUser.EMAIL).toMatch(/@example\.com$/);
    expect(basicUser).not.toHaveProperty('LAST_LOGIN');
    const full = testEmulator({ scopes: ['user', 'department'] });
    const fullUser = (await full.rest('user.current', {}, full.install()).expect(200)).body.result;
    expect(fullUser).toHaveProperty('EMAIL');
    expect(fullUser.LAST_LOGIN).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('extranet users come without UF_DEPARTMENT and with USER_TYPE extranet', async () => {
    const t = testEmulator();
    const token = t.install();
    const response = await t
      .rest('user.get', { FILTER: { USER_TYPE: 'extranet' }, ADMIN_MODE: true }, token)
      .expect(200);
    expect(response.body.result.length).toBeGreaterThan(0);
    for (const user of response.body.result) {
      expect(user.USER_TYPE).toBe('extranet');
      expect(user).not.toHaveProperty('UF_DEPARTMENT');
    }
  });

  it('user.current answers for the token’s user', async () => {
    const t = testEmulator();
    t.install();
    const employee = t.find(isOrdinary);
    const response = await t.rest('user.current', {}, t.tokenFor(employee)).expect(200);
    expect(response.body.result.ID).toBe(String(employee.id));
    expect(response.body.result.NAME).toBe(employee.name);
  });

  it('department.get: root without PARENT, string IDs, numeric SORT, UF_HEAD only when set', async () => {
    const t = testEmulator();
    const token = t.install();
    const response = await t.rest('department.get', {}, token).expect(200);
    const departments: Array<Record<string, unknown>> = response.body.result;
    expect(response.body.total).toBe(t.portal.directory.departments.length);
    expect(departments[0]).toEqual({ ID: '1', NAME: 'Keycard Demo Company', SORT: 500, UF_HEAD: '1' });
    for (const department of departments.slice(1)) {
      expect(department.ID).toEqual(expect.stringMatching(/^\d+$/));
      expect(department.PARENT).toEqual(expect.stringMatching(/^\d+$/));
      expect(typeof department.SORT).toBe('number');
    }
    const headless = t.portal.directory.departments.find((department) => department.head === null);
    expect(headless).toBeDefined();
    expect(departments.find((department) => department.ID === String(headless?.id))).not.toHaveProperty('UF_HEAD');
  });

  it('profile, user.admin, user.access, app.info, scope', async () => {
    const t = testEmulator();
    const adminToken = t.install();
    const employee = t.find(isOrdinary);
    const token = t.tokenFor(employee);
    expect((await t.rest('profile', {}, adminToken)).body.result).toMatchObject({
      ID: '1',
      ADMIN: true,
      TIME_ZONE_OFFSET: 0,
    });
    expect((await t.rest('profile', {}, token)).body.result).toMatchObject({ ID: String(employee.id), ADMIN: false });
    expect((await t.rest('user.admin', {}, token)).body.result).toBe(false);
    expect((await t.rest('user.access', { ACCESS: [`U${employee.id}`] }, token)).body.result).toBe(true);
    expect((await t.rest('user.access', { ACCESS: [`D${employee.departments[0]}`] }, token)).body.result).toBe(true);
    expect((await t.rest('user.access', { ACCESS: ['U1'] }, token)).body.result).toBe(false);
    expect((await t.rest('user.access', { ACCESS: ['U999999'] }, adminToken)).body.result).toBe(true);
    expect((await t.rest('app.info', {}, token)).body.result).toMatchObject({
      CODE: 'keycard',
      STATUS: 'L',
      INSTALLED: true,
      LANGUAGE_ID: 'en',
    });
    expect((await t.rest('scope', {}, token)).body.result).toEqual(['user_brief', 'department', 'placement']);
  });

  it('app.info reports INSTALLED false until installFinish', async () => {
    const t = testEmulator();
    const { installApp } = await import('../emulator/lifecycle.js');
    const tokens = installApp(t.portal, t.admin);
    expect((await t.rest('app.info', {}, tokens.accessToken)).body.result.INSTALLED).toBe(false);
  });

  it('access.name: names of known codes, [] when none is known, false without a list', async () => {
    const t = testEmulator();
    const token = t.install();
    const names = (await t.rest('access.name', { ACCESS: ['AU', 'U1', 'D1', 'DR1', 'X9'] }, token)).body.result;
    expect(names.AU).toEqual({ name: 'All authorized users', provider: '', provider_id: 'other' });
    expect(names.U1.provider_id).toBe('user');
    expect(names.D1).toMatchObject({ name: 'Keycard Demo Company', provider_id: 'intranet' });
    expect(names).toHaveProperty('DR1');
    expect(names).not.toHaveProperty('X9');
    expect((await t.rest('access.name', { ACCESS: ['U99999999'] }, token)).body.result).toEqual([]);
    expect((await t.rest('access.name', { ACCESS: 'AU' }, token)).body.result).toBe(false);
  });

  it('sonet_group.get and sonet_group.user.get with the sonet_group scope', async () => {
    const t = testEmulator({ scopes: 'user_brief,department,placement,sonet_group' });
    const token = t.install();
    const groups = await t.rest('sonet_group.get', { IS_ADMIN: 'Y' }, token).expect(200);
    expect(groups.body.total).toBe(t.portal.directory.groups.length);
    expect(groups.body.result[0]).toMatchObject({
      ID: expect.any(String),
      OWNER_ID: expect.any(String),
      PROJECT: expect.stringMatching(/^[YN]$/),
    });
    // Default order: ID descending.
    expect(Number(groups.body.result[0].ID)).toBe(t.portal.directory.groups.length);
    const members = await t.rest('sonet_group.user.get', { ID: 1 }, token).expect(200);
    expect(members.body.result[0]).toEqual({ USER_ID: String(t.portal.directory.groups[0]?.ownerId), ROLE: 'A' });
    expect(members.body.result.every((member: { ROLE: string }) => ['A', 'E', 'K'].includes(member.ROLE))).toBe(true);
    const missing = await t.rest('sonet_group.user.get', { ID: 99999 }, token).expect(400);
    expect(missing.body).toEqual({ error: '', error_description: 'Socialnetwork group not found' });
  });

  it('accepts GET with query parameters, a .json suffix, and reports unknown methods', async () => {
    const t = testEmulator();
    const token = t.install();
    const response = await t.http.get(`/rest/user.get.json?auth=${token}&FILTER[ID]=1`).expect(200);
    expect(response.body.result.map((user: { ID: string }) => user.ID)).toEqual(['1']);
    const unknown = await t.rest('no.such.method', {}, token).expect(404);
    expect(unknown.body).toEqual({ error: 'ERROR_METHOD_NOT_FOUND', error_description: 'Method not found!' });
  });
});

describe('REST over HTTP', () => {
  it('answers CORS preflights and allows any origin, as the portal does for frames calling REST', async () => {
    const t = testEmulator();
    const preflight = await t.http.options('/rest/user.get').set('origin', 'http://localhost:3000').expect(200);
    expect(preflight.headers['access-control-allow-origin']).toBe('*');
    expect(preflight.headers['access-control-allow-headers']).toContain('content-type');
    expect(t.portal.counters.restRequests).toBe(0);
    const token = t.install();
    const call = await t.rest('profile', {}, token).set('origin', 'http://localhost:3000').expect(200);
    expect(call.headers['access-control-allow-origin']).toBe('*');
  });

  it('tolerates a doubled slash after /rest (endpoint with a trailing slash plus /method)', async () => {
    const t = testEmulator();
    const token = t.install();
    await t.http.post('/rest//profile').send({ auth: token }).expect(200);
  });
});
