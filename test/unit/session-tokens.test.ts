import { SignJWT, decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import type { Clock } from '../../server/clock.js';
import { UnauthorizedError } from '../../server/errors.js';
import { SESSION_TTL_SECONDS, SessionTokens, type Session } from '../../server/http/session-tokens.js';
import { deriveKey } from '../../server/store/cipher.js';

const KEY_A = 'session-key-A'.padEnd(40, 'a');
const KEY_B = 'session-key-B'.padEnd(40, 'b');
const ISSUER = 'https://keycard.example.com';
const START = Date.UTC(2025, 0, 15, 12, 0, 0);

const session: Session = { memberId: 'member-1', userId: '42', isAdmin: true, lang: 'ru', name: 'Анна Иванова' };

/** A clock the test moves by hand. */
function manualClock(start = START): Clock & { advance(ms: number): void } {
  let now = start;
  return { now: () => now, advance: (ms) => void (now += ms) };
}

function tokens(secretKeys: string[], clock: Clock = manualClock(), issuer = ISSUER): SessionTokens {
  return new SessionTokens({ secretKeys, issuer, clock });
}

async function expectSessionInvalid(promise: Promise<unknown>): Promise<void> {
  const error: unknown = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(UnauthorizedError);
  if (error instanceof UnauthorizedError) {
    expect(error.code).toBe('SESSION_INVALID');
    expect(error.status).toBe(401);
  }
}

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

function parts(token: string): [string, string, string] {
  const [header = '', payload = '', signature = ''] = token.split('.');
  return [header, payload, signature];
}

describe('SessionTokens', () => {
  it('verifies what it issued and returns the same session', async () => {
    const sessionTokens = tokens([KEY_A]);
    const token = await sessionTokens.issue(session);
    expect(token.split('.')).toHaveLength(3);
    await expect(sessionTokens.verify(token)).resolves.toEqual(session);
  });

  it.each<Session['isAdmin']>([true, false, null])(
    'keeps the three admin states apart (isAdmin=%s)',
    async (isAdmin) => {
      const sessionTokens = tokens([KEY_A]);
      const verified = await sessionTokens.verify(await sessionTokens.issue({ ...session, isAdmin, lang: 'en' }));
      expect(verified.isAdmin).toBe(isAdmin);
      expect(verified.lang).toBe('en');
    },
  );

  it('is accepted by another instance with the same key (stateless across instances)', async () => {
    const token = await tokens([KEY_A]).issue(session);
    await expect(tokens([KEY_A]).verify(token)).resolves.toEqual(session);
  });

  it('signs with HS256 and names the key', async () => {
    const header = decodeProtectedHeader(await tokens([KEY_A]).issue(session));
    expect(header.alg).toBe('HS256');
    expect(header.kid).toMatch(/^[0-9a-f]{12}$/);
  });

  it('expires after SESSION_TTL_SECONDS of the injected clock', async () => {
    const clock = manualClock();
    const sessionTokens = tokens([KEY_A], clock);
    const token = await sessionTokens.issue(session);
    clock.advance((SESSION_TTL_SECONDS - 1) * 1000);
    await expect(sessionTokens.verify(token)).resolves.toEqual(session);
    clock.advance(2000);
    await expectSessionInvalid(sessionTokens.verify(token));
  });

  it('rejects a token whose payload was changed', async () => {
    const token = await tokens([KEY_A]).issue({ ...session, isAdmin: false });
    const [header, payload, signature] = parts(token);
    const claims: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    const forged = Object.assign({}, claims, { adm: true, mid: 'other-member' });
    await expectSessionInvalid(tokens([KEY_A]).verify(`${header}.${b64(forged)}.${signature}`));
  });

  it('rejects a token whose signature was changed', async () => {
    const [header, payload, signature] = parts(await tokens([KEY_A]).issue(session));
    const bytes = Buffer.from(signature, 'base64url');
    bytes[0] = (bytes[0] ?? 0) ^ 0x01;
    await expectSessionInvalid(tokens([KEY_A]).verify(`${header}.${payload}.${bytes.toString('base64url')}`));
    await expectSessionInvalid(tokens([KEY_A]).verify(`${header}.${payload}.`));
  });

  it('rejects a token signed with another secret', async () => {
    await expectSessionInvalid(tokens([KEY_A]).verify(await tokens([KEY_B]).issue(session)));
  });

  it('rejects a token signed with another secret that claims our key id', async () => {
    const ours = decodeProtectedHeader(await tokens([KEY_A]).issue(session));
    const now = Math.floor(START / 1000);
    const forged = await new SignJWT({ mid: session.memberId, adm: true, lang: 'en', name: 'x' })
      .setProtectedHeader({ alg: 'HS256', kid: ours.kid ?? '' })
      .setSubject('1')
      .setIssuer(ISSUER)
      .setAudience('keycard-ui')
      .setIssuedAt(now)
      .setExpirationTime(now + 60)
      .sign(deriveKey(KEY_B, 'keycard/session/v1'));
    await expectSessionInvalid(tokens([KEY_A]).verify(forged));
  });

  it('rejects an unsigned alg:none token carrying our key id', async () => {
    const valid = await tokens([KEY_A]).issue(session);
    const { kid } = decodeProtectedHeader(valid);
    const [, payload] = parts(valid);
    await expectSessionInvalid(tokens([KEY_A]).verify(`${b64({ alg: 'none', kid })}.${payload}.`));
    await expectSessionInvalid(tokens([KEY_A]).verify(`${b64({ alg: 'none', typ: 'JWT' })}.${payload}.`));
  });

  it('rejects a correctly signed token with claims of the wrong shape', async () => {
    const { kid } = decodeProtectedHeader(await tokens([KEY_A]).issue(session));
    const now = Math.floor(START / 1000);
    const wrongShape = await new SignJWT({ mid: 'member-1', adm: 'yes', lang: 'de', name: 'x' })
      .setProtectedHeader({ alg: 'HS256', kid: kid ?? '' })
      .setSubject('1')
      .setIssuer(ISSUER)
      .setAudience('keycard-ui')
      .setIssuedAt(now)
      .setExpirationTime(now + 60)
      .sign(deriveKey(KEY_A, 'keycard/session/v1'));
    await expectSessionInvalid(tokens([KEY_A]).verify(wrongShape));
  });

  it('rejects a correctly signed token for another audience', async () => {
    const { kid } = decodeProtectedHeader(await tokens([KEY_A]).issue(session));
    const now = Math.floor(START / 1000);
    const otherAudience = await new SignJWT({ mid: 'member-1', adm: true, lang: 'en', name: 'x' })
      .setProtectedHeader({ alg: 'HS256', kid: kid ?? '' })
      .setSubject('1')
      .setIssuer(ISSUER)
      .setAudience('someone-else')
      .setIssuedAt(now)
      .setExpirationTime(now + 60)
      .sign(deriveKey(KEY_A, 'keycard/session/v1'));
    await expectSessionInvalid(tokens([KEY_A]).verify(otherAudience));
  });

  it.each(['', 'not-a-token', 'a.b.c', '...'])('rejects garbage %j', async (garbage) => {
    await expectSessionInvalid(tokens([KEY_A]).verify(garbage));
  });

  it('rejects a token issued for another APP_URL', async () => {
    const token = await tokens([KEY_A], manualClock(), 'https://other-keycard.example.com').issue(session);
    await expectSessionInvalid(tokens([KEY_A]).verify(token));
  });

  describe('key rotation', () => {
    it('a token issued with [A] verifies under [B, A]', async () => {
      const token = await tokens([KEY_A]).issue(session);
      await expect(tokens([KEY_B, KEY_A]).verify(token)).resolves.toEqual(session);
    });

    it('a token issued with [A] fails under [B]', async () => {
      const token = await tokens([KEY_A]).issue(session);
      await expectSessionInvalid(tokens([KEY_B]).verify(token));
    });

    it('new tokens are signed with the newest key', async () => {
      const rotated = await tokens([KEY_B, KEY_A]).issue(session);
      await expect(tokens([KEY_B]).verify(rotated)).resolves.toEqual(session);
      await expectSessionInvalid(tokens([KEY_A]).verify(rotated));
    });
  });

  it('uses a key separate from the token cipher (same SECRET_KEY, different purpose)', () => {
    expect(deriveKey(KEY_A, 'keycard/session/v1').equals(deriveKey(KEY_A, 'keycard/tokens/v1'))).toBe(false);
  });
});
