import { describe, expect, it } from 'vitest';
import { ReadCache } from '../../server/store/read-cache.js';

describe('ReadCache', () => {
  it('loads once, then answers from memory', async () => {
    const cache = new ReadCache<string>();
    let loads = 0;
    const load = () => Promise.resolve(`v${++loads}`);
    expect(await cache.read('k', load)).toBe('v1');
    expect(await cache.read('k', load)).toBe('v1');
    expect(loads).toBe(1);
  });

  it('a load that raced a write does not cache its older value', async () => {
    const cache = new ReadCache<string>();
    let release: (value: string) => void = () => undefined;
    const slow = cache.read('k', () => new Promise<string>((resolve) => (release = resolve)));
    cache.wrote('k', 'new');
    release('old');
    expect(await slow).toBe('old');
    expect(await cache.read('k', () => Promise.resolve('reloaded'))).toBe('new');
  });

  it('forget makes the next read load again, also during a racing load', async () => {
    const cache = new ReadCache<string>();
    await cache.read('k', () => Promise.resolve('a'));
    let release: (value: string) => void = () => undefined;
    cache.forget('k');
    const slow = cache.read('k', () => new Promise<string>((resolve) => (release = resolve)));
    cache.forget('k');
    release('stale');
    await slow;
    expect(await cache.read('k', () => Promise.resolve('fresh'))).toBe('fresh');
  });

  it('keeps at most maxEntries, dropping the least recently stored', async () => {
    const cache = new ReadCache<number>({ maxEntries: 2 });
    for (const key of ['a', 'b', 'c']) cache.wrote(key, key.charCodeAt(0));
    expect(await cache.read('a', () => Promise.resolve(-1))).toBe(-1);
    expect(await cache.read('c', () => Promise.resolve(-1))).toBe(99);
  });

  it('disabled (a store shared by several instances), every read loads', async () => {
    const cache = new ReadCache<string>({ enabled: false });
    let loads = 0;
    cache.wrote('k', 'written');
    expect(await cache.read('k', () => Promise.resolve(`v${++loads}`))).toBe('v1');
    expect(await cache.read('k', () => Promise.resolve(`v${++loads}`))).toBe('v2');
  });
});
