import { expect, it } from 'vitest';
import { readAudit } from '../../../server/access/audit-log.js';
import { defaultPolicy } from '../../../server/access/policy.js';
import { PolicyChangedError, type PolicyRepository } from '../../../server/access/policy-repository.js';
import type { Manifest } from '../../../server/manifest.js';

/**
 * The PolicyRepository contract; `open` gives a repository over the same backend (another process, say),
 * `raw` reads a document as stored, to prove a purge leaves nothing.
 */
export function policyRepositoryBattery(
  open: () => PolicyRepository,
  raw: (keys: string[]) => Promise<unknown[]>,
  manifest: Manifest,
  member: () => string,
): void {
  it('access policy: compare-and-swap saves, audit entries, purge leaves nothing', async () => {
    const memberId = member();
    const policies = open();
    const { version: _version, ...content } = defaultPolicy(manifest);
    const first = await policies.get(memberId, 'en');
    const saved = await policies.save(memberId, {
      ifMatch: first.etag,
      content: { ...content, allowList: ['U1'] },
      actor: { id: '1', name: 'A' },
      lang: 'en',
    });
    await expect(
      policies.save(memberId, { ifMatch: first.etag, content, actor: { id: '1', name: 'A' }, lang: 'en' }),
    ).rejects.toBeInstanceOf(PolicyChangedError);
    // A fresh repository (another process) reads the same document and log.
    const other = open();
    expect((await other.get(memberId, 'en')).etag).toBe(saved.etag);
    expect((await readAudit(other, memberId, { limit: 10 })).entries.map((entry) => entry.version)).toEqual([1]);
    await policies.purgePortal(memberId);
    expect(
      await raw([`access:policy:${memberId}`, `access:audit:${memberId}:1`, `access:audit:${memberId}:2`]),
    ).toEqual([undefined, undefined, undefined]);
  });
}
