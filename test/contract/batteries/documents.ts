import { expect, it } from 'vitest';
import type { Documents } from '../../../server/store/documents.js';
import { z } from 'zod';

const anything = z.unknown();

/** What every repository relies on from the documents layer, whatever the backend. */
export function documentsBattery(documents: () => Documents, member: () => string): void {
  it('answers undefined for a missing key and round-trips values exactly', async () => {
    const key = `value:${member()}`;
    expect(await documents().get(key, anything)).toBeUndefined();
    const value = {
      text: ':starts with a colon',
      unicode: 'Nguyễn «Ёж» 🔑',
      nested: { list: [1, 2.5, null, true] },
      empty: '',
    };
    await documents().set(key, value);
    expect(await documents().get(key, anything)).toEqual(value);
    await documents().set(key, { replaced: 1 });
    expect(await documents().get(key, anything)).toEqual({ replaced: 1 });
    await documents().delete(key);
    expect(await documents().get(key, anything)).toBeUndefined();
  });

  it('reads and deletes many keys at once, in order, missing ones as undefined', async () => {
    const prefix = member();
    await documents().set(`${prefix}:a`, 'A');
    await documents().set(`${prefix}:c`, 'C');
    expect(await documents().getMany([`${prefix}:a`, `${prefix}:b`, `${prefix}:c`], anything)).toEqual([
      'A',
      undefined,
      'C',
    ]);
    await documents().deleteMany([`${prefix}:a`, `${prefix}:c`]);
    expect(await documents().getMany([`${prefix}:a`, `${prefix}:c`], anything)).toEqual([undefined, undefined]);
  });
}
