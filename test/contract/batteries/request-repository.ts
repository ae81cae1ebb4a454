import { expect, it } from 'vitest';
import { filingRule } from '../../../server/requests/filing-rules.js';
import type { RequestRepository } from '../../../server/requests/request-repository.js';

/**
 * The RequestRepository contract: one open request per person even when filings race, decisions are a
 * compare-and-swap, other portals see nothing, the decided history is bounded, a purge leaves nothing. `raw` reads
 * documents as stored; `clock` is the repository's (tests move it).
 */
/** How many decided requests the battery's repository keeps. */
export const KEPT_DECIDED = 5;

export function requestRepositoryBattery(
  /** A repository keeping `KEPT_DECIDED` decided requests. */
  open: () => RequestRepository,
  clock: { now: () => number; set: (at: number) => void },
  raw: (keys: string[]) => Promise<unknown[]>,
  member: () => string,
): void {
  const person = (userId: string) => ({ userId, name: `User ${userId}`, message: `from ${userId}` });

  it('access requests: one open per person under racing filings, decisions once, invisible to other portals', async () => {
    const memberId = member();
    const requests = open();
    const rule = filingRule(clock);
    const filings = await Promise.allSettled(
      Array.from({ length: 6 }, () => requests.file(memberId, person('7'), rule)),
    );
    expect(filings.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    await requests.file(memberId, person('8'), rule);
    expect(await requests.openCount(memberId)).toBe(2);
    const [first] = await requests.list(memberId);
    if (first === undefined) throw new Error('nothing listed');
    expect(first).toMatchObject({ userId: '7', status: 'open', message: 'from 7', memberId });
    expect(await requests.get(`${memberId}-other`, first.id)).toBeUndefined();
    expect(await requests.list(`${memberId}-other`)).toEqual([]);

    // What runs first (an approval's save) failing decides nothing; a decision on a decided request runs nothing.
    const failing = requests.decide(memberId, first.id, { status: 'approved', approvedAs: { kind: 'allowList' } }, () =>
      Promise.reject(new Error('the save failed')),
    );
    await expect(failing).rejects.toThrow('the save failed');
    expect(await requests.get(memberId, first.id)).toMatchObject({ status: 'open' });

    const decided = await requests.decide(memberId, first.id, {
      status: 'declined',
      decidedBy: { id: '1', name: 'Admin' },
      reason: 'not now',
    });
    expect(decided?.decided).toBe(true);
    let ran = false;
    const again = await requests.decide(
      memberId,
      first.id,
      { status: 'approved', approvedAs: { kind: 'allowList' } },
      async () => {
        ran = true;
      },
    );
    expect(ran).toBe(false);
    expect(again).toMatchObject({ decided: false, request: { status: 'declined', reason: 'not now' } });
    expect(await requests.decide(memberId, 'no-such-id', { status: 'declined' })).toBeUndefined();
    expect(await requests.latestOf(memberId, '7')).toMatchObject({ status: 'declined' });
    expect((await requests.list(memberId)).map((request) => request.status)).toEqual(['open', 'declined']);
    expect((await requests.historyOf(memberId, '7')).filedAt).toHaveLength(1);
  });

  it('access requests: the decided history is bounded, open ones stay, a purge leaves nothing', async () => {
    const memberId = member();
    const requests = open();
    const keep = await requests.file(memberId, person('1'), () => undefined);
    const start = clock.now();
    for (let i = 0; i < KEPT_DECIDED + 3; i++) {
      clock.set(start + i);
      const filed = await requests.file(memberId, person(String(100 + i)), () => undefined);
      await requests.decide(memberId, filed.id, { status: 'declined', reason: 'x' });
    }
    const all = await requests.list(memberId);
    expect(all).toHaveLength(KEPT_DECIDED + 1);
    expect(all[0]?.id).toBe(keep.id);
    await requests.purgePortal(memberId);
    expect(await requests.list(memberId)).toEqual([]);
    expect(await raw([`requests:index:${memberId}`, `requests:item:${memberId}:${keep.id}`])).toEqual([
      undefined,
      undefined,
    ]);
  });
}
