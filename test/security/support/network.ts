import http from 'node:http';
import type { AddressInfo } from 'node:net';
import nock from 'nock';
import supertest from 'supertest';

/** Loopback ports of the apps the tests themselves serve (their requests are not the app's outgoing ones). */
const ownPorts = new Set<number>();

/**
 * Serves `app` on one loopback port: supertest reuses it (instead of a server per request), and
 * `recordUnmatched` can tell the test's own requests from the app's outgoing ones.
 */
export async function listen(app: http.RequestListener) {
  const server = http.createServer(app);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  ownPorts.add(port);
  return {
    port,
    request: supertest(server),
    close: () =>
      new Promise<void>((resolve, reject) =>
        server.close((error) => (error === undefined ? resolve() : reject(error))),
      ),
  };
}

interface RequestShape {
  hostname?: unknown;
  host?: unknown;
  port?: unknown;
  path?: unknown;
  method?: unknown;
}

function describeRequest(...shapes: (RequestShape | undefined)[]): { hostname: string; port: number; text: string } {
  const pick = (key: keyof RequestShape) =>
    shapes.map((shape) => shape?.[key]).find((value) => value !== undefined && value !== null && value !== '');
  const host = String(pick('host') ?? '');
  const hostname = String(pick('hostname') ?? host.replace(/:\d+$/, ''));
  const port = Number(pick('port') ?? /:(\d+)$/.exec(host)?.[1] ?? 0);
  return {
    hostname,
    port,
    text: `${String(pick('method') ?? '?')} ${host === '' ? hostname : host}${String(pick('path') ?? '')}`,
  };
}

/**
 * Records every HTTP request nock matched no interceptor for: with net connect disabled, every request the
 * app makes is either one of the mocked ones or one of these. The tests' own requests to apps served with
 * `listen` are left out.
 */
export function recordUnmatched(): { requests: string[]; stop(): void } {
  const requests: string[] = [];
  const onNoMatch = (req?: RequestShape, options?: RequestShape) => {
    const { hostname, port, text } = describeRequest(options, req);
    if (/^(127\.0\.0\.1|::1|\[::1\])$/.test(hostname) && ownPorts.has(port)) return;
    requests.push(text);
  };
  nock.emitter.on('no match', onNoMatch);
  return { requests, stop: () => nock.emitter.removeListener('no match', onNoMatch) };
}

/** An answer read by `rawRequest`. */
export interface RawResponse {
  status: number;
  type: string;
  headers: http.IncomingHttpHeaders;
  text: string;
  /** The parsed JSON body, or undefined when it is not JSON. */
  body: unknown;
}

/**
 * Sends exactly these bytes (supertest would JSON-encode a Buffer sent as application/json, and fetch refuses
 * a body on GET): for bodies that must reach the app's parsers unchanged.
 */
export function rawRequest(
  url: string,
  options: { method: string; path: string; headers?: Record<string, string>; body?: string | Buffer },
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const payload =
      options.body === undefined
        ? undefined
        : Buffer.isBuffer(options.body)
          ? options.body
          : Buffer.from(options.body, 'utf8');
    const request = http.request(`${url}${options.path}`, {
      method: options.method,
      headers: { ...options.headers, ...(payload === undefined ? {} : { 'content-length': String(payload.length) }) },
    });
    request.on('error', reject);
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('error', reject);
      response.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        const type =
          String(response.headers['content-type'] ?? '')
            .split(';')[0]
            ?.trim() ?? '';
        let body: unknown;
        try {
          body = type === 'application/json' ? JSON.parse(text) : undefined;
        } catch {
          body = undefined;
        }
        resolve({ status: response.statusCode ?? 0, type, headers: response.headers, text, body });
      });
    });
    request.end(payload);
  });
}
