import { describe, expect, it } from 'vitest';
import {
  eventSchema,
  frameBodySchema,
  frameQuerySchema,
  oauthAppInfoSchema,
  scopeList,
  tokenResponseSchema,
} from '../../server/bitrix/schemas.js';

const normalised = {
  clientId: 'app.abc123',
  memberId: 'member-1',
  domain: 'acme.bitrix24.com',
  clientEndpoint: 'https://acme.bitrix24.com/rest/',
  status: 'P',
  scopes: ['user_brief', 'department'],
  userId: '15',
};

describe('oauthAppInfoSchema', () => {
  it('reads the nested shape (install: {…})', () => {
    const parsed = oauthAppInfoSchema.parse({
      result: {
        client_id: 'app.abc123',
        scope: 'user_brief,department',
        user_id: 15,
        install: {
          member_id: 'member-1',
          domain: 'acme.bitrix24.com',
          client_endpoint: 'https://acme.bitrix24.com/rest/',
          status: 'P',
          installed: true,
        },
        unknown_field: 'kept out',
      },
    });
    expect(parsed).toEqual({ ...normalised, installed: true });
  });

  it('reads the flat shape to the same fields', () => {
    const parsed = oauthAppInfoSchema.parse({
      result: {
        client_id: 'app.abc123',
        scope: 'user_brief department',
        user_id: '15',
        member_id: 'member-1',
        domain: 'acme.bitrix24.com',
        client_endpoint: 'https://acme.bitrix24.com/rest/',
        status: 'P',
      },
    });
    expect(parsed).toEqual(normalised);
  });

  it('prefers the install block when both shapes are present', () => {
    const parsed = oauthAppInfoSchema.parse({
      result: { client_id: 'x', member_id: 'flat', scope: 'a', install: { member_id: 'nested', scope: 'b,c' } },
    });
    expect(parsed.memberId).toBe('nested');
    expect(parsed.scopes).toEqual(['b', 'c']);
  });

  it('leaves absent fields undefined and scopes empty', () => {
    expect(oauthAppInfoSchema.parse({ result: {} })).toEqual({
      clientId: undefined,
      memberId: undefined,
      domain: undefined,
      clientEndpoint: undefined,
      status: undefined,
      scopes: [],
      userId: undefined,
    });
  });

  it.each([
    ['no result', {}],
    ['result is a string', { result: 'ok' }],
    ['client_id is a number', { result: { client_id: 5 } }],
    ['install is a string', { result: { install: 'yes' } }],
  ])('rejects %s', (_label, raw) => {
    expect(oauthAppInfoSchema.safeParse(raw).success).toBe(false);
  });
});

describe('scopeList', () => {
  it.each<[string, string[]]>([
    ['user_brief,department,placement', ['user_brief', 'department', 'placement']],
    ['user_brief department placement', ['user_brief', 'department', 'placement']],
    ['user_brief, department ,  placement', ['user_brief', 'department', 'placement']],
    [',user_brief,,department,', ['user_brief', 'department']],
    ['user_brief\tdepartment\nplacement', ['user_brief', 'department', 'placement']],
    ['', []],
    [' , ', []],
  ])('%j → %j', (input, expected) => {
    expect(scopeList.parse(input)).toEqual(expected);
  });

  it('rejects an over-long list', () => {
    expect(scopeList.safeParse('a,'.repeat(1001)).success).toBe(false);
  });
});

describe('eventSchema', () => {
  const auth = { member_id: 'member-1', application_token: 'apptoken123', domain: 'ACME.bitrix24.com' };

  it.each(['onappinstall', 'OnAppUninstall', 'ONAPPUPDATE'])('upper-cases the event name %s', (event) => {
    expect(eventSchema.parse({ event, auth }).event).toBe(event.toUpperCase());
  });

  it('parses a full ONAPPINSTALL event', () => {
    const parsed = eventSchema.parse({
      event: 'ONAPPINSTALL',
      data: { VERSION: '1', LANGUAGE_ID: 'ru' },
      ts: 1736942400,
      auth: {
        ...auth,
        access_token: 'AT.1',
        refresh_token: 'RT.1',
        expires_in: '3600',
        client_endpoint: 'https://acme.bitrix24.com/rest/',
        scope: 'user_brief,department',
        user_id: 1,
      },
    });
    expect(parsed.ts).toBe('1736942400');
    expect(parsed.auth.domain).toBe('acme.bitrix24.com');
    expect(parsed.auth.expires_in).toBe(3600);
    expect(parsed.auth.scope).toEqual(['user_brief', 'department']);
    expect(parsed.auth.user_id).toBe('1');
    expect(parsed.data).toEqual({ VERSION: '1', LANGUAGE_ID: 'ru' });
  });

  it('rejects an event without an application_token', () => {
    const result = eventSchema.safeParse({ event: 'ONAPPUNINSTALL', auth: { member_id: 'member-1' } });
    expect(result.success).toBe(false);
    expect(result.error?.issues.map((issue) => issue.path.join('.'))).toEqual(['auth.application_token']);
  });

  it.each([
    ['an empty application_token', { ...auth, application_token: '' }],
    ['an application_token with a space', { ...auth, application_token: 'abc def' }],
    ['no member_id', { application_token: 'apptoken123' }],
    ['a member_id with a slash', { ...auth, member_id: '../etc' }],
    ['a domain with a path', { ...auth, domain: 'acme.bitrix24.com/rest' }],
    ['a zero expires_in', { ...auth, expires_in: 0 }],
  ])('rejects auth with %s', (_label, badAuth) => {
    expect(eventSchema.safeParse({ event: 'ONAPPINSTALL', auth: badAuth }).success).toBe(false);
  });

  it('rejects an event without auth', () => {
    expect(eventSchema.safeParse({ event: 'ONAPPINSTALL' }).success).toBe(false);
  });
});

describe('frameBodySchema', () => {
  const body = { AUTH_ID: 'a1b2c3.d4-e5_f6', REFRESH_ID: 'r1b2c3', member_id: 'member-1', APPLICATION_TOKEN: 'app123' };

  it('accepts a normal frame POST and defaults AUTH_EXPIRES', () => {
    expect(frameBodySchema.parse(body)).toEqual({
      ...body,
      AUTH_EXPIRES: 3600,
      PLACEMENT: 'DEFAULT',
      PLACEMENT_OPTIONS: {},
    });
    expect(frameBodySchema.parse({ ...body, AUTH_EXPIRES: '1800' }).AUTH_EXPIRES).toBe(1800);
  });

  it('accepts a token of exactly 512 characters', () => {
    expect(frameBodySchema.safeParse({ ...body, AUTH_ID: 'a'.repeat(512) }).success).toBe(true);
  });

  it.each<[string, Record<string, unknown>]>([
    ['an AUTH_ID with a space', { AUTH_ID: 'abc def' }],
    ['an AUTH_ID with a double quote', { AUTH_ID: 'abc"def' }],
    ['an AUTH_ID with a single quote', { AUTH_ID: "abc'def" }],
    ['an AUTH_ID with angle brackets', { AUTH_ID: '<script>' }],
    ['an AUTH_ID with a newline', { AUTH_ID: 'abc\ndef' }],
    ['an empty AUTH_ID', { AUTH_ID: '' }],
    ['an over-long AUTH_ID', { AUTH_ID: 'a'.repeat(513) }],
    ['a REFRESH_ID with a quote', { REFRESH_ID: 'r"1' }],
    ['an over-long REFRESH_ID', { REFRESH_ID: 'r'.repeat(513) }],
    ['an APPLICATION_TOKEN with a space', { APPLICATION_TOKEN: 'app 123' }],
    ['an over-long member_id', { member_id: 'm'.repeat(129) }],
    ['a member_id with a quote', { member_id: 'm"1' }],
    ['AUTH_EXPIRES over a day', { AUTH_EXPIRES: 86_401 }],
    ['a negative AUTH_EXPIRES', { AUTH_EXPIRES: -1 }],
    ['a PLACEMENT over 64 characters', { PLACEMENT: 'p'.repeat(65) }],
  ])('rejects %s', (_label, change) => {
    expect(frameBodySchema.safeParse({ ...body, ...change }).success).toBe(false);
  });

  it('rejects a body without AUTH_ID or member_id', () => {
    expect(frameBodySchema.safeParse({ member_id: 'member-1' }).success).toBe(false);
    expect(frameBodySchema.safeParse({ AUTH_ID: 'abc' }).success).toBe(false);
  });
});

describe('frameQuerySchema', () => {
  it('lower-cases DOMAIN and defaults PROTOCOL to https', () => {
    expect(frameQuerySchema.parse({ DOMAIN: ' ACME.Bitrix24.com ', LANG: 'ru' })).toEqual({
      DOMAIN: 'acme.bitrix24.com',
      PROTOCOL: '1',
      LANG: 'ru',
    });
  });

  it.each(['acme.bitrix24.com/rest', 'user@acme.bitrix24.com', 'https://acme.bitrix24.com', ''])(
    'rejects DOMAIN %j',
    (DOMAIN) => {
      expect(frameQuerySchema.safeParse({ DOMAIN }).success).toBe(false);
    },
  );
});

describe('tokenResponseSchema', () => {
  const tokens = { access_token: 'AT.1', refresh_token: 'RT.1' };

  it('defaults expires_in to an hour', () => {
    expect(tokenResponseSchema.parse(tokens).expires_in).toBe(3600);
  });

  it('keeps and coerces the fields it is given', () => {
    const parsed = tokenResponseSchema.parse({
      ...tokens,
      expires: '1736946000',
      expires_in: '1800',
      member_id: 'member-1',
      client_endpoint: 'https://acme.bitrix24.com/rest/',
      scope: 'user_brief,department',
      status: 'P',
    });
    expect(parsed).toEqual({
      ...tokens,
      expires: 1736946000,
      expires_in: 1800,
      member_id: 'member-1',
      client_endpoint: 'https://acme.bitrix24.com/rest/',
      scope: ['user_brief', 'department'],
      status: 'P',
    });
  });

  it.each<[string, Record<string, unknown>]>([
    ['no refresh_token', { access_token: 'AT.1' }],
    ['no access_token', { refresh_token: 'RT.1' }],
    ['a malformed access_token', { ...tokens, access_token: 'AT 1' }],
    ['a zero expires_in', { ...tokens, expires_in: 0 }],
  ])('rejects %s', (_label, raw) => {
    expect(tokenResponseSchema.safeParse(raw).success).toBe(false);
  });
});
