import { describe, expect, it } from 'vitest';
import { generateCompany } from '../emulator/company.js';
import { testEmulator } from './helpers.js';

const company = generateCompany({ users: 100_000, departments: 2000, seed: 11 });

describe('a 100k-user portal', () => {
  it('serves the start=-1 cursor and offset paging quickly enough for benchmarks', async () => {
    const t = testEmulator({ companyData: company, operatingLimitSeconds: false });
    const token = t.install();
    const started = performance.now();
    const cursor = await t
      .rest('user.get', { order: { ID: 'ASC' }, filter: { '>ID': 90_000 }, start: -1 }, token)
      .expect(200);
    expect(Number(cursor.body.result[0].ID)).toBeGreaterThan(90_000);
    let total = 0;
    for (let page = 0; page < 20; page++) {
      const response = await t.rest('user.get', { start: page * 50 }, token).expect(200);
      total = response.body.total;
      expect(response.body.result).toHaveLength(50);
    }
    expect(total).toBeGreaterThan(95_000);
    expect(performance.now() - started).toBeLessThan(3000);
    const departments = await t.rest('department.get', { start: 1950 }, token).expect(200);
    expect(departments.body.result).toHaveLength(50);
    expect(departments.body).toMatchObject({ total: 2000 });
  }, 20_000);
});
