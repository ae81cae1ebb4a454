import { describe, expect, it } from 'vitest';
import { buildPhpQuery } from '../emulator/php-query.js';
import { testEmulator } from './helpers.js';

type Row = { ID: string };

/** `u0 … u{n-1}`: each command continues after the last ID of the previous one (the documented fast pattern). */
function chain(count: number): Record<string, string> {
  const cmd: Record<string, string> = { u0: 'user.get?FILTER[>ID]=0&order[ID]=ASC&start=-1' };
  for (let index = 1; index < count; index++) {
    cmd[`u${index}`] = `user.get?${buildPhpQuery({ FILTER: { '>ID': `$result[u${index - 1}][49][ID]` }, start: -1 })}`;
  }
  return cmd;
}

describe('batch', () => {
  it('chains 50 user.get commands with $result[prev][49][ID]: 2,500 users in one HTTP request', async () => {
    const t = testEmulator({ company: { users: 3000, seed: 4 } });
    const token = t.install();
    t.portal.resetCounters();
    const response = await t.rest('batch', { halt: 0, cmd: chain(50) }, token).expect(200);
    const results: Record<string, Row[]> = response.body.result.result;
    expect(Object.keys(results)).toHaveLength(50);
    const ids = Object.values(results).flatMap((rows) => rows.map((row) => Number(row.ID)));
    expect(ids).toHaveLength(2500);
    expect(new Set(ids).size).toBe(2500);
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(response.body.result.result_error).toEqual([]);
    expect(response.body.result.result_total).toMatchObject({ u0: 0 });
    expect(response.body.result.result_next).toEqual([]);
    expect(response.body.result.result_time.u0).toHaveProperty('operating');
    expect(t.portal.counters).toMatchObject({
      restRequests: 1,
      batchCommands: 50,
      byMethod: { batch: 1, 'user.get': 50 },
    });
  });

  it('stops finding rows when the data ends mid-batch, without repeating users', async () => {
    const t = testEmulator({ company: { users: 130, seed: 4 } });
    const token = t.install();
    const response = await t.rest('batch', { cmd: chain(6) }, token).expect(200);
    const results: Record<string, Row[]> = response.body.result.result;
    const sizes = Object.values(results).map((rows) => rows.length);
    expect(sizes[0]).toBe(50);
    expect(sizes[1]).toBe(50);
    expect(sizes[2]).toBeLessThan(50);
    expect(sizes.slice(3)).toEqual([0, 0, 0]);
    const ids = Object.values(results).flatMap((rows) => rows.map((row) => row.ID));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('reports failed commands in result_error and keeps going (HTTP 200)', async () => {
    const t = testEmulator({ scopes: 'user_brief,placement' });
    const token = t.install();
    const response = await t
      .rest('batch', { cmd: { me: 'user.current', deps: 'department.get', admin: 'user.admin' } }, token)
      .expect(200);
    expect(response.body.result.result).toMatchObject({ me: { ID: '1' }, admin: true });
    expect(response.body.result.result).not.toHaveProperty('deps');
    expect(response.body.result.result_error).toEqual({
      deps: { error: 'insufficient_scope', error_description: expect.any(String) },
    });
  });

  it('prints empty maps as [] and numbered commands as lists', async () => {
    const t = testEmulator();
    const token = t.install();
    const response = await t.rest('batch', { cmd: ['user.admin', 'profile'] }, token).expect(200);
    expect(response.body.result).toMatchObject({ result_error: [], result_total: [], result_next: [] });
    expect(Array.isArray(response.body.result.result)).toBe(true);
    expect(response.body.result.result[0]).toBe(true);
    expect(response.body.result.result[1].ID).toBe('1');
    const allFailed = await t.rest('batch', { cmd: { a: 'no.such.method' } }, token).expect(200);
    expect(allFailed.body.result.result).toEqual([]);
    expect(allFailed.body.result.result_error.a.error).toBe('ERROR_METHOD_NOT_FOUND');
  });

  it('answers ERROR_BATCH_LENGTH_EXCEEDED for commands past the 50th', async () => {
    const t = testEmulator();
    const token = t.install();
    const cmd = Object.fromEntries(Array.from({ length: 52 }, (_, index) => [`c${index}`, 'user.admin']));
    const response = await t.rest('batch', { cmd }, token).expect(200);
    expect(Object.keys(response.body.result.result)).toHaveLength(50);
    expect(response.body.result.result_error).toEqual({
      c50: { error: 'ERROR_BATCH_LENGTH_EXCEEDED', error_description: 'Max batch length exceeded' },
      c51: { error: 'ERROR_BATCH_LENGTH_EXCEEDED', error_description: 'Max batch length exceeded' },
    });
  });

  it('halts at the first error when asked, and refuses a nested batch', async () => {
    const t = testEmulator();
    const token = t.install();
    const halted = await t
      .rest('batch', { halt: 1, cmd: { a: 'profile', b: 'no.such.method', c: 'user.admin' } }, token)
      .expect(200);
    expect(Object.keys(halted.body.result.result)).toEqual(['a']);
    expect(Object.keys(halted.body.result.result_error)).toEqual(['b']);
    const nested = await t.rest('batch', { cmd: { inner: 'batch?cmd[x]=profile' } }, token).expect(200);
    expect(nested.body.result.result_error.inner.error).toBe('ERROR_BATCH_METHOD_NOT_ALLOWED');
  });

  it('resolves $result[key][FIELD] and nested list references before running a command', async () => {
    const t = testEmulator();
    const token = t.install();
    const employee = t.find(
      (user) => user.active && !user.admin && user.type === 'employee' && user.departments[0] !== 1,
    );
    const response = await t
      .rest(
        'batch',
        {
          cmd: {
            someone: `user.get?ID=${employee.id}`,
            dept: 'department.get?ID=$result[someone][0][UF_DEPARTMENT][0]',
            same: 'user.get?FILTER[ID]=$result[someone][0][ID]',
          },
        },
        token,
      )
      .expect(200);
    expect(response.body.result.result.dept[0].ID).toBe(String(employee.departments[0]));
    expect(response.body.result.result.same[0].ID).toBe(String(employee.id));
  });

  it('accepts a form-encoded batch, as PHP clients send it', async () => {
    const t = testEmulator();
    const token = t.install();
    const response = await t.http
      .post('/rest/batch')
      .type('form')
      .send(buildPhpQuery({ auth: token, halt: 0, cmd: { me: 'profile', first: 'user.get?FILTER[<ID]=3' } }))
      .expect(200);
    expect(response.body.result.result.me.ID).toBe('1');
    expect(response.body.result.result.first.map((row: Row) => row.ID)).toEqual(['1', '2']);
  });
});
