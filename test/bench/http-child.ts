/**
 * One server of the HTTP benchmark in its own process, so autocannon's load generation (in the parent)
 * never shares an event loop with the server under test. Reads its input from KEYCARD_BENCH_INPUT, listens
 * on an ephemeral 127.0.0.1 port and prints one JSON line (`httpChildReadySchema`); SIGTERM closes it and
 * exits normally, so `--cpu-prof` gets to write its profile.
 */
import type { Server } from 'node:http';
import express, { type Express } from 'express';
import { httpChildInputSchema, type HttpChildInput, type HttpChildReady } from './http-protocol.js';
import { keycardTarget } from './http-keycard.js';

/**
 * The baseline: Express 5 with nothing but one JSON route, and every app-wide setting Keycard's `createApp`
 * makes (server/app.ts): no `X-Powered-By` header, no automatic ETag (hashing each body costs time).
 */
function bareApp(): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.get('/hello', (_req, res) => {
    res.json({ hello: 'world' });
  });
  return app;
}

async function prepare(input: HttpChildInput): Promise<{ app: Express; ready: Omit<HttpChildReady, 'url'> }> {
  if (input.kind === 'bare')
    return { app: bareApp(), ready: { path: '/hello', requests: [{ headers: {}, expect: { hello: 'world' } }] } };
  const target = await keycardTarget(input);
  return { app: target.app, ready: { path: '/api/me', requests: target.requests, setup: target.setup } };
}

function listen(app: Express): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(0, '127.0.0.1');
    server.once('listening', () => resolve(server));
    server.once('error', reject);
  });
}

const input = httpChildInputSchema.parse(JSON.parse(process.env['KEYCARD_BENCH_INPUT'] ?? '{}'));
const { app, ready } = await prepare(input);
const server = await listen(app);
const address = server.address();
if (address === null || typeof address === 'string') throw new Error('not listening on a TCP port');
const line: HttpChildReady = { url: `http://127.0.0.1:${address.port}`, ...ready };
process.stdout.write(`${JSON.stringify(line)}\n`);
process.once('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
