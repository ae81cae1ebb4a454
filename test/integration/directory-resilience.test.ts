import { afterEach, describe, expect, it } from 'vitest';
import { DocumentDirectoryRepository } from '../../server/directory/directory-repository.js';
import { Documents } from '../../server/store/documents.js';
import type { DirectoryUser } from '../../server/directory/records.js';
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

const sortedIds = (ids: Iterable<number>) => [...ids].sort((a, b) => a - b);

describe('directory sync within the limits', () => {
  it('paces requests with the budget so a portal with a tight bucket never refuses one', async () => {
    const s = await stack({
      users: 12_000,
      departments: 40,
      portalLimit: { drainPerSecond: 4, burst: 2 },
      budget: { drainPerSecond: 4, burst: 2 },
    });
    s.portal.resetCounters();
    const report = await s.directory.runSync(s.memberId, 'admin');
    expect(report.users).toBe(12_000);
    expect(report.requests).toBe(6);
    expect(s.portal.counters.rateLimited).toBe(0);
    expect(s.budget.stats.waitedMs).toBeGreaterThan(0);
  });

  it('a 503 in the middle (another app drained the bucket): backs off, retries through the budget, completes', async () => {
    const s = await stack({
      users: 8000,
      departments: 40,
      portalLimit: { drainPerSecond: 20, burst: 3 },
      budget: { drainPerSecond: 20, burst: 3 },
      directory: {
        hooks: {
          afterBatch: ({ phase, chunks }) => {
            // After the first user chunk, someone else fills the portal's bucket.
            if (phase === 'users' && chunks.u === 1) while (s.portal.bucket?.take() === true);
          },
        },
      },
    });
    s.portal.resetCounters();
    const report = await s.directory.runSync(s.memberId, 'admin');
    expect(report.users).toBe(8000);
    expect(s.portal.counters.rateLimited).toBeGreaterThanOrEqual(1);
    // The back-off waits long enough that the portal does not refuse again and again.
    expect(s.portal.counters.rateLimited).toBeLessThanOrEqual(2);
    expect(s.budget.stats.queryLimitHits).toBe(s.portal.counters.rateLimited);
    expect(report.requests).toBe(4 + 1 + s.portal.counters.rateLimited);
    expect(sortedIds((await s.directory.snapshot(s.memberId)).users.keys())).toEqual(
      s.portal.directory.users.map((user) => user.id),
    );
  });

  it('an access token expiring in the middle is renewed once and the sync completes', async () => {
    const s = await stack({
      users: 6000,
      directory: {
        hooks: {
          afterBatch: ({ phase, chunks }) => {
            if (phase === 'users' && chunks.u === 1) s.portal.tokens.expireAll();
          },
        },
      },
    });
    s.portal.resetCounters();
    const report = await s.directory.runSync(s.memberId, 'admin');
    expect(report.users).toBe(6000);
    expect(s.portal.counters.tokenRefreshes).toBe(1);
    expect(s.portal.counters.errors['expired_token']).toBe(1);
    // The refused request and its re-send after the refresh both count.
    expect(report.requests).toBe(Math.ceil(6000 / 2500) + 1 + 1);
    const stored = await s.services.installations.get(s.memberId);
    expect(stored === undefined ? undefined : s.services.vault.open(stored)?.accessToken).not.toBe(undefined);
  });
});

describe('atomic and resumable', () => {
  it('a crash after two chunks leaves a checkpoint; a new instance resumes it with fewer requests and the same result', async () => {
    let crash = true;
    const s = await stack({
      users: 9000,
      directory: {
        hooks: {
          afterBatch: ({ phase, chunks }) => {
            if (crash && phase === 'users' && chunks.u === 2) throw new Error('simulated crash');
          },
        },
      },
    });
    await expect(s.directory.runSync(s.memberId, 'admin')).rejects.toThrow('simulated crash');
    const meta = await new DocumentDirectoryRepository({ documents: new Documents({ keyv: s.store }) }).meta(
      s.memberId,
    );
    expect(meta.current).toBeNull();
    expect(meta.build).toMatchObject({ phase: 'users', chunks: { u: 2 }, counts: { users: 5000 } });
    expect((await s.directory.status(s.memberId)).state).toBe('failed');

    // "Restart": another app instance on the same store and portal.
    crash = false;
    const second = await stack({ store: s.store, emulator: s.running });
    s.portal.resetCounters();
    const resumed = await second.directory.runSync(s.memberId, 'schedule');
    expect(resumed).toMatchObject({ resumed: true, users: 9000, generation: 1 });
    // Users 5001..9000 only: two requests instead of four (plus departments).
    expect(resumed.requests).toBe(2);
    expect(s.portal.counters.restRequests).toBe(2);

    const fresh = await stack({ users: 9000 });
    const freshReport = await fresh.directory.runSync(fresh.memberId, 'admin');
    expect(freshReport.requests).toBe(5);
    const [a, b] = [await second.directory.snapshot(s.memberId), await fresh.directory.snapshot(fresh.memberId)];
    // Same seed, same company; photo URLs differ only by the emulators' ports.
    const comparable = (users: Iterable<[number, DirectoryUser]>) =>
      [...users]
        .sort(([x], [y]) => x - y)
        .map(([, user]) => ({ ...user, photo: user.photo === null ? null : new URL(user.photo).pathname }));
    expect(comparable(a.users)).toEqual(comparable(b.users));
    expect(a.departments).toEqual(b.departments);
    expect((await second.directory.status(s.memberId)).state).toBe('idle');
  });

  it('a checkpoint older than the maximum age is not resumed: the next sync starts over', async () => {
    let crash = true;
    const s = await stack({
      users: 3000,
      directory: {
        checkpointMaxAgeMs: 0,
        hooks: {
          afterBatch: ({ phase }) => {
            if (crash && phase === 'users') throw new Error('simulated crash');
          },
        },
      },
    });
    await expect(s.directory.runSync(s.memberId, 'admin')).rejects.toThrow('simulated crash');
    crash = false;
    await new Promise((resolve) => setTimeout(resolve, 5));
    const report = await s.directory.runSync(s.memberId, 'admin');
    expect(report).toMatchObject({ resumed: false, generation: 2, users: 3000 });
    // The abandoned build's chunks were deleted.
    expect(s.directoryKeys().some((key) => key.includes(':g1:'))).toBe(false);
  });

  it('a second sync of the same portal joins the running one; startSync says it did not start', async () => {
    const gate = deferred();
    const s = await stack({ users: 3000, directory: { hooks: { afterBatch: () => gate.promise } } });
    s.portal.resetCounters();
    const first = s.directory.runSync(s.memberId, 'admin');
    const second = s.directory.runSync(s.memberId, 'admin');
    expect(second).toBe(first);
    expect(await s.directory.startSync(s.memberId, 'admin')).toBe(false);
    expect((await s.directory.status(s.memberId)).state).toBe('running');
    gate.resolve();
    await first;
    expect(await s.directory.startSync(s.memberId, 'admin')).toBe(true);
    await s.background.idle();
    // Two builds in total (generations 1 and 2), each one department and two user requests.
    expect(s.portal.counters.byMethod['batch']).toBe(6);
    expect((await s.directory.status(s.memberId)).generation).toBe(2);
  });

  it('another instance holding the lease keeps this one from starting until its sync is done', async () => {
    const gate = deferred();
    const s = await stack({ users: 300, directory: { hooks: { afterBatch: () => gate.promise } } });
    const running = s.directory.runSync(s.memberId, 'admin');
    await new Promise((resolve) => setTimeout(resolve, 50));
    const other = await stack({ store: s.store, emulator: s.running });
    expect(await other.directory.startSync(s.memberId, 'admin')).toBe(false);
    await expect(other.directory.runSync(s.memberId, 'admin')).rejects.toMatchObject({ code: 'SYNC_RUNNING' });
    expect((await other.directory.status(s.memberId)).state).toBe('running');
    gate.resolve();
    await running;
    expect(await other.directory.startSync(s.memberId, 'admin')).toBe(true);
  });

  it('a run that stalls past its lease is taken over; the stalled run then stops without writing', async () => {
    const gate = deferred();
    const reached = deferred();
    const s = await stack({
      users: 6000,
      directory: {
        leaseMs: 100,
        hooks: {
          afterBatch: async ({ phase, chunks }) => {
            if (phase === 'users' && chunks.u === 1) {
              reached.resolve();
              await gate.promise;
            }
          },
        },
      },
    });
    const stalled = s.directory.runSync(s.memberId, 'admin');
    await reached.promise;
    await new Promise((resolve) => setTimeout(resolve, 200));
    const other = await stack({ store: s.store, emulator: s.running });
    const report = await other.directory.runSync(s.memberId, 'schedule');
    expect(report).toMatchObject({ resumed: true, users: 6000, generation: 1 });

    gate.resolve();
    await expect(stalled).rejects.toMatchObject({ code: 'SYNC_LEASE_LOST' });
    const snapshot = await other.directory.snapshot(s.memberId);
    expect(snapshot.users.size).toBe(6000);
    // The stalled run recorded no failure over the new owner's success.
    expect(await other.directory.status(s.memberId)).toMatchObject({ state: 'idle', generation: 1 });
    expect((await other.directory.status(s.memberId)).lastError).toBeUndefined();
  });

  it('readers see the previous generation until the new one is complete', async () => {
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
    await s.directory.runSync(s.memberId, 'admin');
    const target = s.portal.directory.users.find((user) => user.active && user.type === 'employee' && !user.admin);
    if (target === undefined) throw new Error('no employee');
    target.active = false;
    target.position = 'Changed';

    const hold = deferred();
    control.hold = hold;
    const second = s.directory.runSync(s.memberId, 'admin');
    await reached.promise;
    // Every user of generation 2 is stored, but not current yet.
    const during = await s.directory.snapshot(s.memberId);
    expect(during.generation).toBe(1);
    expect(during.users.get(target.id)).toMatchObject({ active: true });
    const status = await s.directory.status(s.memberId);
    expect(status).toMatchObject({ state: 'running', generation: 1, progress: { phase: 'workgroups', users: 3000 } });

    hold.resolve();
    await second;
    const after = await s.directory.snapshot(s.memberId);
    expect(after.generation).toBe(2);
    expect(after.users.get(target.id)).toMatchObject({ active: false, position: 'Changed' });
  });
});
