import nock from 'nock';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { parsePhpQuery } from '../emulator/php-query.js';
import { OAUTH, harness, isolateNetwork, testPortal } from '../support/harness.js';
import { portalCall, tokenRefresh } from '../support/bitrix-nock.js';
import { installPortal } from '../support/install-portal.js';

const acme = testPortal('acme');
const TIME = {
  start: 1,
  finish: 1.01,
  duration: 0.01,
  processing: 0.01,
  operating: 0,
  operating_reset_at: 1_900_000_000,
};

const batchBody = z.object({
  auth: z.string(),
  halt: z.union([z.number(), z.string()]),
  cmd: z.record(z.string(), z.string()),
});
type Envelope = Record<string, unknown>;

/** Users as user.get prints them (user_brief): nulls, `{}` dates, no UF_DEPARTMENT for extranet. */
function restUser(id: number): Record<string, unknown> {
  const extranet = id % 10 === 0;
  return {
    ID: String(id),
    XML_ID: null,
    ACTIVE: id % 7 !== 0,
    NAME: `Name${id}`,
    LAST_NAME: id === 3 ? null : `Last${id}`,
    TIMESTAMP_X: {},
    LAST_ACTIVITY_DATE: {},
    PERSONAL_PHOTO: id === 2 ? 'https://cdn.example/2.png' : null,
    WORK_POSITION: '',
    ...(extranet ? {} : { UF_DEPARTMENT: [1 + (id % 3)] }),
    USER_TYPE: extranet ? 'extranet' : 'employee',
  };
}

const departments = [
  { ID: '1', NAME: 'Acme', SORT: 500, UF_HEAD: '1' },
  { ID: '2', NAME: 'Sales', SORT: 100, PARENT: '1' },
  { ID: '3', NAME: 'R&D', SORT: 200, PARENT: '1', UF_HEAD: '4' },
];

/**
 * A portal's `batch` over `users` user IDs: department.get by offset (ignores `>ID`, repeats the last page
 * past the end), user.get by `>ID` with `$result[…][49][ID]` references resolved as the portal does. `quirk`
 * may replace any command's outcome (an error or other rows).
 */
function fakeBatch(options: {
  users: number[];
  quirk?: (
    key: string,
    method: string,
    params: Record<string, unknown>,
    request: number,
  ) => { error: string } | { rows: unknown[] } | undefined;
  ignoreCursor?: boolean;
}): { requests: Array<Record<string, string>>; reply: (cmd: Record<string, string>) => Envelope } {
  const requests: Array<Record<string, string>> = [];
  return {
    requests,
    reply(cmd) {
      requests.push(cmd);
      const result: Record<string, unknown> = {};
      const errors: Record<string, unknown> = {};
      const totals: Record<string, number> = {};
      for (const [key, command] of Object.entries(cmd)) {
        const [method = '', query = ''] = command.split('?');
        const params = parsePhpQuery(query);
        const quirk = options.quirk?.(key, method, params, requests.length);
        if (quirk !== undefined && 'error' in quirk) {
          errors[key] = { error: quirk.error, error_description: 'injected' };
          continue;
        }
        let rows: unknown[];
        if (method === 'department.get') {
          const start = Number(params['start'] ?? 0);
          const page = Math.min(Math.floor(start / 50), Math.max(0, Math.ceil(departments.length / 50) - 1));
          rows = departments.slice(page * 50, page * 50 + 50);
          totals[key] = departments.length;
        } else {
          const filter = params['FILTER'];
          const bound = typeof filter === 'object' ? filter['>ID'] : undefined;
          let after = 0;
          if (typeof bound === 'string' && bound.startsWith('$result')) {
            const [, ref = '', index = '', field = ''] = /\$result\[(\w+)\]\[(\d+)\]\[(\w+)\]/.exec(bound) ?? [];
            const referenced = result[ref];
            const row: unknown = Array.isArray(referenced) ? referenced[Number(index)] : undefined;
            // An unresolvable reference becomes an array and matches nothing.
            after =
              typeof row === 'object' && row !== null && field in row
                ? Number(Reflect.get(row, field))
                : Number.POSITIVE_INFINITY;
          } else if (typeof bound === 'string') after = Number(bound);
          if (options.ignoreCursor === true) {
            const start = Number(params['start'] ?? 0);
            rows = options.users.slice(Math.max(0, start), Math.max(0, start) + 50).map(restUser);
            if (start >= 0) totals[key] = options.users.length;
          } else
            rows = options.users
              .filter((id) => id > after)
              .slice(0, 50)
              .map(restUser);
        }
        result[key] = quirk !== undefined && 'rows' in quirk ? quirk.rows : rows;
      }
      // PHP prints empty maps as [].
      const map = (value: Record<string, unknown>) => (Object.keys(value).length === 0 ? [] : value);
      return {
        result: map(result),
        result_error: map(errors),
        result_total: map(totals),
        result_next: [],
        result_time: [],
      };
    },
  };
}

function interceptBatch(
  reply: (cmd: Record<string, string>) => Envelope,
  options: { token?: string; times?: number } = {},
): nock.Scope {
  return nock(acme.origin)
    .post(
      '/rest/batch',
      (body: unknown) =>
        batchBody.safeParse(body).success && batchBody.parse(body).auth === (options.token ?? acme.adminToken),
    )
    .query(true)
    .times(options.times ?? 100)
    .reply(200, (_uri, body) => ({
      result: reply(batchBody.parse(typeof body === 'string' ? JSON.parse(body) : body).cmd),
      time: TIME,
    }));
}

async function installed() {
  const h = harness();
  await installPortal(h, acme);
  return h;
}

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, index) => from + index);

describe('batch envelopes and quirks (nock)', () => {
  beforeEach(isolateNetwork);
  afterEach(() => nock.cleanAll());

  it('[] for empty maps, null fields, {} dates and extranet users without UF_DEPARTMENT are read as they come', async () => {
    const h = await installed();
    const portal = fakeBatch({ users: range(1, 120) });
    interceptBatch(portal.reply);
    const report = await h.services.directory.runSync(acme.memberId, 'admin');
    expect(report).toMatchObject({ users: 120, departments: 3, requests: 2 });
    // halt: 0, and departments by offset without a cursor filter.
    expect(portal.requests[0]?.['c0']).toBe('department.get?sort=ID&order=ASC&start=0');
    expect(portal.requests[0]?.['c1']).toBe('department.get?sort=ID&order=ASC&start=50');
    const snapshot = await h.services.directory.snapshot(acme.memberId);
    expect(snapshot.users.get(3)).toMatchObject({ name: 'Name3', lastName: '', photo: null, departments: [1] });
    expect(snapshot.users.get(2)?.photo).toBe('https://cdn.example/2.png');
    expect(snapshot.users.get(10)).toMatchObject({ type: 'extranet', departments: [] });
    expect(snapshot.users.get(7)?.active).toBe(false);
    expect(snapshot.departments.get(1)).toEqual({ id: 1, name: 'Acme', parent: null, head: 1, sort: 500 });
    expect(snapshot.departments.get(3)).toEqual({ id: 3, name: 'R&D', parent: 1, head: 4, sort: 200 });
  });

  it('a result_error before the end of the chain: keeps the rows before it, retries from the cursor after them', async () => {
    const h = await installed();
    const portal = fakeBatch({
      users: range(1, 130),
      quirk: (key, method, _params, request) =>
        method === 'user.get' && key === 'c2' && request === 2 ? { error: 'INTERNAL_SERVER_ERROR' } : undefined,
    });
    interceptBatch(portal.reply);
    const report = await h.services.directory.runSync(acme.memberId, 'admin');
    expect(report).toMatchObject({ users: 130, requests: 3 });
    // The retry starts after the 100 users of c0 and c1.
    expect(parsePhpQuery(portal.requests[2]?.['c0']?.split('?')[1] ?? '')['FILTER']).toEqual({ '>ID': '100' });
    const snapshot = await h.services.directory.snapshot(acme.memberId);
    expect([...snapshot.users.keys()].sort((a, b) => a - b)).toEqual(range(1, 130));
  });

  it('a result_error that does not go away fails the sync with its code, keeping the checkpoint', async () => {
    const h = await installed();
    const portal = fakeBatch({
      users: range(1, 130),
      quirk: (key, method) => (method === 'user.get' && key === 'c0' ? { error: 'ERROR_CORE' } : undefined),
    });
    interceptBatch(portal.reply);
    await expect(h.services.directory.runSync(acme.memberId, 'admin')).rejects.toMatchObject({
      bitrixCode: 'ERROR_CORE',
    });
    // One department request, then the user request and two retries.
    expect(portal.requests).toHaveLength(4);
    const status = await h.services.directory.status(acme.memberId);
    expect(status).toMatchObject({ state: 'failed', generation: null, lastError: { code: 'ERROR_CORE' } });
  });

  it('result: [] when every command failed (a refusal) fails the sync at once', async () => {
    const h = await installed();
    const portal = fakeBatch({ users: [], quirk: () => ({ error: 'ACCESS_DENIED' }) });
    interceptBatch(portal.reply);
    await expect(h.services.directory.runSync(acme.memberId, 'admin')).rejects.toMatchObject({
      bitrixCode: 'ACCESS_DENIED',
    });
    expect(portal.requests).toHaveLength(1);
  });

  it('repeats after the end of data (an unresolved reference matching everything) are ignored', async () => {
    const h = await installed();
    // After the short page c1, the portal answers the later commands with the first page again.
    const portal = fakeBatch({
      users: range(1, 70),
      quirk: (key, method) =>
        method === 'user.get' && Number(key.slice(1)) >= 2 ? { rows: range(1, 50).map(restUser) } : undefined,
    });
    interceptBatch(portal.reply);
    const report = await h.services.directory.runSync(acme.memberId, 'admin');
    expect(report.users).toBe(70);
    expect((await h.services.directory.snapshot(acme.memberId)).users.size).toBe(70);
  });

  it('a portal that ignores the user cursor: the sync switches to offset paging and de-duplicates', async () => {
    const h = await installed();
    const portal = fakeBatch({ users: range(1, 120), ignoreCursor: true });
    interceptBatch(portal.reply);
    const report = await h.services.directory.runSync(acme.memberId, 'admin');
    expect(report.users).toBe(120);
    const offsetRequest = portal.requests.find(
      (cmd) => cmd['c1']?.includes('start=50') === true && cmd['c1'].startsWith('user.get'),
    );
    expect(offsetRequest?.['c0']).toBe('user.get?sort=ID&order=ASC&ADMIN_MODE=1&start=0');
    expect([...(await h.services.directory.snapshot(acme.memberId)).users.keys()].sort((a, b) => a - b)).toEqual(
      range(1, 120),
    );
  });

  it('a 503 in the middle is retried through the budget', async () => {
    const h = await installed();
    const portal = fakeBatch({ users: range(1, 3000) });
    interceptBatch(portal.reply, { times: 2 });
    nock(acme.origin)
      .post('/rest/batch')
      .query(true)
      .reply(503, { error: 'QUERY_LIMIT_EXCEEDED', error_description: 'Too many requests' });
    interceptBatch(portal.reply, { times: 5 });
    const report = await h.services.directory.runSync(acme.memberId, 'admin');
    expect(report).toMatchObject({ users: 3000, requests: 4 });
    expect(h.services.budgets.forPortal(acme.memberId).stats.queryLimitHits).toBe(1);
  });

  it('an expired token in the middle: one refresh, then the same batch again with the new token', async () => {
    const h = await installed();
    const portal = fakeBatch({ users: range(1, 3000) });
    interceptBatch(portal.reply, { times: 2 });
    nock(acme.origin)
      .post('/rest/batch')
      .query(true)
      .reply(401, { error: 'expired_token', error_description: 'The access token provided has expired.' });
    const refresh = tokenRefresh(acme.refreshToken, {
      access: 'access-renewed-1',
      refresh: 'refresh-renewed-1',
      portal: acme,
    });
    interceptBatch(portal.reply, { token: 'access-renewed-1' });
    const report = await h.services.directory.runSync(acme.memberId, 'admin');
    refresh.done();
    expect(report).toMatchObject({ users: 3000, requests: 4 });
    expect(nock.pendingMocks().filter((mock) => mock.includes(OAUTH))).toEqual([]);
  });

  it('the app client, a user-token client and the sync of one portal take from one budget', async () => {
    const h = await installed();
    const budget = h.services.budgets.forPortal(acme.memberId);
    const before = budget.stats.requests;
    portalCall(acme, 'scope', { result: ['user_brief'] });
    portalCall(acme, 'profile', { token: 'user-token-1', result: { ID: '3', ADMIN: false } });
    await (await h.services.clients.forPortal(acme.memberId)).call('scope');
    await h.services.clients
      .forUserToken({
        memberId: acme.memberId,
        clientEndpoint: `${acme.origin}/rest/`,
        accessToken: 'user-token-1',
        expiresAt: Math.floor(Date.now() / 1000) + 600,
      })
      .call('profile');
    interceptBatch(fakeBatch({ users: range(1, 10) }).reply);
    const report = await h.services.directory.runSync(acme.memberId, 'admin');
    expect(budget.stats.requests - before).toBe(2 + report.requests);
    expect(h.services.budgets.forPortal('member-other').stats.requests).toBe(0);
  });
});
