import { describe, expect, it } from 'vitest';
import { sameSecret } from '../../server/portals/lifecycle-events.js';

describe('sameSecret', () => {
  it.each<[string, string, string, boolean]>([
    ['equal', 'a3f1c0de9b8e7d6c5b4a', 'a3f1c0de9b8e7d6c5b4a', true],
    ['equal non-ASCII', 'ключ-🔑', 'ключ-🔑', true],
    ['both empty', '', '', true],
    ['different, same length', 'a3f1c0de9b8e7d6c5b4a', 'a3f1c0de9b8e7d6c5b4b', false],
    ['different case', 'abcdef', 'ABCDEF', false],
    ['a prefix', 'a3f1c0de', 'a3f1c0de9b8e7d6c5b4a', false],
    ['longer', 'a3f1c0de9b8e7d6c5b4a', 'a3f1c0de', false],
    ['empty vs non-empty', '', 'a3f1c0de', false],
    ['non-empty vs empty', 'a3f1c0de', '', false],
    ['trailing space', 'token', 'token ', false],
  ])('%s', (_label, a, b, expected) => {
    expect(sameSecret(a, b)).toBe(expected);
    expect(sameSecret(b, a)).toBe(expected);
  });
});
