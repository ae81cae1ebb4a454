import { describe, expect, it } from 'vitest';
import { batchCommand, batchEnvelopeSchema, type BatchEnvelope } from '../../server/directory/batch.js';
import { InProcessLocks } from '../../server/store/locks.js';
import {
  CursorIgnoredError,
  fetchCursorBatch,
  fetchItemBatch,
  fetchOffsetBatch,
} from '../../server/directory/paging.js';
import { decodeUser, encodeUser, userChunkSchema } from '../../server/directory/records.js';
import { applyUserRow, parseDepartmentRow, parseMemberRow, parseUserRow } from '../../server/directory/rest-rows.js';
import { userCursorParams } from '../../server/directory/sync-phases.js';

/** Builds an envelope the way the portal prints it (empty maps as `[]`). */
function envelope(parts: {
  result?: Record<string, unknown>;
  result_error?: Record<string, unknown>;
  result_total?: Record<string, number>;
}): BatchEnvelope {
  const map = (value: Record<string, unknown> | undefined) =>
    value === undefined || Object.keys(value).length === 0 ? [] : value;
  return batchEnvelopeSchema.parse({
    result: map(parts.result),
    result_error: map(parts.result_error),
    result_total: map(parts.result_total),
    result_next: [],
    result_time: [],
  });
}

const rows = (from: number, count: number) =>
  Array.from({ length: count }, (_, index) => ({ ID: String(from + index), NAME: `U${from + index}` }));

/** Parses `FILTER[>ID]=…` and `start=…` out of a command, as the portal would. */
function commandParams(command: string): Record<string, string> {
  const query = command.slice(command.indexOf('?') + 1);
  return Object.fromEntries(query.split('&').map((pair) => pair.split('=').map((part) => decodeURIComponent(part))));
}

describe('batchCommand', () => {
  it('encodes nested parameters as parse_str reads them, keeping references readable', () => {
    expect(batchCommand('user.get', userCursorParams('$result[c0][49][ID]'))).toBe(
      'user.get?sort=ID&order=ASC&start=-1&ADMIN_MODE=1&FILTER[>ID]=$result[c0][49][ID]',
    );
    expect(batchCommand('sonet_group.get', { ORDER: { ID: 'ASC' }, start: 100 })).toBe(
      'sonet_group.get?ORDER[ID]=ASC&start=100',
    );
    expect(batchCommand('x', { q: 'a&b=c #d+e', list: [1, 2] })).toBe('x?q=a%26b%3Dc%20%23d%2Be&list[0]=1&list[1]=2');
    expect(batchCommand('profile', {})).toBe('profile');
  });
});

describe('batchEnvelopeSchema', () => {
  it('accepts empty maps as [] and lists as maps keyed by index', () => {
    const parsed = batchEnvelopeSchema.parse({
      result: [[{ ID: '1' }]],
      result_error: [],
      result_total: [],
      result_next: [],
      result_time: [],
    });
    expect(parsed.result).toEqual({ '0': [{ ID: '1' }] });
    expect(parsed.result_error).toEqual({});
  });

  it('accepts objects, missing maps and string totals', () => {
    const parsed = batchEnvelopeSchema.parse({
      result: { c0: [] },
      result_error: { c1: { error: 'ERROR_CORE', error_description: 'boom' } },
      result_total: { c0: '12' },
    });
    expect(parsed.result_error['c1']).toEqual({ error: 'ERROR_CORE', description: 'boom' });
    expect(parsed.result_total['c0']).toBe(12);
    expect(parsed.result_time).toEqual({});
  });

  it('rejects an answer that is not an envelope', () => {
    expect(batchEnvelopeSchema.safeParse('nope').success).toBe(false);
    expect(batchEnvelopeSchema.safeParse({ result: 5 }).success).toBe(false);
  });
});

describe('user rows', () => {
  it('reads a user.get row: boolean ACTIVE, string IDs, {} dates, nulls', () => {
    const row = parseUserRow({
      ID: '42',
      ACTIVE: false,
      NAME: 'Ida',
      LAST_NAME: null,
      WORK_POSITION: 'QA',
      UF_DEPARTMENT: [3, '7'],
      USER_TYPE: 'employee',
      PERSONAL_PHOTO: null,
      TIMESTAMP_X: {},
      EMAIL: 'ida@example.com',
    });
    expect(row).toBeDefined();
    if (row === undefined) return;
    expect(applyUserRow(row, undefined, false)).toEqual({
      id: 42,
      active: false,
      type: 'employee',
      name: 'Ida',
      lastName: '',
      email: null,
      position: 'QA',
      departments: [3, 7],
      photo: null,
    });
    expect(applyUserRow(row, undefined, true).email).toBe('ida@example.com');
  });

  it('reads an ONUSERADD data block (ACTIVE "Y", departments as a form object) and keeps what it lacks', () => {
    const existing = {
      id: 9,
      active: false,
      type: 'extranet',
      name: 'Old',
      lastName: 'Name',
      email: null,
      position: 'P',
      departments: [],
      photo: 'https://x/p.png',
    };
    const row = parseUserRow({
      ID: 9,
      ACTIVE: 'Y',
      NAME: 'New',
      LAST_NAME: 'Name',
      UF_DEPARTMENT: { '0': '5' },
      EMAIL: 'n@example.com',
    });
    if (row === undefined) throw new Error('not parsed');
    expect(applyUserRow(row, existing, false)).toEqual({ ...existing, active: true, name: 'New', departments: [5] });
    expect(applyUserRow(row, undefined, false)).toMatchObject({ active: true, type: 'employee', photo: null });
  });

  it('treats an unknown ACTIVE as inactive and skips rows without an ID', () => {
    const row = parseUserRow({ ID: '1', ACTIVE: 'maybe' });
    expect(row?.ACTIVE).toBe(false);
    expect(parseUserRow({ NAME: 'no id' })).toBeUndefined();
    expect(parseUserRow({ ID: 'abc' })).toBeUndefined();
    expect(parseUserRow({ ID: '0' })).toBeUndefined();
  });

  it('round-trips the compact stored form', () => {
    const stored = {
      id: 3,
      active: true,
      type: 'employee',
      name: 'Ann',
      lastName: 'Lee',
      email: 'a@b.c',
      position: '',
      departments: [1, 2],
      photo: null,
    };
    const tuple = encodeUser(stored);
    expect(tuple).toEqual([3, 1, '', 'Ann', 'Lee', 'a@b.c', '', [1, 2], null]);
    expect(decodeUser(userChunkSchema.parse({ rows: [tuple] }).rows[0] ?? tuple)).toEqual(stored);
  });
});

describe('department and member rows', () => {
  it('reads a root without PARENT, UF_HEAD only when set, SORT as a number', () => {
    expect(parseDepartmentRow({ ID: '1', NAME: 'Co', SORT: 500 })).toEqual({
      id: 1,
      name: 'Co',
      parent: null,
      head: null,
      sort: 500,
    });
    expect(parseDepartmentRow({ ID: '2', NAME: 'A', SORT: '100', PARENT: '1', UF_HEAD: '7' })).toEqual({
      id: 2,
      name: 'A',
      parent: 1,
      head: 7,
      sort: 100,
    });
    expect(parseDepartmentRow({ ID: '3', NAME: 'B', PARENT: '3', UF_HEAD: '0' })).toEqual({
      id: 3,
      name: 'B',
      parent: null,
      head: null,
      sort: 500,
    });
  });

  it('keeps only member roles', () => {
    expect(parseMemberRow({ USER_ID: '4', ROLE: 'E' })).toEqual({ userId: 4, role: 'E' });
    expect(parseMemberRow({ USER_ID: '4', ROLE: 'Z' })).toBeUndefined();
  });
});

describe('fetchCursorBatch', () => {
  it('chains 50 pages by the last ID of the page before', async () => {
    const sent: Record<string, string>[] = [];
    const batch = await fetchCursorBatch({
      send: async (cmd) => {
        sent.push(cmd);
        return envelope({
          result: Object.fromEntries(Array.from({ length: 50 }, (_, k) => [`c${k}`, rows(1 + k * 50, 50)])),
        });
      },
      method: 'user.get',
      params: userCursorParams,
      afterId: 0,
    });
    expect(Object.keys(sent[0] ?? {})).toHaveLength(50);
    expect(commandParams(sent[0]?.['c0'] ?? '')['FILTER[>ID]']).toBe('0');
    expect(commandParams(sent[0]?.['c7'] ?? '')['FILTER[>ID]']).toBe('$result[c6][49][ID]');
    expect(batch.rows).toHaveLength(2500);
    expect(batch).toMatchObject({ lastId: 2500, done: false });
  });

  it('ends at the first short page and ignores the commands after it (errors or repeats)', async () => {
    const batch = await fetchCursorBatch({
      send: async () =>
        envelope({
          result: { c0: rows(101, 50), c1: rows(151, 20), c3: rows(1, 50) },
          result_error: { c2: { error: 'INVALID_ARG_VALUE', error_description: 'unresolved reference' } },
        }),
      method: 'user.get',
      params: userCursorParams,
      afterId: 100,
      commands: 4,
    });
    expect(batch.rows).toHaveLength(70);
    expect(batch).toMatchObject({ lastId: 170, done: true });
    expect(batch.error).toBeUndefined();
  });

  it('treats an empty first page as the end', async () => {
    const batch = await fetchCursorBatch({
      send: async () => envelope({ result: { c0: [] } }),
      method: 'user.get',
      params: userCursorParams,
      afterId: 2500,
      commands: 2,
    });
    expect(batch).toEqual({ rows: [], lastId: 2500, done: true });
  });

  it('returns an error before the end with the rows before it', async () => {
    const batch = await fetchCursorBatch({
      send: async () =>
        envelope({
          result: { c0: rows(1, 50) },
          result_error: { c1: { error: 'OPERATION_TIME_LIMIT', error_description: '' } },
        }),
      method: 'user.get',
      params: userCursorParams,
      afterId: 0,
      commands: 3,
    });
    expect(batch.rows).toHaveLength(50);
    expect(batch.lastId).toBe(50);
    expect(batch.done).toBe(false);
    expect(batch.error?.bitrixCode).toBe('OPERATION_TIME_LIMIT');
    expect(batch.error?.command).toBe('c1');
  });

  it('detects a method that ignores the cursor (department.get returns the same page again)', async () => {
    const repeat = fetchCursorBatch({
      send: async () => envelope({ result: { c0: rows(1, 50), c1: rows(1, 50) } }),
      method: 'department.get',
      params: (afterId) => ({ sort: 'ID', order: 'ASC', FILTER: { '>ID': afterId } }),
      afterId: 0,
      commands: 2,
    });
    await expect(repeat).rejects.toBeInstanceOf(CursorIgnoredError);
  });
});

describe('fetchOffsetBatch', () => {
  it('learns the total, drops repeats of the last page and stops there', async () => {
    const seen = new Set<number>();
    const starts: string[] = [];
    const batch = await fetchOffsetBatch({
      send: async (cmd) => {
        starts.push(...Object.values(cmd).map((command) => commandParams(command)['start'] ?? ''));
        // 120 departments: pages 0, 50, 100; every page after repeats the last one.
        const page = (k: number) => (k === 0 ? rows(1, 50) : k === 1 ? rows(51, 50) : rows(101, 20));
        return envelope({
          result: Object.fromEntries(Object.keys(cmd).map((name, k) => [name, page(k)])),
          result_total: Object.fromEntries(Object.keys(cmd).map((name) => [name, 120])),
        });
      },
      method: 'department.get',
      params: (start) => ({ sort: 'ID', order: 'ASC', start }),
      start: 0,
      total: null,
      seen,
    });
    expect(starts).toHaveLength(50);
    expect(starts.slice(0, 3)).toEqual(['0', '50', '100']);
    expect(batch.rows).toHaveLength(120);
    expect(batch).toMatchObject({ total: 120, done: true });
  });

  it('asks only for the pages that exist once the total is known', async () => {
    let commands = 0;
    const batch = await fetchOffsetBatch({
      send: async (cmd) => {
        commands = Object.keys(cmd).length;
        return envelope({
          result: Object.fromEntries(Object.keys(cmd).map((name, k) => [name, rows(2501 + k * 50, k === 2 ? 10 : 50)])),
          result_total: { c0: 2610 },
        });
      },
      method: 'department.get',
      params: (start) => ({ start }),
      start: 2500,
      total: 2610,
      seen: new Set(),
    });
    expect(commands).toBe(3);
    expect(batch).toMatchObject({ nextStart: 2650, done: true });
    expect(batch.rows).toHaveLength(110);
  });

  it('ends without a total on a page of repeats', async () => {
    const seen = new Set<number>();
    const batch = await fetchOffsetBatch({
      send: async (cmd) =>
        envelope({ result: Object.fromEntries(Object.keys(cmd).map((name) => [name, rows(1, 50)])) }),
      method: 'sonet_group.get',
      params: (start) => ({ start }),
      start: 0,
      total: null,
      seen,
    });
    expect(batch.rows).toHaveLength(50);
    expect(batch.done).toBe(true);
  });

  it('returns a command error inside the data with the pages before it', async () => {
    const batch = await fetchOffsetBatch({
      send: async () =>
        envelope({
          result: { c0: rows(1, 50) },
          result_error: { c1: { error: 'INTERNAL_SERVER_ERROR' } },
          result_total: { c0: 200 },
        }),
      method: 'department.get',
      params: (start) => ({ start }),
      start: 0,
      total: 200,
      seen: new Set(),
    });
    expect(batch).toMatchObject({ nextStart: 50, done: false, total: 200 });
    expect(batch.rows).toHaveLength(50);
    expect(batch.error?.bitrixCode).toBe('INTERNAL_SERVER_ERROR');
  });
});

describe('fetchItemBatch', () => {
  it('returns rows or the error per item', async () => {
    const batch = await fetchItemBatch({
      send: async (cmd) => {
        expect(cmd).toEqual({ c0: 'sonet_group.user.get?ID=5', c1: 'sonet_group.user.get?ID=6' });
        return envelope({
          result: { c0: [{ USER_ID: '1', ROLE: 'A' }] },
          result_error: { c1: { error: '', error_description: 'Socialnetwork group not found' } },
        });
      },
      method: 'sonet_group.user.get',
      items: [5, 6],
      params: (id) => ({ ID: id }),
    });
    expect(batch.results[0]).toEqual({ item: 5, rows: [{ USER_ID: '1', ROLE: 'A' }] });
    const second = batch.results[1];
    expect(second !== undefined && 'error' in second ? second.error.bitrixCode : undefined).toBe(
      'BATCH_COMMAND_FAILED',
    );
  });
});

describe('InProcessLocks', () => {
  it('runs holders of one lock one after another, other locks in parallel, and survives a failing holder', async () => {
    const locks = new InProcessLocks();
    const order: string[] = [];
    const hold = (name: string, label: string, ms: number) =>
      locks.withLock('m', name, async () => {
        order.push(`${label}+`);
        await new Promise((resolve) => setTimeout(resolve, ms));
        order.push(`${label}-`);
        return label;
      });
    const failing = locks.withLock('m', 'a', async () => {
      throw new Error('boom');
    });
    const results = await Promise.allSettled([failing, hold('a', 'a1', 20), hold('a', 'a2', 1), hold('b', 'b1', 5)]);
    expect(results.map((result) => result.status)).toEqual(['rejected', 'fulfilled', 'fulfilled', 'fulfilled']);
    expect(order.indexOf('a1-')).toBeLessThan(order.indexOf('a2+'));
    expect(order.indexOf('b1+')).toBeLessThan(order.indexOf('a1-'));
  });
});
