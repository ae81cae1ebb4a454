import type { Keyv } from 'keyv';
import { z } from 'zod';
import { portalSchema } from '../portals/portal.js';

const entrySchema = z.tuple([z.string(), z.unknown()]);

/**
 * Member ids of every active installation, for the scheduled reconcile. Keyv has no key-prefix query, so
 * this walks the store (SQLite and the memory store can iterate) and keeps `portal:*` records in state
 * `active`. It reads every document once an hour; a `PortalRepository.list()` backed by an index (or a
 * Redis SCAN on `portal:*`) should replace it when the store grows.
 */
export async function listActivePortals(keyv: Keyv): Promise<string[]> {
  const iterator = keyv.iterator;
  if (iterator === undefined) return [];
  const ids: string[] = [];
  for await (const raw of iterator.call(keyv, undefined)) {
    const entry = entrySchema.safeParse(raw);
    if (!entry.success || !entry.data[0].startsWith('portal:')) continue;
    const portal = portalSchema.safeParse(entry.data[1]);
    if (portal.success && portal.data.state === 'active') ids.push(portal.data.memberId);
  }
  return ids;
}
