import { afterEach, describe, expect, it } from 'vitest';
import { loadManifest } from '../../server/manifest.js';
import { directoryStack, type DirectoryStack } from './directory-stack.js';

/*
 * Issue 13: every feature of the shipped manifest does something a user can see. Each level of each feature has a
 * request here that a role granting exactly that level makes succeed and that no role refuses. A feature added to
 * manifest/keycard.json without a route guarded by it fails this test (as Reports, Left menu item, App settings
 * and Access by workgroup did: roles granted them and nothing changed).
 */

const SHIPPED = 'manifest/keycard.json';
const manifest = loadManifest(SHIPPED);

/** What each feature level lets a user do, as one API request. */
const probes: Record<string, { method: 'get' | 'put'; path: string; body?: object }> = {
  'directory:read': { method: 'get', path: '/api/directory/users' },
  'stock:read': { method: 'get', path: '/api/stock' },
  'stock:edit': { method: 'put', path: '/api/stock/KB-100/1', body: { quantity: 5 } },
  // The workgroup tab's API (issue 14): the emulated company's first workgroup.
  'group_access:read': { method: 'get', path: '/api/placements/group-access/1' },
};

const stacks: DirectoryStack[] = [];
afterEach(async () => {
  for (const created of stacks.splice(0)) await created.close();
});

describe('the shipped manifest', () => {
  it('has a request for every level of every feature', () => {
    const levels = manifest.features.flatMap((feature) => feature.levels.map((level) => `${feature.key}:${level}`));
    expect(levels.filter((level) => probes[level] === undefined)).toEqual([]);
  });

  it('each feature level opens its request, and nobody without it gets through', async () => {
    const s = await directoryStack({
      users: 30,
      departments: 4,
      manifest: SHIPPED,
      scopes: ['user_brief', 'department', 'placement', 'sonet_group'],
    });
    stacks.push(s);
    await s.directory.runSync(s.memberId, 'admin');
    const admin = `Bearer ${await s.session({ userId: '1', isAdmin: true })}`;
    const current = await s.request.get('/api/access/policy').set('authorization', admin).expect(200);
    const users = s.portal.directory.users.filter((user) => user.active && !user.admin && user.type === 'employee');
    const levels = Object.keys(probes);
    const [nobody, ...holders] = users;
    if (nobody === undefined || holders.length < levels.length) throw new Error('company too small');
    const roles = levels.map((level, i) => {
      const [feature = '', key = ''] = level.split(':');
      return { key: `r${i}`, title: `Only ${level}`, builtIn: false, grants: { [feature]: { level: key } } };
    });
    const { version: _version, ...policy } = current.body.policy;
    await s.request
      .put('/api/access/policy')
      .set('authorization', admin)
      .set('if-match', current.body.etag)
      .send({
        ...policy,
        roles: [...policy.roles, ...roles],
        assignments: levels.map((_level, i) => ({ code: `U${holders[i]?.id}`, role: `r${i}` })),
      })
      .expect(200);

    for (const [i, level] of levels.entries()) {
      const probe = probes[level];
      if (probe === undefined) continue;
      const send = async (userId: number) => {
        const auth = `Bearer ${await s.session({ userId: String(userId), isAdmin: false })}`;
        const request = s.request[probe.method](probe.path).set('authorization', auth);
        return probe.body === undefined ? request : request.send(probe.body);
      };
      expect([level, (await send(holders[i]?.id ?? 0)).status]).toEqual([level, 200]);
      const refused = await send(nobody.id);
      expect([level, refused.status, refused.body.error]).toEqual([level, 403, 'FEATURE_DENIED']);
    }
  });
});
