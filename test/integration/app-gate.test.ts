import { Keyv } from 'keyv';
import { afterEach, describe, expect, it } from 'vitest';
import { addEmployee } from '../emulator/lifecycle.js';
import type { CompanyUser } from '../emulator/company.js';
import { bootstrapOf } from '../support/harness.js';
import { directoryStack, employees, framePost, type DirectoryStack } from './directory-stack.js';

/*
 * `POST /app` with Keycard's own access settings on top of Bitrix24's: the real emulator answers
 * `profile` and the OAuth server's `app.info` for each user's frame token.
 */

const stacks: DirectoryStack[] = [];
async function syncedStack(store?: Keyv): Promise<DirectoryStack> {
  const created = await directoryStack({ users: 120, departments: 12, ...(store === undefined ? {} : { store }) });
  stacks.push(created);
  await created.directory.runSync(created.memberId, 'admin');
  return created;
}

afterEach(async () => {
  for (const created of stacks.splice(0)) await created.close();
});

/** Opens the app as `user`, as the portal's frame POST would. */
const open = (s: DirectoryStack, user: CompanyUser, lang = 'en') => framePost(s, user, { lang });

/** Restricts the app to department `departmentId` (direct members) as the admin would. */
async function restrictTo(s: DirectoryStack, code: string): Promise<void> {
  const admin = `Bearer ${await s.session({ userId: '1', isAdmin: true })}`;
  const current = await s.request.get('/api/access/policy').set('authorization', admin);
  const { version: _version, ...policy } = current.body.policy;
  await s.request
    .put('/api/access/policy')
    .set('authorization', admin)
    .set('if-match', current.body.etag)
    .send({ ...policy, allowList: [code] })
    .expect(200);
}

describe('POST /app: Keycard access settings', () => {
  it('an employee outside the allow-list sees a denied page naming the app admins; one inside gets the app', async () => {
    const s = await syncedStack();
    const admin = s.portal.defaultUser();
    expect((await open(s, admin)).status).toBe(200); // Keycard now knows this admin
    await s.background.idle();
    const inside = employees(s)[0];
    if (inside === undefined) throw new Error('no employee');
    const department = inside.departments[0] ?? 0;
    const outside = employees(s).find((user) => !user.departments.includes(department));
    if (outside === undefined) throw new Error('no employee outside');
    await restrictTo(s, `D${department}`);

    const denied = await open(s, outside);
    expect(denied.status).toBe(403);
    expect(denied.text).toContain('You have no access to this app');
    expect(denied.text).toContain(`${admin.name} ${admin.lastName}`);
    expect(denied.text).toContain('APP_ACCESS_DENIED');
    expect(denied.text).not.toContain('keycard-bootstrap');
    expect(denied.headers['content-security-policy']).toMatch(new RegExp(`frame-ancestors ${s.portal.origin}(;|$)`));

    const russian = await open(s, outside, 'ru');
    expect(russian.text).toContain('У вас нет доступа к приложению');

    const allowed = await open(s, inside);
    expect(allowed.status).toBe(200);
    expect(bootstrapOf(allowed.text).user.id).toBe(String(inside.id));
    // Admins always pass, as in Bitrix24.
    expect((await open(s, admin)).status).toBe(200);
  });

  it('a user who joined after the last sync is fetched before the decision, so their department counts', async () => {
    const s = await syncedStack();
    const department = employees(s)[0]?.departments[0] ?? 0;
    await restrictTo(s, `DR${department}`);
    const newcomer = addEmployee(
      s.portal,
      { name: 'Nova', lastName: 'Newcomer', departmentId: department },
      s.portal.defaultUser(),
    );
    const res = await open(s, newcomer);
    expect(res.status).toBe(200);
  });

  it('refreshes a known opener’s record once per ten minutes, not on every open', async () => {
    const s = await syncedStack();
    const worker = employees(s)[0];
    if (worker === undefined) throw new Error('no employee');
    s.portal.resetCounters();
    for (let i = 0; i < 3; i++) expect((await open(s, worker)).status).toBe(200);
    await s.background.idle();
    expect(s.portal.counters.byMethod['user.get']).toBe(1);
  });

  it('a store that fails while reading the access settings shows "temporarily unavailable", never the app', async () => {
    let failing = false;
    const map = new Map<string, unknown>();
    const flaky = new Proxy(map, {
      get(target, property, receiver) {
        if (property === 'get' && failing) {
          return (key: string) => {
            if (key.includes('access:policy')) throw new Error('disk I/O error');
            return target.get(key);
          };
        }
        const value: unknown = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    const s = await syncedStack(new Keyv({ store: flaky, throwOnErrors: true }));
    const worker = employees(s)[0];
    if (worker === undefined) throw new Error('no employee');
    failing = true;
    const res = await open(s, worker);
    expect(res.status).toBe(503);
    expect(res.text).toContain('temporarily unavailable');
    expect(res.text).not.toContain('keycard-bootstrap');
    const api = await s.request
      .get('/api/me')
      .set('authorization', `Bearer ${await s.session({ userId: String(worker.id), isAdmin: false })}`);
    expect(api.status).toBe(503);
    failing = false;
    expect((await open(s, worker)).status).toBe(200);
  });
});
