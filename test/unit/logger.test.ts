import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { AppError } from '../../server/errors.js';
import { createLogger, redactSecrets, scrubText } from '../../server/logger.js';

const REDACTED = '[redacted]';

/** A destination stream that keeps every line pino writes. */
function capture(): { stream: Writable; text: () => string; records: () => unknown[] } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  const text = () => chunks.join('');
  const records = () =>
    text()
      .split('\n')
      .filter((line) => line !== '')
      .map((line): unknown => JSON.parse(line));
  return { stream, text, records };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

describe('redactSecrets', () => {
  it.each(['access_token', 'refresh_token', 'AUTH_ID', 'REFRESH_ID', 'application_token', 'client_secret'])(
    'masks the value under %s in any case',
    (key) => {
      for (const variant of [key, key.toLowerCase(), key.toUpperCase()]) {
        expect(redactSecrets({ [variant]: 'SECRET-VALUE', member_id: 'm1' })).toEqual({
          [variant]: REDACTED,
          member_id: 'm1',
        });
      }
    },
  );

  it('masks secrets at any depth and inside arrays, keeping everything else', () => {
    const input = {
      event: 'ONAPPINSTALL',
      auth: { access_token: 'AT-1', refresh_token: 'RT-1', member_id: 'm1', domain: 'a.bitrix24.com' },
      data: { nested: { deeper: { Application_Token: 'APP-1', keep: 1 } } },
      list: [{ AUTH_ID: 'AT-2' }, { REFRESH_ID: 'RT-2', n: 2 }, 'plain', 3],
      ok: true,
      nothing: null,
    };
    expect(redactSecrets(input)).toEqual({
      event: 'ONAPPINSTALL',
      auth: { access_token: REDACTED, refresh_token: REDACTED, member_id: 'm1', domain: 'a.bitrix24.com' },
      data: { nested: { deeper: { Application_Token: REDACTED, keep: 1 } } },
      list: [{ AUTH_ID: REDACTED }, { REFRESH_ID: REDACTED, n: 2 }, 'plain', 3],
      ok: true,
      nothing: null,
    });
  });

  it('masks numbers and nulls under secret keys too', () => {
    expect(redactSecrets({ client_secret: 12345, access_token: null })).toEqual({
      client_secret: REDACTED,
      access_token: REDACTED,
    });
  });

  it('masks a list of values under a secret key', () => {
    expect(
      JSON.stringify(redactSecrets({ access_token: ['AT-IN-ARRAY'], refresh_token: [['RT-IN-ARRAY']] })),
    ).not.toMatch(/-IN-ARRAY/);
  });

  it('does not change its input', () => {
    const input = { access_token: 'AT-1', nested: { refresh_token: 'RT-1' } };
    redactSecrets(input);
    expect(input).toEqual({ access_token: 'AT-1', nested: { refresh_token: 'RT-1' } });
  });

  it.each<[string, string]>([
    ['https://a.bitrix24.com/rest/user.get?auth=SECRET1', 'https://a.bitrix24.com/rest/user.get?auth=[redacted]'],
    [
      'https://a.bitrix24.com/rest/x?foo=1&access_token=SECRET2&bar=2',
      'https://a.bitrix24.com/rest/x?foo=1&access_token=[redacted]&bar=2',
    ],
    [
      'POST /oauth/token/?grant_type=refresh_token&refresh_token=SECRET3&client_secret=SECRET4',
      'POST /oauth/token/?grant_type=refresh_token&refresh_token=[redacted]&client_secret=[redacted]',
    ],
    ['Authorization: Bearer SECRET5.abc-def', 'Authorization: Bearer [redacted]'],
    ['AUTH=SECRET6', 'AUTH=[redacted]'],
    ['no secrets here, member_id=m1', 'no secrets here, member_id=m1'],
  ])('scrubs %s', (input, expected) => {
    expect(redactSecrets(input)).toBe(expected);
    expect(scrubText(input)).toBe(expected);
  });

  it('scrubs URLs inside object values', () => {
    expect(redactSecrets({ url: 'https://x/rest/a?auth=SECRET7', list: ['Bearer SECRET8'] })).toEqual({
      url: 'https://x/rest/a?auth=[redacted]',
      list: ['Bearer [redacted]'],
    });
  });

  it('turns an Error with a cause into a plain object without the secrets', () => {
    const cause = Object.assign(new Error('upstream said no for auth=SECRET-CAUSE'), { code: 'expired_token' });
    const error = new AppError(
      'PORTAL_UNAVAILABLE',
      503,
      'GET https://a.bitrix24.com/rest/profile?auth=SECRET-MSG failed',
      {
        cause: { response: { access_token: 'SECRET-NESTED', error: 'expired_token' }, original: cause },
      },
    );
    const redacted = redactSecrets(error);
    expect(redacted).not.toBeInstanceOf(Error);
    expect(isRecord(redacted)).toBe(true);
    if (!isRecord(redacted)) return;
    expect(redacted['type']).toBe('AppError');
    expect(redacted['code']).toBe('PORTAL_UNAVAILABLE');
    expect(redacted['status']).toBe(503);
    expect(redacted['message']).toBe('GET https://a.bitrix24.com/rest/profile?auth=[redacted] failed');
    expect(redacted['cause']).toMatchObject({
      response: { access_token: REDACTED, error: 'expired_token' },
      original: { type: 'Error', code: 'expired_token', message: 'upstream said no for auth=[redacted]' },
    });
    const json = JSON.stringify(redacted);
    expect(json).not.toContain('SECRET-');
    expect(json).toContain('PORTAL_UNAVAILABLE');
  });

  it('stops at a safe depth instead of recursing forever', () => {
    const deep: Record<string, unknown> = {};
    let cursor = deep;
    for (let i = 0; i < 20; i += 1) {
      const next: Record<string, unknown> = {};
      cursor['child'] = next;
      cursor = next;
    }
    cursor['access_token'] = 'SECRET-DEEP';
    expect(JSON.stringify(redactSecrets(deep))).not.toContain('SECRET-DEEP');
  });
});

describe('createLogger', () => {
  const secrets = ['SECRET-A', 'SECRET-B', 'SECRET-C', 'SECRET-D', 'SECRET-E', 'SECRET-F', 'SECRET-G', 'SECRET-H'];

  it('writes no secret to the destination, and keeps the useful fields', () => {
    const out = capture();
    const logger = createLogger({ destination: out.stream });
    const error = new AppError(
      'OAUTH_UNAVAILABLE',
      503,
      'GET https://oauth.bitrix.info/rest/app.info?auth=SECRET-A timed out',
      {
        cause: { client_secret: 'SECRET-B' },
      },
    );
    logger.info(
      {
        member_id: 'member-42',
        domain: 'acme.bitrix24.com',
        access_token: 'SECRET-C',
        auth: { refresh_token: 'SECRET-D', application_token: 'SECRET-E', member_id: 'member-42' },
        events: [{ AUTH_ID: 'SECRET-F', REFRESH_ID: 'SECRET-G' }],
      },
      'install received',
    );
    logger.error({ err: error, member_id: 'member-42' }, 'verification failed');
    logger.warn('retrying https://a.bitrix24.com/rest/x?auth=SECRET-H');

    const text = out.text();
    for (const secret of secrets) expect(text).not.toContain(secret);
    expect(text).toContain('member-42');
    expect(text).toContain('acme.bitrix24.com');
    expect(text).toContain('OAUTH_UNAVAILABLE');
    expect(text).toContain('install received');
    expect(text).toContain('verification failed');
    expect(out.records()).toHaveLength(3);
  });

  it.each<[string, (logger: ReturnType<typeof createLogger>, error: Error) => void]>([
    ['an Error as the only argument', (logger, error) => logger.error(error)],
    ['an Error under err without a message', (logger, error) => logger.error({ err: error })],
    ['an Error under err with a message', (logger, error) => logger.error({ err: error }, 'call failed')],
  ])('keeps the secret out of the line when logging %s', (_label, log) => {
    const out = capture();
    const logger = createLogger({ destination: out.stream });
    log(logger, new Error('GET https://a.bitrix24.com/rest/user.current?auth=SECRET-IN-MESSAGE failed'));
    expect(out.text()).toContain('user.current');
    expect(out.text()).not.toContain('SECRET-IN-MESSAGE');
  });

  it('respects the level', () => {
    const out = capture();
    const logger = createLogger({ level: 'warn', destination: out.stream });
    logger.info({ member_id: 'm1' }, 'hidden');
    logger.warn({ member_id: 'm1' }, 'shown');
    expect(out.records()).toEqual([expect.objectContaining({ msg: 'shown', member_id: 'm1', level: 40 })]);
  });
});

describe('createLogger format arguments', () => {
  it('redacts objects and strings passed as %o / %s arguments', () => {
    const sink = capture();
    const logger = createLogger({ destination: sink.stream });
    logger.info(
      'payload %o then %s',
      { access_token: 'FMT-SECRET-1', member_id: 'm-1' },
      'https://x.test/rest/a?auth=FMT-SECRET-2',
    );
    const output = sink.text();
    expect(output).toContain('m-1');
    expect(output).not.toContain('FMT-SECRET-1');
    expect(output).not.toContain('FMT-SECRET-2');
  });
});

describe('scrubText and quoted JSON', () => {
  it('masks credentials inside JSON quoted in a message (e.g. an HTTP library echoing the request body)', () => {
    const text = scrubText(
      'No match for request {"method":"POST","body":"{\\"auth\\":\\"ESCAPED-SECRET\\"}"} {"auth":"JSON-SECRET-1","refresh_token": "JSON-SECRET-2","member_id":"m-9"}',
    );
    expect(text).not.toContain('ESCAPED-SECRET');
    expect(text).not.toContain('JSON-SECRET-1');
    expect(text).not.toContain('JSON-SECRET-2');
    expect(text).toContain('"member_id":"m-9"');
  });
});
