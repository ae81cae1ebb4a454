import { expect } from 'vitest';
import { z } from 'zod';

/** One answer of a Keycard instance, with how long it took. */
export interface Answer {
  status: number;
  /** 0 when no answer came within the timeout. */
  ms: number;
  text: string;
  headers: Headers;
  json(): unknown;
}

/**
 * A request to the Keycard instance at `base`, over real HTTP. A request that gets no answer within
 * `timeoutMs` resolves with status 0 instead of failing the test there, so a test can report every slow route.
 */
export async function call(
  base: string,
  path: string,
  options: {
    method?: string;
    bearer?: string;
    ifMatch?: string;
    json?: unknown;
    form?: string;
    timeoutMs?: number;
  } = {},
): Promise<Answer> {
  const headers: Record<string, string> = {};
  if (options.bearer !== undefined) headers['authorization'] = options.bearer;
  if (options.ifMatch !== undefined) headers['if-match'] = options.ifMatch;
  if (options.json !== undefined) headers['content-type'] = 'application/json';
  if (options.form !== undefined) headers['content-type'] = 'application/x-www-form-urlencoded';
  const started = performance.now();
  try {
    const res = await fetch(new URL(path, base), {
      method: options.method ?? 'GET',
      headers,
      ...(options.json !== undefined ? { body: JSON.stringify(options.json) } : {}),
      ...(options.form !== undefined ? { body: options.form } : {}),
      signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
    });
    const text = await res.text();
    const ms = Math.round(performance.now() - started);
    return { status: res.status, ms, text, headers: res.headers, json: () => JSON.parse(text) };
  } catch (error: unknown) {
    if (!(error instanceof DOMException && error.name === 'TimeoutError')) throw error;
    return { status: 0, ms: 0, text: '', headers: new Headers(), json: () => undefined };
  }
}

const policySchema = z.object({ policy: z.object({ version: z.unknown() }).catchall(z.unknown()), etag: z.string() });

/** The portal's access policy as an editor reads it: its content (what a save sends back) and its ETag. */
export async function readPolicy(
  base: string,
  bearer: string,
): Promise<{ etag: string; content: Record<string, unknown> }> {
  const res = await call(base, '/api/access/policy', { bearer });
  expect(res.status, res.text).toBe(200);
  const { policy, etag } = policySchema.parse(res.json());
  const { version: _version, ...content } = policy;
  return { etag, content };
}

/** Saves `content` over the policy read with `etag`; resolves with the answer. */
export function savePolicy(base: string, bearer: string, etag: string, content: unknown): Promise<Answer> {
  return call(base, '/api/access/policy', { method: 'PUT', bearer, ifMatch: etag, json: content, timeoutMs: 40_000 });
}

const syncStatusSchema = z.object({ state: z.string(), generation: z.number().nullable() });

/** Polls `check` until it holds (usable in hooks too, unlike expect.poll); fails with `what` after `timeoutMs`. */
export async function until(what: string, check: () => Promise<boolean>, timeoutMs = 20_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!(await check())) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Waits until the portal's mirror is idle at `generation` or later (the installer starts the first sync). */
export function waitForMirror(base: string, bearer: string, generation = 1): Promise<void> {
  return until(`the mirror at generation ${generation}`, async () => {
    const res = await call(base, '/api/sync', { bearer });
    if (res.status !== 200) return false;
    const status = syncStatusSchema.parse(res.json());
    return status.state === 'idle' && (status.generation ?? 0) >= generation;
  });
}
