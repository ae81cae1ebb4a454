/**
 * Cost of the per-request crypto: sealing/opening a portal's tokens (AES-256-GCM) and issuing/verifying
 * a session token (HS256), which every API call pays once.
 */
import { Cipher } from '../../server/store/cipher.js';
import { SessionTokens } from '../../server/http/session-tokens.js';
import { systemClock } from '../../server/clock.js';
import { measure, printTable } from './measure.js';

export async function run(): Promise<void> {
  const cipher = new Cipher({ secrets: ['bench-secret-key-0123456789abcdef0123456789'] });
  const tokens = JSON.stringify({
    accessToken: 'a'.repeat(32),
    refreshToken: 'r'.repeat(32),
    expiresAt: 1,
    applicationToken: 't'.repeat(32),
  });
  const sealed = cipher.seal(tokens, 'member');
  const sessions = new SessionTokens({
    secretKeys: ['bench-secret-key-0123456789abcdef0123456789'],
    issuer: 'https://keycard.test',
    clock: systemClock,
  });
  const session = await sessions.issue({ memberId: 'member', userId: '1', isAdmin: false, lang: 'en', name: 'Bench' });
  const rows = [
    { operation: 'seal tokens', ...(await measure(20_000, () => cipher.seal(tokens, 'member'))) },
    { operation: 'open tokens', ...(await measure(20_000, () => cipher.open(sealed, 'member'))) },
    {
      operation: 'issue session',
      ...(await measure(10_000, () =>
        sessions.issue({ memberId: 'member', userId: '1', isAdmin: false, lang: 'en', name: 'Bench' }),
      )),
    },
    { operation: 'verify session', ...(await measure(10_000, () => sessions.verify(session))) },
  ];
  printTable(
    rows.map(({ operation, opsPerSecond, p50Micros, p99Micros }) => ({
      operation,
      'ops/s': opsPerSecond,
      'p50 µs': p50Micros,
      'p99 µs': p99Micros,
    })),
  );
}
