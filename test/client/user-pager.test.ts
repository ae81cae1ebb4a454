import { describe, expect, it, vi } from 'vitest';
import { isReactive, isProxy } from 'vue';
import type { UsersPage } from '../../client/api/schemas';
import { createUserPager, type FetchUsersPage, type UserFilter } from '../../client/composables/userPager';
import { recycledSlots, visibleRange } from '../../client/composables/useVirtualRows';
import { makeUser } from './support/directory';

const everyone: UserFilter = { q: '', department: null, subdepartments: true, active: 'active' };

/** Pages over `total` users with an offset cursor; each call waits until the test releases it. */
function controlledPages(total: number, generation: () => number | null = () => 5) {
  const pending: { release: () => void; signal: AbortSignal }[] = [];
  const fetchPage = vi.fn<FetchUsersPage>((_filter, { cursor, limit }, signal) => {
    const offset = cursor === null ? 0 : Number(cursor);
    const count = Math.max(0, Math.min(limit, total - offset));
    const page: UsersPage = {
      generation: generation(),
      total,
      nextCursor: offset + count < total ? String(offset + count) : null,
      users: Array.from({ length: count }, (_, index) => makeUser(offset + index + 1)),
    };
    return new Promise<UsersPage>((resolve) => pending.push({ release: () => resolve(page), signal }));
  });
  /** Answers the oldest open request and lets the pager continue. */
  async function answer(): Promise<void> {
    const next = pending.shift();
    if (!next) throw new Error('no request in flight');
    next.release();
    await vi.waitFor(() => undefined);
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
  return { fetchPage, answer, pending };
}

describe('createUserPager', () => {
  it('loads the first page of 200 on reset and learns the total', async () => {
    const { fetchPage, answer } = controlledPages(50_000);
    const pager = createUserPager({ fetchPage });
    pager.reset(everyone);

    expect(pager.loading.value).toBe(true);
    expect(fetchPage).toHaveBeenCalledWith(everyone, { cursor: null, limit: 200 }, expect.any(AbortSignal));
    await answer();

    expect(pager.total.value).toBe(50_000);
    expect(pager.rows.value).toHaveLength(200);
    expect(pager.generation.value).toBe(5);
    expect(pager.loading.value).toBe(false);
    expect(fetchPage).toHaveBeenCalledTimes(1);
  });

  it('keeps the rows out of deep reactivity', async () => {
    const { fetchPage, answer } = controlledPages(500);
    const pager = createUserPager({ fetchPage });
    pager.reset(everyone);
    await answer();
    expect(isProxy(pager.rows.value)).toBe(false);
    expect(isReactive(pager.rows.value[0])).toBe(false);
  });

  it('requests the next page by cursor only when the wanted row is not loaded, once at a time', async () => {
    const { fetchPage, answer } = controlledPages(50_000);
    const pager = createUserPager({ fetchPage });
    pager.reset(everyone);
    await answer();

    pager.ensure(150);
    expect(fetchPage).toHaveBeenCalledTimes(1);

    pager.ensure(210);
    pager.ensure(220);
    expect(fetchPage).toHaveBeenCalledTimes(2);
    expect(fetchPage).toHaveBeenLastCalledWith(everyone, { cursor: '200', limit: 200 }, expect.any(AbortSignal));
    await answer();

    expect(pager.rows.value).toHaveLength(400);
    expect(pager.rows.value[399]?.id).toBe(400);
    expect(fetchPage).toHaveBeenCalledTimes(2);
  });

  it('catches up in pages of 500 after a jump far down, then keeps loading in order', async () => {
    const { fetchPage, answer } = controlledPages(50_000);
    const pager = createUserPager({ fetchPage });
    pager.reset(everyone);
    await answer();

    pager.ensure(1_000);
    await answer();
    await answer();

    const limits = fetchPage.mock.calls.map(([, page]) => page.limit);
    expect(limits).toEqual([200, 500, 500]);
    expect(pager.rows.value).toHaveLength(1_200);

    // Scrolling on from there is page by page again.
    pager.ensure(1_250);
    expect(fetchPage).toHaveBeenLastCalledWith(everyone, { cursor: '1200', limit: 200 }, expect.any(AbortSignal));
    expect(pager.rows.value.map((user) => user.id).slice(195, 205)).toEqual([
      196, 197, 198, 199, 200, 201, 202, 203, 204, 205,
    ]);
  });

  it('stops at the last page', async () => {
    const { fetchPage, answer } = controlledPages(250);
    const pager = createUserPager({ fetchPage });
    pager.reset(everyone);
    await answer();
    pager.ensure(10_000);
    await answer();
    pager.ensure(10_000);
    expect(fetchPage).toHaveBeenCalledTimes(2);
    expect(pager.rows.value).toHaveLength(250);
  });

  it('drops a stale answer after reset and starts over with the new filter', async () => {
    const { fetchPage, answer, pending } = controlledPages(1_000);
    const pager = createUserPager({ fetchPage });
    pager.reset(everyone);
    const first = pending[0];
    pager.reset({ ...everyone, q: 'anna' });

    expect(first?.signal.aborted).toBe(true);
    expect(pager.epoch.value).toBe(2);
    await answer();
    expect(pager.rows.value).toHaveLength(0);
    await answer();
    expect(pager.rows.value).toHaveLength(200);
    expect(fetchPage.mock.calls[1]?.[0]).toMatchObject({ q: 'anna' });
  });

  it('reads the new snapshot from the start when the generation changes mid-list', async () => {
    let generation = 5;
    const { fetchPage, answer } = controlledPages(1_000, () => generation);
    const pager = createUserPager({ fetchPage });
    pager.reset(everyone);
    await answer();

    generation = 6;
    pager.ensure(250);
    await answer();
    expect(fetchPage.mock.calls[2]?.[1]).toEqual({ cursor: null, limit: 200 });
    expect(pager.total.value).toBe(1_000);
    await answer();
    await answer();
    expect(pager.generation.value).toBe(6);
    expect(pager.rows.value).toHaveLength(400);
  });

  it('stops on an error and retries the same page', async () => {
    const fetchPage = vi.fn<FetchUsersPage>();
    fetchPage
      .mockResolvedValueOnce({ generation: 1, total: 400, nextCursor: 'c2', users: [makeUser(1)] })
      .mockRejectedValueOnce(new Error('offline'))
      .mockResolvedValueOnce({ generation: 1, total: 400, nextCursor: null, users: [makeUser(2)] });
    const pager = createUserPager({ fetchPage });
    pager.reset(everyone);
    await vi.waitFor(() => expect(pager.rows.value).toHaveLength(1));

    pager.ensure(5);
    await vi.waitFor(() => expect(pager.error.value).toBeInstanceOf(Error));
    pager.ensure(6);
    expect(fetchPage).toHaveBeenCalledTimes(2);

    pager.retry();
    await vi.waitFor(() => expect(pager.rows.value).toHaveLength(2));
    expect(fetchPage.mock.calls[2]?.[1]).toEqual({ cursor: 'c2', limit: 200 });
    expect(pager.error.value).toBeNull();
  });
});

describe('visibleRange', () => {
  const base = { rowHeight: 60, viewportHeight: 600, overscan: 6, count: 50_000 };

  it('covers the viewport plus overscan at the top', () => {
    expect(visibleRange({ ...base, scrollTop: 0 })).toEqual({ start: 0, end: 16 });
  });

  it('stays the same size deep in the list', () => {
    const range = visibleRange({ ...base, scrollTop: 40_000 * 60 });
    expect(range).toEqual({ start: 39_994, end: 40_016 });
    expect(range.end - range.start).toBe(22);
  });

  it('clamps to the end of the list and to empty lists', () => {
    expect(visibleRange({ ...base, count: 20, scrollTop: 10_000 })).toEqual({ start: 4, end: 20 });
    expect(visibleRange({ ...base, count: 0, scrollTop: 0 })).toEqual({ start: 0, end: 0 });
  });
});

describe('recycledSlots', () => {
  it('keeps a row’s key while it stays in view and gives the entering row the key of the one that left', () => {
    const before = recycledSlots(100, 122, 22);
    const after = recycledSlots(103, 125, 22);
    const keyOf = (slots: typeof before, index: number) => slots.find((slot) => slot.index === index)?.key;

    expect(after.map((slot) => slot.index)).toEqual(Array.from({ length: 22 }, (_, offset) => 103 + offset));
    for (let index = 103; index < 122; index += 1) expect(keyOf(after, index)).toBe(keyOf(before, index));
    expect(new Set(after.map((slot) => slot.key)).size).toBe(22);
    expect(new Set(after.map((slot) => slot.key))).toEqual(new Set(before.map((slot) => slot.key)));
  });
});
