import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Keyv } from 'keyv';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DocumentPolicyRepository } from '../../server/access/policy-repository.js';
import { DocumentDirectoryRepository } from '../../server/directory/directory-repository.js';
import { StoreUnavailableError } from '../../server/errors.js';
import { loadManifest } from '../../server/manifest.js';
import { DocumentInstallationRepository } from '../../server/portals/installation-repository.js';
import { Documents } from '../../server/store/documents.js';
import { createKeyv } from '../../server/store/keyv-factory.js';
import { InProcessLocks } from '../../server/store/locks.js';
import { startRedis, type RedisServer } from '../support/redis-server.js';
import { directoryRepositoryBattery } from './batteries/directory-repository.js';
import { documentsBattery } from './batteries/documents.js';
import { installationRepositoryBattery } from './batteries/installation-repository.js';
import { policyRepositoryBattery } from './batteries/policy-repository.js';
import { KEPT_DECIDED, requestRepositoryBattery } from './batteries/request-repository.js';
import { DocumentRequestRepository } from '../../server/requests/request-repository.js';

/*
 * The store contract: what every repository relies on, run against each backend Keycard supports —
 * memory, SQLite (a file) and a real Redis server — as one battery per repository interface (the way
 * Shopify's session storages share `batteryOfTests`). A backend passes only if it behaves the same.
 */

const manifest = loadManifest('test/support/manifest-every-kind.json');
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

describe.each(backends)('store contract: $name', ({ open }) => {
  let keyv: Keyv;
  let documents: Documents;
  let run = 0;
  /** A member id no other test of this run has used (Redis and SQLite outlive a test). */
  const member = () => `contract-${process.pid}-${Date.now()}-${++run}`;

  beforeAll(() => {
    keyv = open();
    documents = new Documents({ keyv });
  });

  afterAll(async () => {
    await keyv.disconnect();
  });

  describe('documents', () => documentsBattery(() => documents, member));
  // Read caches off: every repository built here is a separate reader, as another instance would be.
  describe('InstallationRepository', () =>
    installationRepositoryBattery(() => new DocumentInstallationRepository({ documents, cacheReads: false }), member));
  describe('PolicyRepository', () =>
    policyRepositoryBattery(
      () =>
        new DocumentPolicyRepository({
          documents,
          locks: new InProcessLocks(),
          manifest,
          clock: { now: () => 1 },
          cacheReads: false,
        }),
      (keys) => keyv.getMany(keys),
      manifest,
      member,
    ));
  describe('RequestRepository', () => {
    let now = 1_000_000;
    const clock = { now: () => now, set: (at: number) => void (now = at) };
    const locks = new InProcessLocks();
    requestRepositoryBattery(
      () => new DocumentRequestRepository({ documents, locks, clock, maxDecided: KEPT_DECIDED }),
      clock,
      (keys) => keyv.getMany(keys),
      member,
    );
  });
  describe('DirectoryRepository', () =>
    directoryRepositoryBattery(() => new DocumentDirectoryRepository({ documents, cacheReads: false }), member));
});

describe('store contract: failures surface as errors, never as "nothing stored"', () => {
  it('Redis that is down throws on read and write, and works again once it is back', async () => {
    const store = createKeyv(redis.url);
    await store.set('probe', 1);
    await redis.stop();
    await expect(store.get('probe')).rejects.toThrow();
    await expect(store.set('probe', 2)).rejects.toThrow();
    await redis.start();
    await expect
      .poll(() => store.get('probe').catch(() => 'down'), { timeout: 10_000, interval: 200 })
      .not.toBe('down');
    await store.set('probe', 3);
    expect(await store.get('probe')).toBe(3);
    await store.disconnect();
  });

  it('the documents layer turns a Redis outage into StoreUnavailableError (a 503), and recovers', async () => {
    const keyv = createKeyv(redis.url);
    const documents = new Documents({ keyv });
    await documents.set('probe', 1);
    await redis.stop();
    await expect(documents.getRaw('probe')).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(documents.set('probe', 2)).rejects.toBeInstanceOf(StoreUnavailableError);
    await expect(documents.ping()).rejects.toBeInstanceOf(StoreUnavailableError);
    await redis.start();
    await expect
      .poll(() => documents.getRaw('probe').catch(() => 'down'), { timeout: 10_000, interval: 200 })
      .not.toBe('down');
    await keyv.disconnect();
  });
});
