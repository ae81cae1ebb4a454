import { describe, expect, it } from 'vitest';
import { OAuthServer } from '../../server/bitrix/oauth-server.js';

const tokens = { access_token: 'new-access', refresh_token: 'new-refresh', expires_in: 3600 };

/** An OAuth server whose answers are scripted, counting what reached it. */
function scripted(answers: (() => Response | Promise<Response>)[]) {
  let calls = 0;
  const slept: number[] = [];
  const server = new OAuthServer({
    baseUrl: 'https://oauth.test',
    clientId: 'app',
    clientSecret: 'secret',
    clock: { now: () => 0 },
    sleep: (ms) => Promise.resolve(void slept.push(ms)),
    fetch: () => {
      const answer = answers[Math.min(calls, answers.length - 1)];
      calls++;
      if (answer === undefined) throw new Error('no answer scripted');
      return Promise.resolve(answer());
    },
  });
  return { server, calls: () => calls, slept };
}

const json = (status: number, body: unknown) => () =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const refused = () => {
  throw new TypeError('fetch failed', {
    cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }),
  });
};
const timedOut = () => {
  throw new DOMException('The operation was aborted due to timeout', 'TimeoutError');
};

describe('OAuth server retries', () => {
  it('a refresh whose connection was refused is sent again with back-off', async () => {
    const { server, calls, slept } = scripted([refused, refused, json(200, tokens)]);
    await expect(server.refresh('old-refresh')).resolves.toMatchObject({ accessToken: 'new-access' });
    expect(calls()).toBe(3);
    expect(slept).toEqual([200, 400]);
  });

  it('a refresh answered 502/503/504 is not repeated: a gateway may answer after the server acted', async () => {
    for (const status of [502, 503, 504]) {
      const { server, calls } = scripted([json(status, {}), json(200, tokens)]);
      await expect(server.refresh('old-refresh')).rejects.toMatchObject({ reason: 'http_error', httpStatus: status });
      expect(calls()).toBe(1);
    }
  });

  it('a refresh that timed out is not repeated: it may have spent the refresh token', async () => {
    const { server, calls } = scripted([timedOut, json(200, tokens)]);
    await expect(server.refresh('old-refresh')).rejects.toMatchObject({ reason: 'timeout' });
    expect(calls()).toBe(1);
  });

  it('invalid_grant is final at once', async () => {
    const { server, calls } = scripted([json(400, { error: 'invalid_grant' })]);
    await expect(server.refresh('dead')).rejects.toMatchObject({ bitrixCode: 'invalid_grant' });
    expect(calls()).toBe(1);
  });

  it('retries are bounded: after three refusals the error surfaces', async () => {
    const { server, calls } = scripted([json(503, {})]);
    await expect(server.appInfo('token')).rejects.toMatchObject({ reason: 'http_error', httpStatus: 503 });
    expect(calls()).toBe(3);
  });

  it('app.info, a read, is repeated after a timeout too', async () => {
    const { server, calls } = scripted([timedOut, json(200, { result: { client_id: 'app', member_id: 'm1' } })]);
    await expect(server.appInfo('token')).resolves.toBeDefined();
    expect(calls()).toBe(2);
  });
});

describe('OAuth server answers', () => {
  // b24pysdk live tests: an unknown client id gets `{"error":"wrong_client"}` with HTTP 200.
  it('an error body with HTTP 200 (wrong_client) is a refusal, not tokens', async () => {
    const { server, calls } = scripted([json(200, { error: 'wrong_client', error_description: 'Wrong client' })]);
    await expect(server.refresh('old-refresh')).rejects.toMatchObject({
      bitrixCode: 'wrong_client',
      kind: 'token_rejected',
    });
    expect(calls()).toBe(1);
  });

  // b24pysdk bitrix_app_info_response.py: `expires` is an ISO date on app.info.
  it('reads app.info whose expires is an ISO date', async () => {
    const { server } = scripted([
      json(200, {
        result: {
          client_id: 'app',
          scope: 'user_brief,department',
          user_id: '1',
          expires: '2026-12-06T22:00:00+00:00',
          install: {
            installed: true,
            member_id: 'm1',
            domain: 'acme.bitrix24.com',
            client_endpoint: 'https://acme.bitrix24.com/rest/',
          },
        },
      }),
    ]);
    await expect(server.appInfo('token')).resolves.toMatchObject({ clientId: 'app', memberId: 'm1' });
  });
});
