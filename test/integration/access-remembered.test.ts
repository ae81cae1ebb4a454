import { afterEach, describe, expect, it } from 'vitest';
import { directoryStack, type DirectoryStack } from './directory-stack.js';

/*
 * Decisions are remembered per (policy index, mirror snapshot, user): the same user asking the same thing again
 * must still see every change. Each case asks twice before the change (so the answer is remembered), then
 * checks the next request follows the new policy, the user update (overlay revision) or the new generation.
 */

const stacks: DirectoryStack[] = [];
afterEach(async () => {
  for (const created of stacks.splice(0)) await created.close();
});

async function syncedStack(): Promise<DirectoryStack> {
  const created = await directoryStack({ users: 120, departments: 12 });
  stacks.push(created);
  await created.directory.runSync(created.memberId, 'admin');
  return created;
}

/** Gives the built-in Manager role (directory read among it) to `code` only; nobody else reads the directory. */
async function managersAre(s: DirectoryStack, code: string): Promise<void> {
  const admin = `Bearer ${await s.session({ userId: '1', isAdmin: true })}`;
  const read = await s.request.get('/api/access/policy').set('authorization', admin).expect(200);
  const { version: _version, ...policy } = read.body.policy;
  await s.request
    .put('/api/access/policy')
    .set('authorization', admin)
    .set('if-match', read.body.etag)
    .send({ ...policy, assignments: [{ code, role: 'manager' }] })
    .expect(200);
}

/** An active employee (no admin, heads nothing) and a department they are not in, with another they are in. */
function pick(s: DirectoryStack) {
  const { directory } = s.portal;
  const user = directory.users.find(
    (candidate) =>
      candidate.active &&
      !candidate.admin &&
      candidate.type === 'employee' &&
      candidate.departments.length === 1 &&
      directory.headedBy(candidate.id).length === 0,
  );
  const home = user?.departments[0];
  const target = directory.departments.find((department) => department.id !== home && department.id !== 1);
  if (user === undefined || home === undefined || target === undefined) throw new Error('no such employee');
  return { user, home, target: target.id };
}

async function status(s: DirectoryStack, auth: string): Promise<number[]> {
  const ask = async () => (await s.request.get('/api/directory/departments').set('authorization', auth)).status;
  return [await ask(), await ask()];
}

describe('remembered access decisions', () => {
  it('follow a policy save: a user allowed twice is refused at once, and allowed again after the next save', async () => {
    const s = await syncedStack();
    const { user, home, target } = pick(s);
    const auth = `Bearer ${await s.session({ userId: String(user.id), isAdmin: false })}`;
    await managersAre(s, `D${home}`);
    expect(await status(s, auth)).toEqual([200, 200]);
    await managersAre(s, `D${target}`);
    expect(await status(s, auth)).toEqual([403, 403]);
    await managersAre(s, `DR${home}`);
    expect(await status(s, auth)).toEqual([200, 200]);
  });

  it('follow the mirror: a user update (a new overlay revision) and a new generation change the answer at once', async () => {
    const s = await syncedStack();
    const { user, home, target } = pick(s);
    const auth = `Bearer ${await s.session({ userId: String(user.id), isAdmin: false })}`;
    await managersAre(s, `D${target}`);
    expect(await status(s, auth)).toEqual([403, 403]);

    // Moved into the department in Bitrix24; the mirror learns it from one user.get (an overlay entry).
    user.departments = [target];
    await s.directory.refreshUser(s.memberId, user.id);
    expect(await status(s, auth)).toEqual([200, 200]);

    // Moved back; the next full sync (a new generation) is what tells the mirror.
    user.departments = [home];
    const report = await s.directory.runSync(s.memberId, 'schedule');
    expect(report.generation).toBe(2);
    expect(await status(s, auth)).toEqual([403, 403]);

    // Fired: refused however the decision was remembered before.
    user.departments = [target];
    await s.directory.refreshUser(s.memberId, user.id);
    expect(await status(s, auth)).toEqual([200, 200]);
    user.active = false;
    await s.directory.refreshUser(s.memberId, user.id);
    expect((await s.request.get('/api/directory/departments').set('authorization', auth)).body.error).toBe(
      'APP_ACCESS_DENIED',
    );
  });
});
