import { existsSync, readdirSync } from 'node:fs';
import { extname, join } from 'node:path';
import express, { type Router } from 'express';

/** The encodings the build writes next to each asset (vite.config.ts), best first. */
const ENCODINGS = [
  { name: 'br', suffix: '.br' },
  { name: 'gzip', suffix: '.gz' },
] as const;

type Encoding = (typeof ENCODINGS)[number]['name'];

/** File names are content-hashed by the build: a name always means the same bytes. */
const CACHE = { immutable: true, maxAge: '365d' } as const;

/** The `q` of each coding an `Accept-Encoding` header names (`gzip, br;q=0.8` → gzip 1, br 0.8). */
function qualities(header: string): Map<string, number> {
  const found = new Map<string, number>();
  for (const part of header.split(',')) {
    const [coding = '', ...params] = part.split(';').map((piece) => piece.trim());
    const q = params.find((param) => param.startsWith('q='));
    found.set(coding.toLowerCase(), q === undefined ? 1 : Number(q.slice(2)));
  }
  return found;
}

/**
 * The accepted encoding with the highest `q`, ours first on a tie: Chromium sends `gzip, deflate, br, zstd`,
 * all at q=1, and should get brotli (Express's `req.acceptsEncodings` breaks ties by the header's order).
 */
function choose(header: string | undefined, available: ReadonlySet<Encoding>) {
  const q = qualities(header ?? '');
  let best: (typeof ENCODINGS)[number] | undefined;
  let bestQ = 0;
  for (const encoding of ENCODINGS) {
    const value = q.get(encoding.name) ?? q.get('*') ?? 0;
    if (available.has(encoding.name) && value > bestQ) [best, bestQ] = [encoding, value];
  }
  return best;
}

/** Which encoded copies each asset has, read once from the folder (the build does not change it later). */
function encodedCopies(dir: string): Map<string, Set<Encoding>> {
  const files = existsSync(dir) ? new Set(readdirSync(dir)) : new Set<string>();
  const copies = new Map<string, Set<Encoding>>();
  for (const file of files) {
    const encodings = new Set(ENCODINGS.filter(({ suffix }) => files.has(file + suffix)).map(({ name }) => name));
    if (encodings.size > 0) copies.set(file, encodings);
  }
  return copies;
}

/**
 * Serves the built UI's files (`/assets/…`). A file the build also wrote brotli- or gzip-compressed is sent in
 * the best encoding the browser accepts, with `Content-Encoding` and the original `Content-Type`, and
 * `Vary: Accept-Encoding` in every case; others as they are. Compressing at build time costs nothing per
 * request and allows brotli's slowest, smallest setting.
 */
export function assetFiles(dir: string): Router {
  const copies = encodedCopies(dir);
  const router = express.Router();
  router.use((req, res, next) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') return next();
    // Only names listed in the folder are looked up, so no path from the request reaches the file system here.
    const file = req.path.slice(1);
    const encodings = copies.get(file);
    if (encodings === undefined) return next();
    res.vary('Accept-Encoding');
    const encoding = choose(req.headers['accept-encoding'], encodings);
    if (encoding === undefined) return next();
    res.type(extname(file));
    res.setHeader('Content-Encoding', encoding.name);
    res.sendFile(join(dir, file + encoding.suffix), CACHE, (err?: Error) => {
      // A request aborted mid-file needs nothing more; a copy gone since start-up is an error, sent unencoded.
      if (err === undefined || res.headersSent) return;
      res.removeHeader('Content-Encoding');
      next(err);
    });
  });
  router.use(express.static(dir, { index: false, ...CACHE }));
  return router;
}
