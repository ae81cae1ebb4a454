import { expect, it } from 'vitest';
import type { DirectoryRepository } from '../../../server/directory/directory-repository.js';
import { StoreUnavailableError } from '../../../server/errors.js';

/** The DirectoryRepository contract; `open` gives a repository over the same backend (another process, say). */
export function directoryRepositoryBattery(open: () => DirectoryRepository, member: () => string): void {
  it('directory chunks and meta round-trip; a deleted chunk is a store failure, never an empty one', async () => {
    const memberId = member();
    const directory = open();
    await directory.putChunk(memberId, 1, 0, {
      kind: 'u',
      rows: [[7, 1, 'employee', 'Ann', 'Lee', null, 'CEO', [1], null]],
    });
    expect(await open().userChunk(memberId, 1, 0)).toEqual([[7, 1, 'employee', 'Ann', 'Lee', null, 'CEO', [1], null]]);
    await directory.deleteGeneration(memberId, 1, { u: 1, d: 0, g: 0, m: 0 });
    const missing = await open()
      .userChunk(memberId, 1, 0)
      .catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(StoreUnavailableError);
    expect(String((missing as Error).cause)).toContain('missing');

    const meta = { ...(await open().meta(memberId)), nextGeneration: 4 };
    await directory.putMeta(memberId, meta);
    expect(await open().meta(memberId)).toEqual(meta);
    await directory.deleteMeta(memberId);
    expect((await open().meta(memberId)).nextGeneration).toBe(1);
  });
}
