import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSdkClientFactory, PORTAL_REQUEST_TIMEOUT_MS } from '../../server/bitrix/sdk-client.js';

/*
 * Bitrix24 lets one REST request run for up to 60 s (settings/performance/limits.md). The SDK abandons a request
 * after 30 s by default, and a slow 50-command batch abandoned at 30 s is retried and paid for twice in operating
 * time. A portal that answers after 31 s must still be heard.
 */

const SLOW_MS = 31_000;
let server: Server;
let endpoint: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      setTimeout(() => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ result: { ID: '1' }, time: { start: 0, finish: 31, duration: 31, processing: 31 } }));
      }, SLOW_MS);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/rest/`;
});

afterAll(() => {
  server.closeAllConnections();
  server.close();
});

describe('portal request timeout', () => {
  it('outlasts Bitrix24’s own 60 s limit', () => {
    expect(PORTAL_REQUEST_TIMEOUT_MS).toBeGreaterThan(60_000);
  });

  it(
    'hears a portal that answers after 31 s (the SDK alone gives up at 30 s)',
    async () => {
      const client = createSdkClientFactory({ clientId: 'app.test', clientSecret: 'secret' })({
        memberId: 'slow',
        clientEndpoint: endpoint,
        accessToken: 'token',
        expiresAt: Math.floor(Date.now() / 1000) + 3600,
      });
      const started = Date.now();
      await expect(client.call('profile')).resolves.toMatchObject({ ID: '1' });
      expect(Date.now() - started).toBeGreaterThanOrEqual(SLOW_MS);
    },
    SLOW_MS + 15_000,
  );
});
