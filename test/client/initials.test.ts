import { describe, expect, it } from 'vitest';
import { initialsOf } from '../../client/composables/initials';

describe('initialsOf', () => {
  it('takes the first letter of up to two words, skipping emoji and markup', () => {
    expect(initialsOf('Zoë 🚀 Ünïcødé 👩🏽‍💻')).toBe('ZÜ');
    expect(initialsOf('<script>alert(1)</script>')).toBe('S');
    expect(initialsOf('mia johnson')).toBe('MJ');
    expect(initialsOf('🚀')).toBe('');
  });
});
