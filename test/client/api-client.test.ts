import { describe, expect, it, vi } from 'vitest';
import { ApiError, createApiClient } from '../../client/api/client';

interface Recorded {
  url: string;
  init: RequestInit | undefined;
}

/** A fetch stub answering every call with `respond()` and recording what was sent. */
function stubFetch(respond: () => Response | Promise<Response>) {
  const calls: Recorded[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    calls.push({ url: String(input), init });
    return respond();
  };
  return { fetch, calls };
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

const me = {
  user: { id: '1', name: 'Admin', isAdmin: true },
  portal: { domain: 'acme.bitrix24.com', memberId: 'm1' },
  lang: 'en',
  access: { open: true, manage: true, features: { directory: { level: 'read', levels: { read: 'all' } } } },
};

const scopes = {
  source: 'portal',
  scopes: [
    {
      code: 'department',
      title: 'Structure',
      description: 'Reads departments',
      granted: false,
      features: [{ key: 'directory', title: 'Directory' }],
    },
  ],
  unavailableFeatures: [{ key: 'directory', title: 'Directory', missingScopes: ['department'] }],
};

describe('createApiClient', () => {
  it('sends the session as a bearer token to the same-origin API', async () => {
    const { fetch, calls } = stubFetch(() => json(200, me));
    const api = createApiClient({ session: 'tok.en.sig', fetch });

    await expect(api.me()).resolves.toEqual(me);

    expect(calls).toHaveLength(1);
    expect(calls[0]?.url).toBe('/api/me');
    const headers = new Headers(calls[0]?.init?.headers);
    expect(headers.get('Authorization')).toBe('Bearer tok.en.sig');
    expect(headers.get('Accept')).toBe('application/json');
  });

  it('returns the parsed scopes report', async () => {
    const { fetch, calls } = stubFetch(() => json(200, { ...scopes, extra: 'ignored' }));
    const report = await createApiClient({ session: 's', fetch }).scopes();
    expect(calls[0]?.url).toBe('/api/scopes');
    expect(report).toEqual(scopes);
  });

  it('maps the error JSON to an ApiError with code, status and message', async () => {
    const { fetch } = stubFetch(() =>
      json(403, { error: 'PORTAL_NOT_ACTIVE', message: 'The app is no longer installed.' }),
    );
    const error = await createApiClient({ session: 's', fetch })
      .scopes()
      .catch((err: unknown) => err);

    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: 'PORTAL_NOT_ACTIVE', status: 403, message: 'The app is no longer installed.' });
    expect(error instanceof ApiError && error.isSessionExpired).toBe(false);
  });

  it('reports a 401 to onUnauthorized once and throws a session-expired ApiError', async () => {
    const onUnauthorized = vi.fn();
    const { fetch } = stubFetch(() => json(401, { error: 'SESSION_EXPIRED', message: 'Session expired' }));
    const api = createApiClient({ session: 'old', fetch, onUnauthorized });

    const error = await api.me().catch((err: unknown) => err);

    expect(error).toBeInstanceOf(ApiError);
    expect(error instanceof ApiError && error.isSessionExpired).toBe(true);
    expect(onUnauthorized).toHaveBeenCalledTimes(1);
    expect(onUnauthorized).toHaveBeenCalledWith(error);
  });

  it('does not call onUnauthorized for other failures', async () => {
    const onUnauthorized = vi.fn();
    const { fetch } = stubFetch(() => json(500, { error: 'INTERNAL', message: 'Internal error' }));
    await expect(createApiClient({ session: 's', fetch, onUnauthorized }).me()).rejects.toMatchObject({ status: 500 });
    expect(onUnauthorized).not.toHaveBeenCalled();
  });

  it('gives an error body that is not ours an http_<status> code', async () => {
    const { fetch } = stubFetch(() => new Response('<html>Bad gateway</html>', { status: 502 }));
    await expect(createApiClient({ session: 's', fetch }).me()).rejects.toMatchObject({
      code: 'http_502',
      status: 502,
    });
  });

  it('turns a failed request into network_error with status 0', async () => {
    const { fetch } = stubFetch(() => Promise.reject(new TypeError('Failed to fetch')));
    const error = await createApiClient({ session: 's', fetch })
      .me()
      .catch((err: unknown) => err);
    expect(error).toMatchObject({ code: 'network_error', status: 0 });
    expect(error instanceof ApiError && error.cause).toBeInstanceOf(TypeError);
  });

  it('rejects a success body of the wrong shape as invalid_response', async () => {
    const { fetch } = stubFetch(() => json(200, { source: 'portal', scopes: 'none' }));
    await expect(createApiClient({ session: 's', fetch }).scopes()).rejects.toMatchObject({
      code: 'invalid_response',
      status: 200,
    });
  });

  it('lets an abort through unchanged so callers can ignore it', async () => {
    const controller = new AbortController();
    const abort = new DOMException('aborted', 'AbortError');
    const { fetch } = stubFetch(() => {
      controller.abort();
      return Promise.reject(abort);
    });
    await expect(createApiClient({ session: 's', fetch }).scopes({ signal: controller.signal })).rejects.toBe(abort);
  });
});
