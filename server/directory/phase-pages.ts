import type { Logger } from '../logger.js';
import { kindOf } from '../bitrix/bitrix-error.js';
import type { BatchCommandError, QueryValue } from './batch.js';
import type { BuildCheckpoint } from './build-ledger.js';
import type { PendingChunk, PhaseCursor, WorkgroupAvailability } from './directory-documents.js';
import type { DirectoryRepository } from './directory-repository.js';
import { fetchOffsetBatch, type OffsetBatch, type SendBatch, type TimeSink } from './paging.js';

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

/** One offset-paged list (see fetchOffsetBatch). */
export interface OffsetWalk {
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

export async function* offsetPages(context: PhaseContext, from: BuildCheckpoint, walk: OffsetWalk): Pages {
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
export function refused(error: unknown): boolean {
  return kindOf(error) === 'no_scope';
}

export function unavailable(): Page {
  return { kind: 'unavailable', workgroups: { available: false, missingScope: 'sonet_group' } };
}

export function rowsPage(
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

export async function storedIds<T extends { 0: number }>(
  count: number,
  read: (index: number) => Promise<T[]>,
): Promise<number[]> {
  const ids: number[] = [];
  for (let index = 0; index < count; index++) for (const row of await read(index)) ids.push(row[0]);
  return ids;
}
