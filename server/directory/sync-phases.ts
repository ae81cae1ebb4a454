import type { Logger } from '../logger.js';
import { kindOf } from '../bitrix/bitrix-error.js';
import { BATCH_MAX, type BatchCommandError, type QueryValue } from './batch.js';
import type { BuildCheckpoint } from './build-ledger.js';
import type { DirectoryRepository, PendingChunk, PhaseCursor, WorkgroupAvailability } from './directory-repository.js';
import {
  CursorIgnoredError,
  fetchCursorBatch,
  fetchItemBatch,
  fetchOffsetBatch,
  type CursorBatch,
  type ItemBatch,
  type OffsetBatch,
  type SendBatch,
  type TimeSink,
} from './paging.js';
import { encodeDepartment, encodeGroup, encodeUser, type MembersTuple, type UserTuple } from './records.js';
import {
  applyUserRow,
  membersTuple,
  parseDepartmentRow,
  parsedTuples,
  parseGroupRow,
  parseUserRow,
  USER_FIELDS,
} from './rest-rows.js';

/*
 * The phases of a sync as async generators of pages, one page per request: they send, cut the rows down to
 * the stored tuples and say where the phase stands after them. They neither store nor retry: SyncRun
 * consumes the pages, commits each one and decides what a failure means. Asked for the next page after a
 * failed request, a phase sends the same request again.
 */

/** What one request of a phase brought. */
export type Page =
  /** Rows in stored form (the build's next chunk of their kind) and the phase's cursor after them. */
  | { kind: 'rows'; chunk: PendingChunk; cursor: PhaseCursor; done: boolean; commandFailed?: FailedCommand }
  /** The request failed as a whole: nothing arrived. */
  | { kind: 'request-failed'; error: unknown }
  /** users: the portal ignored the ID cursor; the phase starts over by offset from this cursor. */
  | { kind: 'repaged'; cursor: PhaseCursor }
  /** workgroups: the portal refused the workgroup methods; the workgroup phases end here. */
  | { kind: 'unavailable'; workgroups: WorkgroupAvailability };

/** A command that failed before the end of the data; the rows before it are in the page. */
export interface FailedCommand {
  method: string;
  error: BatchCommandError;
}

/** What the phases use of a run. */
export interface PhaseContext {
  memberId: string;
  store: DirectoryRepository;
  logger: Logger;
  send: SendBatch;
  onTime: TimeSink;
}

export type Pages = AsyncGenerator<Page, void, undefined>;

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

function workgroupPages(context: PhaseContext, from: BuildCheckpoint): Pages {
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
async function* memberPages(context: PhaseContext, from: BuildCheckpoint): Pages {
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

/** One offset-paged list (see fetchOffsetBatch). */
interface OffsetWalk {
  method: string;
  params: (start: number) => Record<string, QueryValue>;
  fields?: readonly string[];
  /**
   * IDs the phase already stored: pages past the end may repeat rows, and a resumed phase must not store them twice.
   */
  stored: () => Promise<number[]>;
  chunk: (raws: unknown[]) => PendingChunk;
  /** A `no_scope` refusal ends the phase as "not available" (the workgroup methods). */
  refusable?: boolean;
}

async function* offsetPages(context: PhaseContext, from: BuildCheckpoint, walk: OffsetWalk): Pages {
  const seen = new Set(await walk.stored());
  let cursor = from.cursor;
  for (;;) {
    let batch: OffsetBatch;
    try {
      batch = await fetchOffsetBatch({
        send: context.send,
        method: walk.method,
        params: walk.params,
        start: cursor.start,
        total: cursor.total,
        seen,
        fields: walk.fields,
        onTime: context.onTime,
      });
    } catch (error: unknown) {
      if (walk.refusable === true && refused(error)) {
        yield unavailable();
        return;
      }
      yield { kind: 'request-failed', error };
      continue;
    }
    if (walk.refusable === true && batch.error !== undefined && refused(batch.error)) {
      yield unavailable();
      return;
    }
    cursor = { ...cursor, start: batch.nextStart, total: batch.total };
    yield rowsPage(walk.chunk(batch.rows), cursor, batch.done, walk.method, batch.error);
    if (batch.done) return;
  }
}

/** The portal refused the workgroup methods although the stored scopes list them (scopes changed since). */
function refused(error: unknown): boolean {
  return kindOf(error) === 'no_scope';
}

function unavailable(): Page {
  return { kind: 'unavailable', workgroups: { available: false, missingScope: 'sonet_group' } };
}

function rowsPage(
  chunk: PendingChunk,
  cursor: PhaseCursor,
  done: boolean,
  method: string,
  error: BatchCommandError | undefined,
): Page {
  return error === undefined
    ? { kind: 'rows', chunk, cursor, done }
    : { kind: 'rows', chunk, cursor, done, commandFailed: { method, error } };
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

async function storedIds<T extends { 0: number }>(
  count: number,
  read: (index: number) => Promise<T[]>,
): Promise<number[]> {
  const ids: number[] = [];
  for (let index = 0; index < count; index++) for (const row of await read(index)) ids.push(row[0]);
  return ids;
}
