import { Keyv } from 'keyv';
import { describe, expect, it } from 'vitest';
import { buildIndex } from '../../server/access/access-index.js';
import { AppAdmins } from '../../server/access/app-admins.js';
import { checkUser } from '../../server/access/check-user.js';
import { buildSnapshot } from '../../server/directory/snapshot.js';
import { Documents } from '../../server/store/documents.js';
import { InProcessLocks } from '../../server/store/locks.js';
import { manifest, policy } from './access-fixtures.js';

// Issue 13: "administrator status unknown" only when it really is. Bitrix24 tells Keycard whether someone is an
// admin each time they open the app; what it said is what check-a-user shows.

const person = (id: number) => ({
  id,
  active: true,
  type: 'employee',
  name: `User ${id}`,
  lastName: '',
  email: null,
  position: '',
  departments: [],
  photo: null,
});
const snapshot = buildSnapshot({
  memberId: 'm1',
  generation: 1,
  refreshedAt: 0,
  workgroups: { available: true },
  users: [person(1), person(5), person(6), person(7)],
  departments: [],
  groups: [],
  members: [],
});
const stored = { policy: policy(), etag: '"0-default"' };
const context = {
  stored,
  index: buildIndex(stored.policy, manifest),
  snapshot,
  subject: { userId: 1, active: true, isAdmin: true, codes: ['U1', 'AU'] },
};
const asker = { userId: '1', isAdmin: true, lang: 'en' as const };

function appAdmins() {
  return new AppAdmins({
    documents: new Documents({ keyv: new Keyv({ store: new Map(), throwOnErrors: true }) }),
    locks: new InProcessLocks(),
    clock: { now: () => 1 },
    installed: () => Promise.resolve(true),
  });
}

describe('check a user: admin status', () => {
  it('is what Bitrix24 said when the user last opened the app, and unknown only for someone never seen', async () => {
    const admins = appAdmins();
    await admins.record('m1', { id: '5', name: 'User 5' });
    await admins.forget('m1', '6'); // opened the app; Bitrix24 said: not an admin
    const status = async (userId: number) =>
      (await checkUser({ appAdmins: admins }, 'm1', context, asker, userId)).adminStatus;
    expect(await status(5)).toBe('admin');
    expect(await status(6)).toBe('notAdmin');
    expect(await status(7)).toBe('unknown');
    expect(await status(1)).toBe('admin'); // the asker's own session says so
  });

  it('a demoted admin is not an admin, and a promoted one is no longer remembered as not one', async () => {
    const admins = appAdmins();
    await admins.record('m1', { id: '5', name: 'User 5' });
    await admins.forget('m1', '5');
    expect(await admins.status('m1', '5')).toBe('notAdmin');
    await admins.record('m1', { id: '5', name: 'User 5 (renamed)' });
    expect(await admins.status('m1', '5')).toBe('admin');
    await admins.purgePortal('m1');
    expect(await admins.status('m1', '5')).toBe('unknown');
  });
});
