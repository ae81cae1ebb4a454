import type { BrowserContext, CDPSession, Page } from 'playwright-core';

/**
 * Chromium DevTools' "Fast 3G" preset, as its network panel applies it (devtools-frontend
 * `SDK.NetworkManager.Fast3GConditions`): 1.6 Mbps down and 750 kbps up, each × 0.9, and a 150 ms RTT × 3.75.
 * The 562.5 ms is DevTools' "adjusted" latency: Chromium adds it once per request at the browser, not per
 * packet, so it is scaled up to stand for the round trips (DNS, TCP, TLS, request) a real 150 ms link costs.
 * Used as is because the goal names Chromium's throttling; Lighthouse's simulated 150 ms RTT is another model.
 */
export const FAST_3G = {
  name: 'Fast 3G (DevTools preset)',
  latencyMs: 150 * 3.75,
  downloadBytesPerSecond: ((1.6 * 1000 * 1000) / 8) * 0.9,
  uploadBytesPerSecond: ((750 * 1000) / 8) * 0.9,
} as const;

/** What the browser fetched of one kind of resource: decoded bytes, and bytes on the wire (bodies only). */
export interface Fetched {
  files: number;
  raw: number;
  transferred: number;
  /** The files' paths (for the gzip figure of the same files). */
  paths: string[];
}

/** One page load: scripts and stylesheets fetched until the first screen was complete, and its first paint. */
export interface LoadFigures {
  js: Fetched;
  css: Fetched;
  /** First contentful paint, ms after the navigation started (`performance` paint timing). */
  fcpMs: number;
}

interface Tracked {
  type: string;
  url: string;
  raw: number;
  headerBytes: number;
  transferred: number;
  done: boolean;
}

/** Follows the page's requests through CDP events (the network layer's own byte counts). */
class NetworkLog {
  readonly requests = new Map<string, Tracked>();
  private lastActivity = performance.now();

  constructor(cdp: CDPSession) {
    cdp.on('Network.requestWillBeSent', (event) => {
      this.requests.set(event.requestId, {
        type: event.type ?? 'Other',
        url: event.request.url,
        raw: 0,
        headerBytes: 0,
        transferred: 0,
        done: false,
      });
      this.lastActivity = performance.now();
    });
    cdp.on('Network.responseReceived', (event) => {
      const tracked = this.requests.get(event.requestId);
      // encodedDataLength here is what arrived before the body: the status line and headers.
      if (tracked) tracked.headerBytes = event.response.encodedDataLength;
    });
    cdp.on('Network.dataReceived', (event) => {
      const tracked = this.requests.get(event.requestId);
      if (tracked) tracked.raw += event.dataLength;
      this.lastActivity = performance.now();
    });
    const finish = (requestId: string, encoded: number) => {
      const tracked = this.requests.get(requestId);
      if (tracked) {
        tracked.transferred = Math.max(0, encoded - tracked.headerBytes);
        tracked.done = true;
      }
      this.lastActivity = performance.now();
    };
    cdp.on('Network.loadingFinished', (event) => finish(event.requestId, event.encodedDataLength));
    cdp.on('Network.loadingFailed', (event) => finish(event.requestId, 0));
  }

  /** Resolves once no request has been in flight for `quietMs` (what the first screen still fetches has come). */
  async idle(quietMs = 500, timeoutMs = 60_000): Promise<void> {
    const started = performance.now();
    for (;;) {
      const busy = [...this.requests.values()].some((request) => !request.done);
      if (!busy && performance.now() - this.lastActivity >= quietMs) return;
      if (performance.now() - started > timeoutMs) throw new Error('the page never went quiet');
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  fetched(type: 'Script' | 'Stylesheet'): Fetched {
    const of = [...this.requests.values()].filter((request) => request.type === type);
    return {
      files: of.length,
      raw: of.reduce((sum, request) => sum + request.raw, 0),
      transferred: of.reduce((sum, request) => sum + request.transferred, 0),
      paths: of.map((request) => new URL(request.url).pathname),
    };
  }
}

/** How a contender is opened and when its first screen is complete. */
export interface Contender {
  /** Navigates `page` to the contender (a GET, or the frame POST Bitrix24 sends). */
  open(page: Page): Promise<void>;
  /** A selector present once the first screen shows its content (not a loading state). */
  ready: string;
}

export interface LoadOptions {
  throttle?: typeof FAST_3G;
  /** Asks for gzip only (the figure the issue compares), instead of Chromium's `gzip, deflate, br, zstd`. */
  gzipOnly?: boolean;
}

/**
 * Loads the contender in `context` (a fresh one is a cold cache; a used one is warm) and measures it. The HTTP
 * cache stays on: a warm load is served the content-hashed files from it, as a returning user is.
 */
export async function measureLoad(
  context: BrowserContext,
  contender: Contender,
  options: LoadOptions = {},
): Promise<LoadFigures> {
  const page = await context.newPage();
  try {
    const cdp = await context.newCDPSession(page);
    await cdp.send('Network.enable');
    if (options.throttle !== undefined) {
      await cdp.send('Network.emulateNetworkConditions', {
        offline: false,
        latency: options.throttle.latencyMs,
        downloadThroughput: options.throttle.downloadBytesPerSecond,
        uploadThroughput: options.throttle.uploadBytesPerSecond,
      });
    }
    if (options.gzipOnly === true) {
      await cdp.send('Network.setExtraHTTPHeaders', { headers: { 'Accept-Encoding': 'gzip' } });
    }
    const log = new NetworkLog(cdp);
    await contender.open(page);
    await page.locator(contender.ready).first().waitFor({ timeout: 60_000 });
    await log.idle();
    const fcpMs = await page.evaluate(
      () => performance.getEntriesByName('first-contentful-paint')[0]?.startTime ?? Number.NaN,
    );
    return { js: log.fetched('Script'), css: log.fetched('Stylesheet'), fcpMs };
  } finally {
    await page.close();
  }
}

/**
 * Opens `url` with a form POST of `body`, as the portal opens an app's frame: from a blank page, so the
 * measured document's timings start at the POST.
 */
export async function postForm(page: Page, url: string, body: Record<string, string>): Promise<void> {
  await page.goto('about:blank');
  await Promise.all([
    page.waitForURL((target) => target.href === url, { waitUntil: 'commit' }),
    page.evaluate(
      ({ action, fields }) => {
        const form = document.createElement('form');
        form.method = 'POST';
        form.action = action;
        for (const [name, value] of Object.entries(fields)) {
          const input = document.createElement('input');
          input.type = 'hidden';
          input.name = name;
          input.value = value;
          form.append(input);
        }
        document.body.append(form);
        form.submit();
      },
      { action: url, fields: body },
    ),
  ]);
}
