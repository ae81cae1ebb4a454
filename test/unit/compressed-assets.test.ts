import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { brotliCompressSync, gzipSync } from 'node:zlib';
import express from 'express';
import supertest from 'supertest';
import { afterAll, describe, expect, it } from 'vitest';
import { assetFiles } from '../../server/http/compressed-assets.js';

// The built UI's files as the build leaves them (vite.config.ts): a script with brotli and gzip copies, a
// stylesheet with a gzip copy only, and a small file with none.
const dir = mkdtempSync(join(tmpdir(), 'keycard-assets-'));
const script = 'export const answer = 42;\n'.repeat(200);
const style = 'body { color: red; }\n'.repeat(200);
writeFileSync(join(dir, 'index-abc.js'), script);
writeFileSync(join(dir, 'index-abc.js.br'), brotliCompressSync(script));
writeFileSync(join(dir, 'index-abc.js.gz'), gzipSync(script));
writeFileSync(join(dir, 'index-abc.css'), style);
writeFileSync(join(dir, 'index-abc.css.gz'), gzipSync(style));
writeFileSync(join(dir, 'tiny.js'), 'export {};\n');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const app = express();
app.use('/assets', assetFiles(dir));
const request = supertest(app);

describe('assetFiles', () => {
  it('sends the brotli copy to a browser that accepts it, typed as the script, cached for good', async () => {
    const res = await request.get('/assets/index-abc.js').set('Accept-Encoding', 'gzip, deflate, br, zstd');
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBe('br');
    expect(res.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(res.headers['vary']).toBe('Accept-Encoding');
    expect(res.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(Number(res.headers['content-length'])).toBe(brotliCompressSync(script).length);
    expect(res.text).toBe(script);
  });

  it('sends the gzip copy when brotli is not accepted or not there', async () => {
    const js = await request.get('/assets/index-abc.js').set('Accept-Encoding', 'gzip');
    expect(js.headers['content-encoding']).toBe('gzip');
    expect(js.text).toBe(script);
    const css = await request.get('/assets/index-abc.css').set('Accept-Encoding', 'br, gzip');
    expect(css.headers['content-encoding']).toBe('gzip');
    expect(css.headers['content-type']).toBe('text/css; charset=utf-8');
    expect(css.text).toBe(style);
  });

  it('follows the browser’s preferences (q-values), brotli first on a tie', async () => {
    const res = await request.get('/assets/index-abc.js').set('Accept-Encoding', 'br;q=0.5, gzip;q=1');
    expect(res.headers['content-encoding']).toBe('gzip');
    const any = await request.get('/assets/index-abc.js').set('Accept-Encoding', 'identity, *;q=0.5');
    expect(any.headers['content-encoding']).toBe('br');
    const refused = await request.get('/assets/index-abc.js').set('Accept-Encoding', 'br;q=0, gzip;q=0');
    expect(refused.headers['content-encoding']).toBeUndefined();
  });

  it('sends the file as it is without Accept-Encoding, still saying the answer varies with it', async () => {
    const res = await request.get('/assets/index-abc.js').set('Accept-Encoding', '');
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBeUndefined();
    expect(res.headers['vary']).toBe('Accept-Encoding');
    expect(Number(res.headers['content-length'])).toBe(Buffer.byteLength(script));
  });

  it('answers HEAD like GET, without a body', async () => {
    const res = await request.head('/assets/index-abc.js').set('Accept-Encoding', 'br');
    expect(res.status).toBe(200);
    expect(res.headers['content-encoding']).toBe('br');
    expect(res.text).toBeUndefined();
  });

  it('sends a file without copies as it is, and serves no path outside the folder', async () => {
    const tiny = await request.get('/assets/tiny.js').set('Accept-Encoding', 'br, gzip');
    expect(tiny.status).toBe(200);
    expect(tiny.headers['content-encoding']).toBeUndefined();
    expect(tiny.headers['vary']).toBeUndefined();
    expect((await request.get('/assets/missing.js').set('Accept-Encoding', 'br')).status).toBe(404);
    expect((await request.get('/assets/..%2f..%2fetc%2fpasswd').set('Accept-Encoding', 'br')).status).toBe(404);
    const copy = await request.get('/assets/index-abc.js.br').set('Accept-Encoding', 'br');
    // The copy itself is a file of the folder too; it is sent as bytes, never decoded as a script.
    expect(copy.headers['content-encoding']).toBeUndefined();
  });
});
