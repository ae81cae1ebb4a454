import { describe, expect, it } from 'vitest';
import { testEmulator } from './helpers.js';

/** The processing time the portal reports for one `user.get` page. */
async function processing(t: ReturnType<typeof testEmulator>, token: string, params: Record<string, unknown>) {
  const response = await t.rest('user.get', { sort: 'ID', order: 'ASC', ...params }, token).expect(200);
  return Number(response.body.time.processing);
}

// b24restdocs settings/performance/huge-data.md: counting for `total` and offset paging make deep pages dear;
// `start=-1` with a `>ID` filter does not.
describe('operating cost of list paging', () => {
  it('charges offset pages more the deeper they go, and ID-cursor pages the same at any depth', async () => {
    const t = testEmulator({ company: { users: 1000 } });
    const token = t.install();
    const shallow = await processing(t, token, { start: 0 });
    const deep = await processing(t, token, { start: 900 });
    expect(deep).toBeGreaterThan(shallow);

    const first = await processing(t, token, { start: -1, FILTER: { '>ID': 0 } });
    const later = await processing(t, token, { start: -1, FILTER: { '>ID': 900 } });
    expect(later).toBeCloseTo(first, 9);
    expect(first).toBeLessThan(shallow);
  });
});
