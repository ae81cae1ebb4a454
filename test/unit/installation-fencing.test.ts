import { Keyv } from 'keyv';
import { describe, expect, it } from 'vitest';
import { DocumentInstallationRepository, LeaseLostError } from '../../server/portals/installation-repository.js';
import type { Installation } from '../../server/portals/installation-record.js';
import { Documents } from '../../server/store/documents.js';
import type { Locks } from '../../server/store/locks.js';

const memberId = 'member-fenced';
const record: Installation = {
  memberId,
  domain: 'acme.bitrix24.com',
  clientEndpoint: 'https://acme.bitrix24.com/rest/',
  state: 'active',
  scopes: ['user_brief'],
  lang: 'en',
  bindings: { bound: [], failed: [] },
  createdAt: 1,
  updatedAt: 1,
};

/**
 * Locks whose lease has lapsed: every caller "holds" the lock at once, each with the next fencing token — what two
 * instances see when one stalls past its lease and the other takes the lock over.
 */
function lapsedLocks(): Locks {
  let fence = 100;
  return { withLock: (_memberId, _name, work) => work(++fence) };
}

describe('fencing tokens on portal records', () => {
  it('a holder whose lease lapsed cannot overwrite what the next holder wrote; nothing of it is written', async () => {
    const map = new Map<string, unknown>();
    // The stalled holder reads the record, decides, then stalls on its last read before writing, until the other
    // holder has written: a GC pause or a partition past the lease.
    let stall: { onRead: number; until: Promise<void> } | undefined;
    let releaseStall: () => void = () => undefined;
    const store = new Keyv({
      store: {
        get: async (key: string) => {
          if (stall !== undefined && key.includes('portal:') && --stall.onRead === 0) {
            const { until } = stall;
            stall = undefined;
            await until;
          }
          return map.get(key);
        },
        set: (key: string, value: unknown) => {
          map.set(key, value);
          return true;
        },
        delete: (key: string) => map.delete(key),
        clear: () => map.clear(),
      } as unknown as Map<string, unknown>,
      throwOnErrors: true,
    });
    const repository = new DocumentInstallationRepository({
      documents: new Documents({ keyv: store }),
      locks: lapsedLocks(),
      cacheReads: false,
    });
    await repository.save(record);

    stall = { onRead: 2, until: new Promise((resolve) => (releaseStall = resolve)) };
    // Holder A (older token) stalls; holder B (newer token) marks the portal blocked meanwhile.
    const stale = repository.update(memberId, (current) => current && { ...current, state: 'needs_reinstall' });
    await new Promise((resolve) => setTimeout(resolve, 10));
    await repository.update(memberId, (current) => current && { ...current, state: 'blocked', updatedAt: 2 });
    releaseStall();
    await expect(stale).rejects.toBeInstanceOf(LeaseLostError);
    expect(await repository.get(memberId)).toMatchObject({ state: 'blocked', updatedAt: 2 });
  });
});
