import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Keyv } from 'keyv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PolicyChangedError, PolicyStore } from '../../server/access/policy-store.js';
import { readAudit } from '../../server/access/audit-log.js';
import { defaultPolicy } from '../../server/access/policy.js';
import { DirectoryStore } from '../../server/directory/directory-store.js';
import { listActivePortals } from '../../server/directory/portal-list.js';
import { loadManifest } from '../../server/manifest.js';
import { createKeyv } from '../../server/store/keyv-factory.js';
import { InProcessLocks } from '../../server/store/locks.js';
import { PortalRepository } from '../../server/store/portal-repository.js';
import type { Portal } from '../../server/portals/portal.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';

/*
 * The store contract: what every repository relies on, run against each backend Keycard supports —
 * memory, SQLite (a file) and a real Redis server. A backend passes only if it behaves the same.
 */

const manifest = loadManifest('manifest/keycard.json');
const dir = mkdtempSync(join(tmpdir(), 'keycard-contract-'));
let redis: RedisServer;

beforeAll(async () => {
  redis = await startRedis();
});

afterAll(async () => {
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const backends: { name: string; open: () => Keyv }[] = [
  { name: 'memory', open: () => createKeyv('memory://') },
  { name: 'SQLite', open: () => createKeyv(`sqlite://${join(dir, 'contract.sqlite')}`) },
  { name: 'Redis', open: () => createKeyv(redis.url) },
];

function portal(memberId: string): Portal {
  return {
    memberId,
    domain: 'acme.bitrix24.com',
    clientEndpoint: 'https://acme.bitrix24.com/rest/',
    state: 'active',
    scopes: ['user_brief'],
    lang: 'en',
    bindings: { bound: [], failed: [] },
    createdAt: 1,
    updatedAt: 2,
  };
}

describe.each(backends)('store contract: $name', ({ open }) => {
  let store: Keyv;
  let run = 0;
  /** A member id no other test of this run has used (Redis and SQLite outlive a test). */
  const member = () => `contract-${process.pid}-${Date.now()}-${++run}`;

  beforeAll(() => {
    store = open();
  });

  afterAll(async () => {
    await store.disconnect();
  });

  it('answers undefined for a missing key and round-trips values exactly', async () => {
    const key = `value:${member()}`;
    expect(await store.get(key)).toBeUndefined();
    const value = { text: ':starts with a colon', unicode: 'Nguyễn «Ёж» 🔑', nested: { list: [1, 2.5, null, true] }, empty: '' };
    await store.set(key, value);
    expect(await store.get(key)).toEqual(value);
    await store.set(key, { replaced: 1 });
    expect(await store.get(key)).toEqual({ replaced: 1 });
    await store.delete(key);
    expect(await store.get(key)).toBeUndefined();
  });

  it('reads and deletes many keys at once, in order, missing ones as undefined', async () => {
    const prefix = member();
    await store.set(`${prefix}:a`, 'A');
    await store.set(`${prefix}:c`, 'C');
    expect(await store.getMany([`${prefix}:a`, `${prefix}:b`, `${prefix}:c`])).toEqual(['A', undefined, 'C']);
    await store.deleteMany([`${prefix}:a`, `${prefix}:c`]);
    expect(await store.getMany([`${prefix}:a`, `${prefix}:c`])).toEqual([undefined, undefined]);
  });

  it('portal records: save, read-modify-write in order, purge', async () => {
    const memberId = member();
    const portals = new PortalRepository(store);
    await portals.save(portal(memberId));
    await Promise.all(Array.from({ length: 10 }, (_, i) => portals.update(memberId, (current) => current && { ...current, scopes: [...current.scopes, `s${i}`] })));
    expect((await new PortalRepository(store).get(memberId))?.scopes).toEqual(['user_brief', ...Array.from({ length: 10 }, (_, i) => `s${i}`)]);
    await portals.purgePortal(memberId);
    expect(await new PortalRepository(store).get(memberId)).toBeUndefined();
  });

  it('lists the active installations (what the hourly reconcile visits)', async () => {
    const [active, deleted] = [member(), member()];
    const portals = new PortalRepository(store);
    await portals.save(portal(active));
    await portals.save({ ...portal(deleted), state: 'deleted' });
    const listed = await listActivePortals(store);
    expect(listed).toContain(active);
    expect(listed).not.toContain(deleted);
  });

  it('access policy: compare-and-swap saves, audit entries, purge leaves nothing', async () => {
    const memberId = member();
    const policies = new PolicyStore({ store, locks: new InProcessLocks(), manifest, clock: { now: () => 1 } });
    const { version: _version, ...content } = defaultPolicy(manifest);
    const first = await policies.get(memberId, 'en');
    const saved = await policies.save(memberId, { ifMatch: first.etag, content: { ...content, allowList: ['U1'] }, actor: { id: '1', name: 'A' }, lang: 'en' });
    await expect(policies.save(memberId, { ifMatch: first.etag, content, actor: { id: '1', name: 'A' }, lang: 'en' })).rejects.toBeInstanceOf(PolicyChangedError);
    // A fresh repository (another process) reads the same document and log.
    const other = new PolicyStore({ store, locks: new InProcessLocks(), manifest, clock: { now: () => 1 } });
    expect((await other.get(memberId, 'en')).etag).toBe(saved.etag);
    expect((await readAudit(other, memberId, { limit: 10 })).entries.map((entry) => entry.version)).toEqual([1]);
    await policies.purgePortal(memberId);
    const keys = [`access:policy:${memberId}`, `access:audit:${memberId}:1`, `access:audit:${memberId}:2`];
    expect(await store.getMany(keys)).toEqual([undefined, undefined, undefined]);
  });

  it('directory chunks and meta round-trip', async () => {
    const memberId = member();
    const directory = new DirectoryStore(store);
    await directory.putChunk(memberId, 1, 0, { kind: 'u', rows: [[7, 1, 'employee', 'Ann', 'Lee', null, 'CEO', [1], null]] });
    expect(await new DirectoryStore(store).userChunk(memberId, 1, 0)).toEqual([[7, 1, 'employee', 'Ann', 'Lee', null, 'CEO', [1], null]]);
    await directory.deleteGeneration(memberId, 1, { u: 1, d: 0, g: 0, m: 0 });
    await expect(new DirectoryStore(store).userChunk(memberId, 1, 0)).rejects.toThrow('missing');
  });
});

describe('store contract: failures surface as errors, never as "nothing stored"', () => {
  it('Redis that is down throws on read and write, and works again once it is back', async () => {
    const store = createKeyv(redis.url);
    await store.set('probe', 1);
    await redis.stop();
    await expect(store.get('probe')).rejects.toThrow();
    await expect(store.set('probe', 2)).rejects.toThrow();
    await redis.start();
    await expect.poll(() => store.get('probe').catch(() => 'down'), { timeout: 10_000, interval: 200 }).not.toBe('down');
    await store.set('probe', 3);
    expect(await store.get('probe')).toBe(3);
    await store.disconnect();
  });
});
