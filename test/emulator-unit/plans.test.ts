import { describe, expect, it } from 'vitest';
import { testEmulator } from './helpers.js';

async function statuses(call: () => Promise<{ status: number }>, times: number): Promise<number[]> {
  const out: number[] = [];
  for (let index = 0; index < times; index++) out.push((await call()).status);
  return out;
}

describe('plans (plan, selfHosted)', () => {
  it('app.info names the plan as app-info.md shows it: standard (Professional), enterprise, self-hosted', async () => {
    const cases = [
      [{}, { LICENSE: 'en_pro100', LICENSE_TYPE: 'pro100', LICENSE_FAMILY: 'pro' }],
      [
        { plan: 'enterprise', lang: 'de' },
        { LICENSE: 'de_ent250', LICENSE_TYPE: 'ent250', LICENSE_FAMILY: 'ent' },
      ],
      [{ selfHosted: true }, { LICENSE: 'en_selfhosted' }],
    ] as const;
    for (const [options, license] of cases) {
      const t = testEmulator(options);
      const info = (await t.rest('app.info', {}, t.install()).expect(200)).body.result;
      const { LICENSE, LICENSE_TYPE, LICENSE_FAMILY } = info;
      expect({ LICENSE, LICENSE_TYPE, LICENSE_FAMILY }).toEqual({
        LICENSE_TYPE: undefined,
        LICENSE_FAMILY: undefined,
        ...license,
      });
      expect(info).toMatchObject({ ID: 7, CODE: 'keycard', INSTALLED: true });
      if ('selfHosted' in options) expect(info).not.toHaveProperty('LICENSE_FAMILY');
    }
  });

  it('Enterprise gets the bigger bucket (5/s, burst 250; limits.md) unless rateLimit is given', async () => {
    const t = testEmulator({ plan: 'enterprise', rateLimit: undefined });
    const token = t.install();
    const call = () => t.rest('user.admin', {}, token);
    expect(await statuses(call, 250)).toEqual(Array(250).fill(200));
    await call().expect(503);
    t.clock.advance(1000);
    expect(await statuses(call, 6)).toEqual([...Array(5).fill(200), 503]);

    const explicit = testEmulator({ plan: 'enterprise', rateLimit: { drainPerSecond: 2, burst: 50 } });
    const explicitToken = explicit.install();
    expect(await statuses(() => explicit.rest('user.admin', {}, explicitToken), 51)).toEqual([
      ...Array(50).fill(200),
      503,
    ]);
  });

  it('a self-hosted portal has no leaky bucket and no operating limit unless given', async () => {
    const t = testEmulator({ selfHosted: true, rateLimit: undefined });
    expect(t.portal.bucket).toBeNull();
    expect(t.portal.operating).toBeNull();
    const token = t.install();
    expect(await statuses(() => t.rest('user.admin', {}, token), 120)).toEqual(Array(120).fill(200));
    const limited = testEmulator({ selfHosted: true, rateLimit: undefined, operatingLimitSeconds: 420 });
    expect(limited.portal.operating).not.toBeNull();
    expect((await t.http.get('/_emulator/state').expect(200)).body.portal.plan).toBe('selfhosted');
  });
});
