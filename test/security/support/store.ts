import type { Keyv } from 'keyv';
import { expect } from 'vitest';

/** Every key of a harness's memory store with its serialized value. */
export function storeContents(store: Keyv): Map<string, string> {
  const backing: unknown = store.store;
  if (!(backing instanceof Map)) throw new Error('security tests need the harness memory store (a Map)');
  return new Map([...backing.entries()].map(([key, value]): [string, string] => [String(key), JSON.stringify(value)]));
}

/** Keys added, removed or rewritten between two snapshots. */
export function storeChanges(before: Map<string, string>, after: Map<string, string>): string[] {
  const changed: string[] = [];
  for (const [key, value] of after) {
    if (!before.has(key)) changed.push(`added ${key}`);
    else if (before.get(key) !== value) changed.push(`changed ${key}`);
  }
  for (const key of before.keys()) if (!after.has(key)) changed.push(`removed ${key}`);
  return changed;
}

/** Snapshots the store now; the returned check fails naming every key that changed since. */
export function watchStore(store: Keyv): { expectUnchanged(label?: string): void } {
  const before = storeContents(store);
  return {
    expectUnchanged(label = 'store') {
      expect(storeChanges(before, storeContents(store)), label).toEqual([]);
    },
  };
}
