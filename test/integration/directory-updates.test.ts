import express from 'express';
import supertest from 'supertest';
import { afterEach, describe, expect, it } from 'vitest';
import { DocumentDirectoryRepository } from '../../server/directory/directory-repository.js';
import { Documents } from '../../server/store/documents.js';
import { accessCodes } from '../../server/directory/user-codes.js';
import { userAddPayload } from '../emulator/event-payloads.js';
import { addEmployee, uninstallApp } from '../emulator/lifecycle.js';
import { buildPhpQuery } from '../emulator/php-query.js';
import { deferred, directoryStack, type DirectoryStack } from './directory-stack.js';

const stacks: DirectoryStack[] = [];
async function stack(options: Parameters<typeof directoryStack>[0] = {}): Promise<DirectoryStack> {
  const created = await directoryStack(options);
  stacks.push(created);
  return created;
}

afterEach(async () => {
  for (const created of stacks.splice(0)) await created.close();
});

/** The ONUSERADD `data` block as the events route receives it: form-encoded by the portal, parsed by qs. */
async function formParsedUserAdd(s: DirectoryStack, userId: number): Promise<unknown> {
  const user = s.portal.directory.user(userId);
  if (user === undefined) throw new Error('no such user');
  const payload = userAddPayload(s.portal, user, s.portal.issueTokens(user.id), 1);
  const echo = express();
  echo.post('/', express.urlencoded({ extended: true }), (req, res) => {
    res.json(req.body);
  });
  const res = await supertest(echo).post('/').type('form').send(buildPhpQuery(payload));
  return (res.body as { data: unknown }).data;
}

describe('incremental updates', () => {
  it('ONUSERADD (ACTIVE "Y", form-encoded) upserts the new user, visible at once, without a request', async () => {
    const s = await stack({ users: 100 });
    await s.directory.runSync(s.memberId, 'install');
    const newcomer = addEmployee(
      s.portal,
      { name: 'Ольга', lastName: 'Новикова', departmentId: 3 },
      s.portal.defaultUser(),
    );
    s.portal.resetCounters();

    const data = await formParsedUserAdd(s, newcomer.id);
    expect(data).toMatchObject({ ID: String(newcomer.id), ACTIVE: 'Y', UF_DEPARTMENT: ['3'] });
    const stored = await s.directory.upsertUser(s.memberId, data);

    expect(stored).toEqual({
      id: newcomer.id,
      active: true,
      type: 'employee',
      name: 'Ольга',
      lastName: 'Новикова',
      email: null,
      position: '',
      departments: [3],
      photo: null,
    });
    expect(s.portal.counters.restRequests).toBe(0);
    const snapshot = await s.directory.snapshot(s.memberId);
    expect(snapshot.users.get(newcomer.id)).toEqual(stored);
    expect(accessCodes(snapshot, newcomer.id)).toEqual(
      expect.arrayContaining([`U${newcomer.id}`, 'D3', 'DR3', 'DR1', 'AU']),
    );
    // Same generation, new overlay revision.
    expect(snapshot.generation).toBe(1);
  });

  it('an upsert that changes nothing is not written', async () => {
    const s = await stack({ users: 50 });
    await s.directory.runSync(s.memberId, 'install');
    const before = await new DocumentDirectoryRepository({ documents: new Documents({ keyv: s.store }) }).overlay(
      s.memberId,
    );
    const user = s.portal.directory.users[4];
    if (user === undefined) throw new Error('no user');
    await s.directory.refreshUser(s.memberId, user.id);
    expect(
      await new DocumentDirectoryRepository({ documents: new Documents({ keyv: s.store }) }).overlay(s.memberId),
    ).toEqual(before);
  });

  it('refreshUser fetches one user with one request and applies what changed (the per-open refresh)', async () => {
    const s = await stack({ users: 80 });
    await s.directory.runSync(s.memberId, 'install');
    const user = s.portal.directory.users.find(
      (candidate) => candidate.active && candidate.type === 'employee' && candidate.id > 1,
    );
    if (user === undefined) throw new Error('no user');
    user.position = 'Chief Cartographer';
    user.departments = [2];
    s.portal.resetCounters();

    const refreshed = await s.directory.refreshUser(s.memberId, user.id);

    expect(s.portal.counters.restRequests).toBe(1);
    expect(refreshed).toMatchObject({ id: user.id, position: 'Chief Cartographer', departments: [2] });
    expect((await s.directory.snapshot(s.memberId)).users.get(user.id)).toMatchObject({
      position: 'Chief Cartographer',
    });
    expect(await s.directory.refreshUser(s.memberId, 999_999)).toBeUndefined();
  });

  it('an update made during a running sync survives the flip; the next sync absorbs it and drops the overlay entry', async () => {
    const control: { hold?: ReturnType<typeof deferred> } = {};
    const reached = deferred();
    const s = await stack({
      users: 3000,
      directory: {
        hooks: {
          afterBatch: async ({ phase }) => {
            if (control.hold !== undefined && phase === 'workgroups') {
              reached.resolve();
              await control.hold.promise;
            }
          },
        },
      },
    });
    await s.directory.runSync(s.memberId, 'install');
    const hold = deferred();
    control.hold = hold;
    const second = s.directory.runSync(s.memberId, 'schedule');
    await reached.promise;
    // Users are fetched already; this one arrives by event only.
    const newcomer = addEmployee(
      s.portal,
      { name: 'Late', lastName: 'Arrival', departmentId: 2 },
      s.portal.defaultUser(),
    );
    await s.directory.upsertUser(s.memberId, await formParsedUserAdd(s, newcomer.id));
    control.hold = undefined;
    hold.resolve();
    await second;

    const after = await s.directory.snapshot(s.memberId);
    expect(after.generation).toBe(2);
    expect(after.users.get(newcomer.id)).toMatchObject({ name: 'Late', active: true });
    expect(
      Object.keys(
        (await new DocumentDirectoryRepository({ documents: new Documents({ keyv: s.store }) }).overlay(s.memberId))
          .users,
      ),
    ).toEqual([String(newcomer.id)]);

    await s.directory.runSync(s.memberId, 'schedule');
    const third = await s.directory.snapshot(s.memberId);
    expect(third.users.get(newcomer.id)).toMatchObject({ name: 'Late', active: true });
    expect(
      (await new DocumentDirectoryRepository({ documents: new Documents({ keyv: s.store }) }).overlay(s.memberId))
        .users,
    ).toEqual({});
  });
});

describe('workgroups', () => {
  it('with sonet_group: groups, projects and roles, batched 50 groups per request; SG codes are cumulative', async () => {
    const s = await stack({ users: 600, scopes: ['user_brief', 'department', 'placement', 'sonet_group'] });
    const company = s.portal.directory;
    s.portal.resetCounters();
    const report = await s.directory.runSync(s.memberId, 'admin');
    const groups = company.groups.length;
    expect(groups).toBeGreaterThan(0);
    expect(report.workgroups).toBe(groups);
    expect(s.portal.counters.byMethod['sonet_group.user.get']).toBe(groups);
    expect(report.requests).toBe(1 + 1 + Math.ceil(groups / 2500) + Math.ceil(groups / 50));

    const snapshot = await s.directory.snapshot(s.memberId);
    expect(snapshot.workgroups).toEqual({ available: true });
    expect(snapshot.groups.size).toBe(groups);
    for (const group of company.groups)
      expect(snapshot.groups.get(group.id)).toEqual({ id: group.id, name: group.name, project: group.project });
    for (const user of company.users.filter((candidate) => candidate.active).slice(0, 200)) {
      const roles = company.groupsOf(user.id);
      expect(new Map(snapshot.groupRoles.get(user.id) ?? [])).toEqual(new Map(roles));
      const codes = accessCodes(snapshot, user.id);
      for (const [groupId, role] of roles) {
        expect(codes).toContain(`SG${groupId}_K`);
        expect(codes.includes(`SG${groupId}_E`)).toBe(role !== 'K');
        expect(codes.includes(`SG${groupId}_A`)).toBe(role === 'A');
      }
    }
    expect((await s.directory.status(s.memberId)).workgroups).toEqual({ available: true });
  });

  it('without the scope: no workgroup requests, and the status says which scope is missing', async () => {
    const s = await stack({ users: 100 });
    s.portal.resetCounters();
    const report = await s.directory.runSync(s.memberId, 'admin');
    expect(report.workgroups).toBe(0);
    expect(s.portal.counters.byMethod['sonet_group.get']).toBeUndefined();
    expect((await s.directory.status(s.memberId)).workgroups).toEqual({
      available: false,
      missingScope: 'sonet_group',
    });
    expect((await s.directory.snapshot(s.memberId)).workgroups).toEqual({
      available: false,
      missingScope: 'sonet_group',
    });
  });

  it('a scope the portal took back since install: the sync completes without workgroups', async () => {
    const s = await stack({ users: 100 });
    const record = await s.services.installations.get(s.memberId);
    if (record === undefined) throw new Error('no portal');
    await s.services.installations.save({ ...record, scopes: [...record.scopes, 'sonet_group'] });
    const report = await s.directory.runSync(s.memberId, 'admin');
    expect(report).toMatchObject({ users: 100, workgroups: 0 });
    expect(s.portal.counters.errors['insufficient_scope']).toBeGreaterThan(0);
    expect((await s.directory.snapshot(s.memberId)).workgroups).toEqual({
      available: false,
      missingScope: 'sonet_group',
    });
  });
});

describe('lifecycle', () => {
  it('uninstall with "clear data" purges the mirror: chunks, meta and overlay', async () => {
    const s = await stack({ users: 100 });
    await s.directory.runSync(s.memberId, 'install');
    await s.directory.upsertUser(s.memberId, { ID: '100000', ACTIVE: 'Y', NAME: 'X' });
    expect(s.directoryKeys().length).toBeGreaterThan(2);
    const applicationToken = s.portal.installation.applicationToken ?? '';
    // Bitrix24 revokes the app's access first; Keycard checks that before believing the event.
    uninstallApp(s.portal, true);

    const res = await s.request.post('/events').type('form').send({
      event: 'ONAPPUNINSTALL',
      'data[CLEAN]': '1',
      'auth[member_id]': s.memberId,
      'auth[application_token]': applicationToken,
    });
    expect(res.status).toBe(200);
    await s.services.background.idle();
    expect(s.directoryKeys()).toEqual([]);
    expect(await s.services.installations.get(s.memberId)).toBeUndefined();
    expect((await s.directory.snapshot(s.memberId)).generation).toBeNull();
    // A late ONUSERADD for the removed portal stores nothing.
    expect(await s.directory.upsertUser(s.memberId, { ID: '100001', ACTIVE: 'Y' })).toBeUndefined();
    expect(s.directoryKeys()).toEqual([]);
  });

  it('purging stops a running sync, which writes nothing afterwards', async () => {
    const gate = deferred();
    const reached = deferred();
    const s = await stack({
      users: 6000,
      directory: {
        hooks: {
          afterBatch: async ({ phase }) => {
            if (phase === 'users') {
              reached.resolve();
              await gate.promise;
            }
          },
        },
      },
    });
    const running = s.directory.runSync(s.memberId, 'install');
    await reached.promise;
    const purge = s.directory.purgePortal(s.memberId);
    gate.resolve();
    await purge;
    await expect(running).rejects.toMatchObject({ code: 'SYNC_ABORTED' });
    expect(s.directoryKeys()).toEqual([]);
  });

  it('the reconcile syncs every active portal not synced within the interval, and resumes nothing twice', async () => {
    const s = await stack({ users: 200 });
    await s.directory.reconcile();
    expect((await s.directory.status(s.memberId)).lastRun).toMatchObject({ trigger: 'schedule', users: 200 });
    s.portal.resetCounters();
    await s.directory.reconcile();
    expect(s.portal.counters.restRequests).toBe(0);
    // With a zero interval everything is stale: synced again.
    await s.directory.reconcile(0);
    expect((await s.directory.status(s.memberId)).generation).toBe(2);
  });

  it('the schedule runs the reconcile on its interval until stopped', async () => {
    const s = await stack({ users: 60 });
    s.directory.startSchedule(40);
    for (let waited = 0; waited < 5000 && (await s.directory.status(s.memberId)).generation === null; waited += 20) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    s.directory.stopSchedule();
    await s.background.idle();
    const status = await s.directory.status(s.memberId);
    expect(status.generation).not.toBeNull();
    expect(status.lastRun?.trigger).toBe('schedule');
  });
});
