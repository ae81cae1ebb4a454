import { describe, expect, it } from 'vitest';
import { Cipher, sealedSchema, type Sealed } from '../../server/store/cipher.js';

const KEY_A = 'key-A-'.padEnd(40, 'a');
const KEY_B = 'key-B-'.padEnd(40, 'b');
const MEMBER = 'a1b2c3d4e5f6member';
const PLAINTEXT = JSON.stringify({ accessToken: 'AT-plain-1234567890', refreshToken: 'RT-plain-0987654321' });

/** Flips one bit of a base64url field, so the change is real whatever the padding bits are. */
function flipBit(field: string, byte = 0): string {
  const bytes = Buffer.from(field, 'base64url');
  bytes[byte] = (bytes[byte] ?? 0) ^ 0x01;
  return bytes.toString('base64url');
}

describe('Cipher', () => {
  it('opens what it sealed', () => {
    const cipher = new Cipher({ secrets: [KEY_A] });
    const sealed = cipher.seal(PLAINTEXT, MEMBER);
    expect(sealedSchema.parse(sealed)).toEqual(sealed);
    expect(cipher.open(sealed, MEMBER)).toBe(PLAINTEXT);
  });

  it.each(['', 'ü∑ – emoji 🔑', 'x'.repeat(10_000)])('round-trips %#', (plaintext) => {
    const cipher = new Cipher({ secrets: [KEY_A] });
    expect(cipher.open(cipher.seal(plaintext, MEMBER), MEMBER)).toBe(plaintext);
  });

  it('opens with a second instance built from the same secret (nothing lives in memory only)', () => {
    const sealed = new Cipher({ secrets: [KEY_A] }).seal(PLAINTEXT, MEMBER);
    expect(new Cipher({ secrets: [KEY_A] }).open(sealed, MEMBER)).toBe(PLAINTEXT);
  });

  it('produces a different IV and ciphertext every time', () => {
    const cipher = new Cipher({ secrets: [KEY_A] });
    const first = cipher.seal(PLAINTEXT, MEMBER);
    const second = cipher.seal(PLAINTEXT, MEMBER);
    expect(second.iv).not.toBe(first.iv);
    expect(second.data).not.toBe(first.data);
    expect(second.tag).not.toBe(first.tag);
    expect(Buffer.from(first.iv, 'base64url')).toHaveLength(12);
  });

  it('never shows the plaintext in the sealed record', () => {
    const sealed = new Cipher({ secrets: [KEY_A] }).seal(PLAINTEXT, MEMBER);
    const json = JSON.stringify(sealed);
    expect(json).not.toContain('AT-plain-1234567890');
    expect(json).not.toContain('RT-plain-0987654321');
    expect(json).not.toContain(Buffer.from(PLAINTEXT).toString('base64url'));
    expect(json).not.toContain(KEY_A);
  });

  it.each<{ name: string; tamper: (sealed: Sealed) => Sealed }>([
    { name: 'first byte of data', tamper: (s) => ({ ...s, data: flipBit(s.data) }) },
    {
      name: 'last byte of data',
      tamper: (s) => ({ ...s, data: flipBit(s.data, Buffer.from(s.data, 'base64url').length - 1) }),
    },
    {
      name: 'data truncated',
      tamper: (s) => ({ ...s, data: Buffer.from(s.data, 'base64url').subarray(1).toString('base64url') }),
    },
    { name: 'tag', tamper: (s) => ({ ...s, tag: flipBit(s.tag) }) },
    { name: 'iv', tamper: (s) => ({ ...s, iv: flipBit(s.iv) }) },
    { name: 'kid', tamper: (s) => ({ ...s, kid: '000000000000' }) },
    { name: 'empty tag', tamper: (s) => ({ ...s, tag: '' }) },
    // GCM accepts short tags unless the tag length is pinned; a 4-byte tag is forgeable by brute force.
    {
      name: 'tag truncated to 4 bytes',
      tamper: (s) => ({ ...s, tag: Buffer.from(s.tag, 'base64url').subarray(0, 4).toString('base64url') }),
    },
    {
      name: 'tag truncated to 12 bytes',
      tamper: (s) => ({ ...s, tag: Buffer.from(s.tag, 'base64url').subarray(0, 12).toString('base64url') }),
    },
  ])('refuses to open a record with a tampered $name', ({ tamper }) => {
    const cipher = new Cipher({ secrets: [KEY_A] });
    const sealed = cipher.seal(PLAINTEXT, MEMBER);
    expect(() => cipher.open(tamper(sealed), MEMBER)).toThrow();
  });

  it('refuses to open a record under another member id (records cannot be moved between portals)', () => {
    const cipher = new Cipher({ secrets: [KEY_A] });
    const sealed = cipher.seal(PLAINTEXT, MEMBER);
    expect(() => cipher.open(sealed, 'other-member')).toThrow();
    expect(() => cipher.open(sealed, '')).toThrow();
    expect(cipher.open(sealed, MEMBER)).toBe(PLAINTEXT);
  });

  describe('key rotation', () => {
    it('opens a record sealed with the old key and marks it stale', () => {
      const sealedWithA = new Cipher({ secrets: [KEY_A] }).seal(PLAINTEXT, MEMBER);
      const rotated = new Cipher({ secrets: [KEY_B, KEY_A] });
      expect(rotated.open(sealedWithA, MEMBER)).toBe(PLAINTEXT);
      expect(rotated.isStale(sealedWithA)).toBe(true);
    });

    it('seals with the newest key, so re-sealed records are no longer stale', () => {
      const rotated = new Cipher({ secrets: [KEY_B, KEY_A] });
      const resealed = rotated.seal(PLAINTEXT, MEMBER);
      expect(rotated.isStale(resealed)).toBe(false);
      expect(new Cipher({ secrets: [KEY_B] }).open(resealed, MEMBER)).toBe(PLAINTEXT);
      expect(() => new Cipher({ secrets: [KEY_A] }).open(resealed, MEMBER)).toThrow();
    });

    it('cannot open an old record once the old key is dropped', () => {
      const sealedWithA = new Cipher({ secrets: [KEY_A] }).seal(PLAINTEXT, MEMBER);
      const onlyB = new Cipher({ secrets: [KEY_B] });
      expect(() => onlyB.open(sealedWithA, MEMBER)).toThrow(/no configured key/);
      expect(onlyB.isStale(sealedWithA)).toBe(true);
    });

    it('gives different keys different ids and the same key the same id', () => {
      expect(new Cipher({ secrets: [KEY_A] }).seal('x', MEMBER).kid).toBe(
        new Cipher({ secrets: [KEY_A, KEY_B] }).seal('y', MEMBER).kid,
      );
      expect(new Cipher({ secrets: [KEY_A] }).seal('x', MEMBER).kid).not.toBe(
        new Cipher({ secrets: [KEY_B] }).seal('x', MEMBER).kid,
      );
    });

    it('does not accept a forged kid: a record relabelled with the other key id still fails', () => {
      const cipher = new Cipher({ secrets: [KEY_B, KEY_A] });
      const sealedWithA = new Cipher({ secrets: [KEY_A] }).seal(PLAINTEXT, MEMBER);
      const kidB = cipher.seal('x', MEMBER).kid;
      expect(() => cipher.open({ ...sealedWithA, kid: kidB }, MEMBER)).toThrow();
    });
  });
});
