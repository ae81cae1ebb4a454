import { kindOf } from '../bitrix/bitrix-error.js';
import { BATCH_MAX, type BatchCommandError } from './batch.js';
import type { BuildCheckpoint } from './build-ledger.js';
import { fetchItemBatch, type ItemBatch } from './paging.js';
import {
  offsetPages,
  refused,
  rowsPage,
  storedIds,
  unavailable,
  type Pages,
  type PhaseContext,
} from './phase-pages.js';
import { encodeGroup, type MembersTuple } from './records.js';
import { membersTuple, parsedTuples, parseGroupRow } from './rest-rows.js';

/** The workgroup phases: the groups by offset, then the members of each stored group. */

export function workgroupPages(context: PhaseContext, from: BuildCheckpoint): Pages {
  return offsetPages(context, from, {
    method: 'sonet_group.get',
    // Default order is ID DESC; IS_ADMIN=Y lets the admin token see every group, not only visible ones.
    params: (start) => ({ ORDER: { ID: 'ASC' }, IS_ADMIN: 'Y', start }),
    stored: () =>
      storedIds(from.chunks.g, (index) => context.store.groupChunk(context.memberId, from.generation, index)),
    chunk: (raws) => ({ kind: 'g', rows: parsedTuples(raws, parseGroupRow, encodeGroup) }),
    refusable: true,
  });
}

/** Members of the stored groups, 50 groups a request (one `sonet_group.user.get` each). */
export async function* memberPages(context: PhaseContext, from: BuildCheckpoint): Pages {
  const method = 'sonet_group.user.get';
  const groupIds = [
    ...new Set(
      await storedIds(from.chunks.g, (index) => context.store.groupChunk(context.memberId, from.generation, index)),
    ),
  ];
  let cursor = from.cursor;
  for (;;) {
    const items = groupIds.slice(cursor.start, cursor.start + BATCH_MAX);
    if (items.length === 0) return;
    let batch: ItemBatch<number>;
    try {
      batch = await fetchItemBatch({
        send: context.send,
        method,
        items,
        params: (id) => ({ ID: id }),
        onTime: context.onTime,
      });
    } catch (error: unknown) {
      yield { kind: 'request-failed', error };
      continue;
    }
    const rows: MembersTuple[] = [];
    let blocked: BatchCommandError | undefined;
    let processed = 0;
    for (const result of batch.results) {
      if ('error' in result) {
        if (refused(result.error)) {
          yield unavailable();
          return;
        }
        // The operating limit stops the batch here: the groups after it are asked again once it passes.
        if (kindOf(result.error) === 'operation_limit') {
          blocked = result.error;
          break;
        }
        // A group deleted or hidden since it was listed: it keeps no members.
        context.logger.info(
          { memberId: context.memberId, groupId: result.item, code: result.error.bitrixCode },
          'workgroup members unavailable',
        );
        processed++;
        continue;
      }
      processed++;
      rows.push(membersTuple(result.item, result.rows));
    }
    cursor = { ...cursor, start: cursor.start + processed };
    const done = blocked === undefined && cursor.start >= groupIds.length;
    yield rowsPage({ kind: 'm', rows }, cursor, done, method, blocked);
    if (done) return;
  }
}
