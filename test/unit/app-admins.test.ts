import { Keyv } from 'keyv';
import { describe, expect, it } from 'vitest';
import { AppAdmins } from '../../server/access/app-admins.js';
import { Documents } from '../../server/store/documents.js';
import { InProcessLocks } from '../../server/store/locks.js';

function setup(installed: () => boolean) {
  const map = new Map<string, unknown>();
  let reads = 0;
  const store = new Proxy(map, {
    get(target, property, receiver) {
      if (property === 'get') {
        return (key: string) => {
          reads++;
          return target.get(key);
        };
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  const admins = new AppAdmins({
    documents: new Documents({ keyv: new Keyv({ store, throwOnErrors: true }) }),
    locks: new InProcessLocks(),
    clock: { now: () => 1 },
    installed: () => Promise.resolve(installed()),
  });
  return { admins, map, reads: () => reads };
}

describe('AppAdmins', () => {
  it('remembers admins most recent first and forgets a demoted one', async () => {
    const { admins } = setup(() => true);
    await admins.record('m1', { id: '1', name: 'Ada' });
    await admins.record('m1', { id: '2', name: 'Bo' });
    expect((await admins.list('m1')).map((admin) => admin.name)).toEqual(['Bo', 'Ada']);
    await admins.forget('m1', '2');
    expect((await admins.list('m1')).map((admin) => admin.name)).toEqual(['Ada']);
  });

  it('a late record after an uninstall with "clear data" stores nothing', async () => {
    let installed = true;
    const { admins, map } = setup(() => installed);
    await admins.record('m1', { id: '1', name: 'Ada' });
    installed = false;
    await admins.purgePortal('m1');
    await admins.record('m1', { id: '2', name: 'Bo' });
    expect([...map.keys()].filter((key) => key.includes('m1'))).toEqual([]);
  });

  it('an employee opening the app all day costs two store reads, not two per open', async () => {
    const { admins, reads } = setup(() => true);
    for (let i = 0; i < 5; i++) await admins.forget('m1', '7');
    // The admin list, and the document remembering them as not an admin (so check-a-user can say so).
    expect(reads()).toBe(2);
  });
});
