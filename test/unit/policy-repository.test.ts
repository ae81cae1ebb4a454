import { Keyv } from 'keyv';
import { describe, expect, it } from 'vitest';
import { readAudit } from '../../server/access/audit-log.js';
import { DocumentPolicyRepository, PolicyChangedError } from '../../server/access/policy-repository.js';
import { defaultPolicy } from '../../server/access/policy.js';
import type { PolicyContent } from '../../server/access/policy-diff.js';
import { StoreUnavailableError } from '../../server/errors.js';
import { Documents } from '../../server/store/documents.js';
import { InProcessLocks } from '../../server/store/locks.js';
import { manifest } from './access-fixtures.js';

const actor = { id: '1', name: 'Ada Admin' };

function setup(failPolicyWrites = () => false) {
  const map = new Map<string, unknown>();
  const store = new Proxy(map, {
    get(target, property, receiver) {
      if (property === 'set') {
        return (key: string, value: unknown) => {
          if (key.includes('access:policy') && failPolicyWrites()) throw new Error('disk full');
          return target.set(key, value);
        };
      }
      const value: unknown = Reflect.get(target, property, receiver);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  const policies = new DocumentPolicyRepository({
    documents: new Documents({ keyv: new Keyv({ store, throwOnErrors: true }) }),
    locks: new InProcessLocks(),
    manifest,
    clock: { now: () => 1_700_000_000_000 },
  });
  return { policies, map };
}

function content(change: Partial<PolicyContent> = {}): PolicyContent {
  const { version: _version, ...base } = defaultPolicy(manifest);
  return { ...base, ...change };
}

describe('PolicyStore', () => {
  it('a fresh portal has the default policy: open to all, Manager held by all authorized users', async () => {
    const { policies } = setup();
    const { policy, etag } = await policies.get('m1', 'en');
    expect(policy).toMatchObject({
      allowList: [],
      delegates: [],
      version: 0,
      assignments: [{ code: 'AU', role: 'manager' }],
    });
    expect(etag).toBe('"0-default"');
  });

  it('of two concurrent saves from the same ETag exactly one wins; the other gets the winner, nothing is lost silently', async () => {
    const { policies } = setup();
    const { etag } = await policies.get('m1', 'en');
    const results = await Promise.allSettled([
      policies.save('m1', { ifMatch: etag, content: content({ allowList: ['U1'] }), actor, lang: 'en' }),
      policies.save('m1', { ifMatch: etag, content: content({ allowList: ['U2'] }), actor, lang: 'en' }),
    ]);
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    const rejected = results.find((result) => result.status === 'rejected');
    expect(rejected?.status === 'rejected' && rejected.reason).toBeInstanceOf(PolicyChangedError);
    const stored = await policies.get('m1', 'en');
    expect(stored.policy.allowList).toEqual(['U1']);
    expect(rejected?.status === 'rejected' && (rejected.reason as PolicyChangedError).current.etag).toBe(stored.etag);
    expect((await readAudit(policies, 'm1', { limit: 10 })).entries).toHaveLength(1);
  });

  it('compares If-Match with the store, not with what one instance remembers', async () => {
    const store = new Keyv({ store: new Map(), throwOnErrors: true });
    const locks = new InProcessLocks();
    const clock = { now: () => 1 };
    const documents = new Documents({ keyv: store });
    const a = new DocumentPolicyRepository({ documents, locks, manifest, clock });
    const b = new DocumentPolicyRepository({ documents, locks, manifest, clock });
    const v1 = await a.save('m1', {
      ifMatch: (await a.get('m1', 'en')).etag,
      content: content({ allowList: ['U1'] }),
      actor,
      lang: 'en',
    });
    expect((await b.get('m1', 'en')).etag).toBe(v1.etag); // b now remembers version 1
    await a.save('m1', { ifMatch: v1.etag, content: content({ allowList: ['U2'] }), actor, lang: 'en' });
    await expect(
      b.save('m1', { ifMatch: v1.etag, content: content({ allowList: ['U9'] }), actor, lang: 'en' }),
    ).rejects.toBeInstanceOf(PolicyChangedError);
    expect((await a.get('m1', 'en')).policy.allowList).toEqual(['U2']);
  });

  it('a removed role takes its grants into the audit log as "before"', async () => {
    const { policies } = setup();
    const { etag } = await policies.get('m1', 'en');
    const base = content();
    await policies.save('m1', {
      ifMatch: etag,
      content: { ...base, roles: base.roles.filter((role) => role.key !== 'manager'), assignments: [] },
      actor,
      lang: 'en',
    });
    const [entry] = (await readAudit(policies, 'm1', { limit: 1 })).entries;
    expect(entry?.changes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ kind: 'role', action: 'removed', role: 'manager' }),
        expect.objectContaining({
          kind: 'grant',
          role: 'manager',
          feature: 'reports',
          before: { level: 'read' },
          after: null,
        }),
      ]),
    );
  });

  it('a save whose policy write fails leaves no audit entry behind, and the next save takes its version', async () => {
    let fail = true;
    const { policies } = setup(() => fail);
    const { etag } = await policies.get('m1', 'en');
    const failed = await policies
      .save('m1', { ifMatch: etag, content: content({ allowList: ['U1'] }), actor, lang: 'en' })
      .catch((error: unknown) => error);
    expect(failed).toBeInstanceOf(StoreUnavailableError);
    expect(String((failed as Error).cause)).toContain('disk full');
    expect((await policies.get('m1', 'en')).etag).toBe(etag);
    expect((await readAudit(policies, 'm1', { limit: 10 })).entries).toEqual([]);
    fail = false;
    await policies.save('m1', { ifMatch: etag, content: content({ allowList: ['U2'] }), actor, lang: 'en' });
    const { entries } = await readAudit(policies, 'm1', { limit: 10 });
    expect(entries).toEqual([
      { version: 1, at: 1_700_000_000_000, actor, changes: [{ kind: 'allowList', action: 'added', code: 'U2' }] },
    ]);
  });

  it('purging a portal removes its policy and every audit entry, and an old ETag never matches again', async () => {
    const { policies, map } = setup();
    let { etag } = await policies.get('m1', 'en');
    for (const code of ['U1', 'U2', 'U3'])
      ({ etag } = await policies.save('m1', {
        ifMatch: etag,
        content: content({ allowList: [code] }),
        actor,
        lang: 'en',
      }));
    await policies.get('m2', 'en');
    await policies.purgePortal('m1');
    expect([...map.keys()].filter((key) => key.includes('m1'))).toEqual([]);
    // Three saves after the purge reach version 3 again, but with another ETag.
    let fresh = (await policies.get('m1', 'en')).etag;
    for (const code of ['U1', 'U2', 'U3'])
      fresh = (
        await policies.save('m1', { ifMatch: fresh, content: content({ allowList: [code] }), actor, lang: 'en' })
      ).etag;
    expect(fresh).not.toBe(etag);
    await expect(policies.save('m1', { ifMatch: etag, content: content(), actor, lang: 'en' })).rejects.toBeInstanceOf(
      PolicyChangedError,
    );
  });
});
