import type { QueryValue } from './batch.js';
import type { BuildCheckpoint } from './build-ledger.js';
import { CursorIgnoredError, fetchCursorBatch, type CursorBatch } from './paging.js';
import { offsetPages, rowsPage, storedIds, type Pages, type PhaseContext } from './phase-pages.js';
import { encodeDepartment, encodeUser, type UserTuple } from './records.js';
import { applyUserRow, parseDepartmentRow, parsedTuples, parseUserRow, USER_FIELDS } from './rest-rows.js';
import { memberPages, workgroupPages } from './workgroup-phases.js';

/** The pages of the phase `from` stands in, from its checkpoint on. */
export function phasePages(context: PhaseContext, from: BuildCheckpoint): Pages {
  switch (from.phase) {
    case 'departments':
      return departmentPages(context, from);
    case 'users':
      return from.cursor.userPaging === 'cursor' ? userCursorPages(context, from) : userOffsetPages(context, from);
    case 'workgroups':
      return workgroupPages(context, from);
    case 'workgroup-members':
      return memberPages(context, from);
  }
}

/** Parameters of one `user.get` page in the cursor chain. */
export function userCursorParams(afterId: number | string): Record<string, QueryValue> {
  return {
    // Both as strings: an `order` object alone keeps the default order (and `SORT` alone is not a sort).
    sort: 'ID',
    order: 'ASC',
    // No counting of `total` (slow on big portals); the chain stops at a short page instead.
    start: -1,
    // Extranet users are visible to the app's admin token only with ADMIN_MODE.
    ADMIN_MODE: true,
    // A FILTER object replaces top-level filter keys, so the whole filter lives in it.
    FILTER: { '>ID': afterId },
  };
}

function departmentPages(context: PhaseContext, from: BuildCheckpoint): Pages {
  return offsetPages(context, from, {
    method: 'department.get',
    // `department.get` has no `>ID` filter (no cursor), so it pages by offset, sorted by ID so that new
    // departments land at the end. The offset goes in lowercase `start`: CRestServer::processCall takes
    // it out of the query and passes it to CIntranetRestService::departmentGet as its navigation
    // argument; the `START` listed on the method page is not read there (the emulator accepts both).
    // @see https://apidocs.bitrix24.com/api-reference/departments/department-get.html
    params: (start) => ({ sort: 'ID', order: 'ASC', start }),
    stored: () =>
      storedIds(from.chunks.d, (index) => context.store.departmentChunk(context.memberId, from.generation, index)),
    chunk: (raws) => ({ kind: 'd', rows: parsedTuples(raws, parseDepartmentRow, encodeDepartment) }),
  });
}

async function* userCursorPages(context: PhaseContext, from: BuildCheckpoint): Pages {
  const method = 'user.get';
  let cursor = from.cursor;
  for (;;) {
    let batch: CursorBatch;
    try {
      batch = await fetchCursorBatch({
        send: context.send,
        method,
        params: userCursorParams,
        afterId: cursor.afterId,
        fields: USER_FIELDS,
        onTime: context.onTime,
      });
    } catch (error: unknown) {
      if (!(error instanceof CursorIgnoredError)) {
        yield { kind: 'request-failed', error };
        continue;
      }
      // The portal ignored `>ID`: page by offset from the start, skipping users already stored.
      context.logger.warn({ memberId: context.memberId }, 'user.get ignored the ID cursor; paging by offset');
      yield { kind: 'repaged', cursor: { ...cursor, userPaging: 'offset', start: 0, total: null } };
      return;
    }
    cursor = { ...cursor, afterId: batch.lastId };
    yield rowsPage(
      { kind: 'u', rows: userTuples(context, batch.rows, from.emailAllowed) },
      cursor,
      batch.done,
      method,
      batch.error,
    );
    if (batch.done) return;
  }
}

function userOffsetPages(context: PhaseContext, from: BuildCheckpoint): Pages {
  return offsetPages(context, from, {
    method: 'user.get',
    params: (start) => ({ sort: 'ID', order: 'ASC', ADMIN_MODE: true, start }),
    fields: USER_FIELDS,
    stored: () =>
      storedIds(from.chunks.u, (index) => context.store.userChunk(context.memberId, from.generation, index)),
    chunk: (raws) => ({ kind: 'u', rows: userTuples(context, raws, from.emailAllowed) }),
  });
}

function userTuples(context: PhaseContext, raws: unknown[], emailAllowed: boolean): UserTuple[] {
  const out: UserTuple[] = [];
  let skipped = 0;
  for (const raw of raws) {
    const row = parseUserRow(raw);
    if (row === undefined) skipped++;
    else out.push(encodeUser(applyUserRow(row, undefined, emailAllowed)));
  }
  if (skipped > 0)
    context.logger.warn({ memberId: context.memberId, skipped }, 'user rows without a usable ID skipped');
  return out;
}
