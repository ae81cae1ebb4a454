import { AppError } from '../errors.js';
import type { TimeBlock } from '../bitrix/rate-budget.js';
import { BATCH_MAX, BatchCommandError, batchCommand, PAGE_SIZE, type BatchEnvelope, type QueryValue } from './batch.js';
import { rowId } from './rest-rows.js';

/** Sends one batch of commands and returns its parsed envelope; rows are cut down to `fields` when given. */
export type SendBatch = (cmd: Record<string, string>, fields?: readonly string[]) => Promise<BatchEnvelope>;

/** Receives the operating-time report of each command (for the rate budget's 429 waits). */
export type TimeSink = (method: string, time: TimeBlock) => void;

/** The method ignored the `>ID` filter (rows at or below the cursor came back): page by offset instead. */
export class CursorIgnoredError extends AppError {
  constructor(method: string) {
    super('CURSOR_IGNORED', 502, `${method} does not honour the ID cursor.`);
  }
}

const key = (index: number): string => `c${index}`;

function reportTimes(envelope: BatchEnvelope, method: string, onTime: TimeSink | undefined): void {
  if (onTime === undefined) return;
  for (const time of Object.values(envelope.result_time)) onTime(method, time);
}

function errorOf(envelope: BatchEnvelope, name: string): BatchCommandError | undefined {
  const failure = envelope.result_error[name];
  return failure === undefined ? undefined : new BatchCommandError(failure.error, name, failure.description);
}

/** What one request of an ID-cursor chain brought. */
export interface CursorBatch {
  /** New rows in ID order, every ID above the cursor it started from. */
  rows: unknown[];
  /** The cursor after these rows (unchanged when none came). */
  lastId: number;
  /** The data ended inside this batch: a page had fewer than 50 rows. */
  done: boolean;
  /** A command failed before the end of the data; `rows` holds everything before it. */
  error?: BatchCommandError;
}

/**
 * One request of the ID-cursor chain: up to 50 commands, each a page of 50 (`start=-1`, so the portal
 * skips counting), the first filtered on `>ID` = `afterId`, every next one on the last ID of the page
 * before it (`$result[c{k-1}][49][ID]`), so one request brings up to 2,500 rows.
 *
 * The first page with fewer than 50 rows ends the data; the commands after it reference a row that does
 * not exist (the portal then errors or, resolving the reference to an array, returns nothing) and are
 * ignored. A failed command before the end is returned as `error` with the rows before it.
 * @see https://apidocs.bitrix24.com/settings/performance/huge-data.html
 */
export async function fetchCursorBatch(options: {
  send: SendBatch;
  method: string;
  /** Parameters of one page for a `>ID` bound (a number or a `$result[…]` reference). */
  params: (afterId: number | string) => Record<string, QueryValue>;
  afterId: number;
  commands?: number;
  /** Row fields to keep (the rest are dropped as soon as the answer arrives). */
  fields?: readonly string[];
  onTime?: TimeSink;
}): Promise<CursorBatch> {
  const count = Math.min(BATCH_MAX, Math.max(1, options.commands ?? BATCH_MAX));
  const cmd: Record<string, string> = {};
  for (let index = 0; index < count; index++) {
    const bound = index === 0 ? options.afterId : `$result[${key(index - 1)}][${PAGE_SIZE - 1}][ID]`;
    cmd[key(index)] = batchCommand(options.method, options.params(bound));
  }
  const envelope = await options.send(cmd, options.fields);
  reportTimes(envelope, options.method, options.onTime);

  const rows: unknown[] = [];
  let lastId = options.afterId;
  for (let index = 0; index < count; index++) {
    const page = envelope.result[key(index)];
    if (!Array.isArray(page)) {
      return {
        rows,
        lastId,
        done: false,
        error: errorOf(envelope, key(index)) ?? new BatchCommandError('BATCH_RESULT_MISSING', key(index), ''),
      };
    }
    for (const row of page) {
      const id = rowId(row);
      // Rows must climb above the cursor; anything else means the filter was ignored, and following it
      // would loop (b24jssdk's fetchList does, on department.get).
      if (id === undefined || id <= lastId) throw new CursorIgnoredError(options.method);
      rows.push(row);
      lastId = id;
    }
    if (page.length < PAGE_SIZE) return { rows, lastId, done: true };
  }
  return { rows, lastId, done: false };
}

/** What one request of offset paging brought. */
export interface OffsetBatch {
  /** Rows not seen before (their IDs were added to `seen`). */
  rows: unknown[];
  /** `total` the method reported, or null when it reports none. */
  total: number | null;
  /** Offset of the first page not fetched yet. */
  nextStart: number;
  done: boolean;
  /** A command failed before the end of the data; `rows` holds the pages before it. */
  error?: BatchCommandError;
}

/**
 * One request of offset paging (`start` = 0, 50, 100, … in one batch), for methods without an ID cursor
 * (`department.get` ignores `>ID`; `sonet_group.get`). While `total` is unknown a full batch of 50 pages is
 * sent; afterwards only the pages that exist. A page past the end may repeat the last page (CDBResult
 * does), so rows are de-duplicated by ID through `seen`.
 */
export async function fetchOffsetBatch(options: {
  send: SendBatch;
  method: string;
  params: (start: number) => Record<string, QueryValue>;
  start: number;
  total: number | null;
  seen: Set<number>;
  fields?: readonly string[];
  onTime?: TimeSink;
}): Promise<OffsetBatch> {
  const { start, seen } = options;
  const remainingPages = options.total === null ? BATCH_MAX : Math.ceil((options.total - start) / PAGE_SIZE);
  const count = Math.min(BATCH_MAX, remainingPages);
  if (count <= 0) return { rows: [], total: options.total, nextStart: start, done: true };
  const cmd: Record<string, string> = {};
  for (let index = 0; index < count; index++)
    cmd[key(index)] = batchCommand(options.method, options.params(start + index * PAGE_SIZE));
  const envelope = await options.send(cmd, options.fields);
  reportTimes(envelope, options.method, options.onTime);

  let total = options.total;
  const rows: unknown[] = [];
  for (let index = 0; index < count; index++) {
    const reported = envelope.result_total[key(index)];
    if (total === null && reported !== undefined && Number.isFinite(reported)) total = reported;
    const pageStart = start + index * PAGE_SIZE;
    if (total !== null && pageStart >= total) break;
    const page = envelope.result[key(index)];
    if (!Array.isArray(page)) {
      const error = errorOf(envelope, key(index)) ?? new BatchCommandError('BATCH_RESULT_MISSING', key(index), '');
      return { rows, total, nextStart: pageStart, done: false, error };
    }
    let fresh = 0;
    for (const row of page) {
      const id = rowId(row);
      if (id === undefined || seen.has(id)) continue;
      seen.add(id);
      rows.push(row);
      fresh++;
    }
    // Without a total, a short page or a page of repeats is the end.
    if (total === null && (page.length < PAGE_SIZE || fresh === 0))
      return { rows, total, nextStart: pageStart + PAGE_SIZE, done: true };
  }
  const nextStart = start + count * PAGE_SIZE;
  return { rows, total, nextStart, done: total !== null && nextStart >= total };
}

/** What one request of per-item commands (e.g. `sonet_group.user.get` per group) brought. */
export interface ItemBatch<T> {
  /** Per item: its rows, or the error of its command. */
  results: Array<{ item: T; rows: unknown[] } | { item: T; error: BatchCommandError }>;
}

/** One request with one command per item (up to 50), e.g. the members of 50 workgroups. */
export async function fetchItemBatch<T>(options: {
  send: SendBatch;
  method: string;
  items: readonly T[];
  params: (item: T) => Record<string, QueryValue>;
  onTime?: TimeSink;
}): Promise<ItemBatch<T>> {
  const items = options.items.slice(0, BATCH_MAX);
  const cmd: Record<string, string> = {};
  items.forEach((item, index) => (cmd[key(index)] = batchCommand(options.method, options.params(item))));
  const envelope = await options.send(cmd);
  reportTimes(envelope, options.method, options.onTime);
  return {
    results: items.map((item, index) => {
      const rows = envelope.result[key(index)];
      if (Array.isArray(rows)) return { item, rows };
      return {
        item,
        error: errorOf(envelope, key(index)) ?? new BatchCommandError('BATCH_RESULT_MISSING', key(index), ''),
      };
    }),
  };
}
