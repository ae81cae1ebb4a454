/**
 * Light first load (issue 13): an employee's first screen of Keycard vs a bare Bitrix24 page (test/bench/ui-bare:
 * the b24ui Vue plugin, one Card, one Button, initializeB24Frame()), both built in this run with Keycard's
 * vite.config.ts and served by Keycard's static-asset middleware (the same precompressed brotli/gzip files,
 * the same server settings). Chromium loads each and the CDP network events count the scripts and
 * stylesheets fetched until the first screen is complete; first contentful paint cold, warm and on Fast 3G.
 * Goals: the first screen's JavaScript ≤ 1.2× the bare page's, raw and gzip; first paint on Fast 3G ≤ 2.5 s.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import express from 'express';
import type { Browser } from 'playwright-core';
import { assetFiles } from '../../server/http/compressed-assets.js';
import { launchChromium } from '../e2e/support/browser.js';
import { emulatedPortal } from '../support/emulated-portal.js';
import { printTable } from './measure.js';
import { FAST_3G, measureLoad, postForm, type Contender, type LoadFigures } from './ui-browser.js';

const RATIO_GOAL = 1.2;
const FAST_3G_FCP_GOAL_MS = 2500;
const COLD_RUNS = 5;
const WARM_RUNS = 5;
const FAST_3G_RUNS = 3;

/** Builds the page under `root` (Keycard's own when undefined) with Keycard's Vite config into `outDir`. */
async function buildUi(outDir: string, root?: string): Promise<void> {
  const { build } = await import('vite');
  await build({
    configFile: join(process.cwd(), 'vite.config.ts'),
    ...(root === undefined ? {} : { root }),
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true },
  });
}

/** The bare page behind the same middleware and app-wide settings Keycard uses (server/app.ts). */
async function serveBare(dir: string): Promise<{ url: string; server: Server }> {
  const html = readFileSync(join(dir, 'index.html'), 'utf8');
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use('/assets', assetFiles(join(dir, 'assets')));
  // Keycard's page is filled in per request and never cached (server/http/frame-headers.ts); so is this one.
  app.get('/', (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.type('html').send(html);
  });
  const server = createServer(app);
  await new Promise<void>((resolve) => server.listen(0, 'localhost', resolve));
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('not listening on a TCP port');
  return { url: `http://localhost:${address.port}/`, server };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)] ?? Number.NaN;
}

interface Figures {
  cold: LoadFigures;
  gzip: LoadFigures;
  coldFcp: number;
  warmFcp: number;
  fast3gFcp: number;
}

/** Loads each contender in turn (so both meet the same machine load), `runs` times. */
async function rounds(
  runs: number,
  contenders: readonly Contender[],
  load: (contender: Contender, index: number) => Promise<LoadFigures>,
): Promise<LoadFigures[][]> {
  const results: LoadFigures[][] = contenders.map(() => []);
  for (let run = 0; run < runs; run += 1) {
    for (const [index, contender] of contenders.entries()) results[index]?.push(await load(contender, index));
  }
  return results;
}

async function measureAll(browser: Browser, contenders: readonly Contender[]): Promise<Figures[]> {
  const fresh = async (contender: Contender, options: Parameters<typeof measureLoad>[2] = {}) => {
    const context = await browser.newContext({ viewport: { width: 1360, height: 1000 } });
    try {
      return await measureLoad(context, contender, options);
    } finally {
      await context.close();
    }
  };
  const cold = await rounds(COLD_RUNS, contenders, (contender) => fresh(contender));
  const gzip = await rounds(1, contenders, (contender) => fresh(contender, { gzipOnly: true }));
  // Warm: one context per contender, primed by a first load; the next loads find the files in its cache.
  const warmContexts = await Promise.all(
    contenders.map(() => browser.newContext({ viewport: { width: 1360, height: 1000 } })),
  );
  for (const [index, contender] of contenders.entries()) {
    const context = warmContexts[index];
    if (context !== undefined) await measureLoad(context, contender);
  }
  const warm = await rounds(WARM_RUNS, contenders, (contender, index) => {
    const context = warmContexts[index];
    if (context === undefined) throw new Error('no warm context');
    return measureLoad(context, contender);
  });
  await Promise.all(warmContexts.map((context) => context.close()));
  const fast3g = await rounds(FAST_3G_RUNS, contenders, (contender) => fresh(contender, { throttle: FAST_3G }));
  return contenders.map((_, index) => {
    const first = (list: LoadFigures[][]) => {
      const found = list[index]?.[0];
      if (found === undefined) throw new Error('no load measured');
      return found;
    };
    const fcp = (list: LoadFigures[][]) => median((list[index] ?? []).map((figures) => figures.fcpMs));
    return {
      cold: first(cold),
      gzip: first(gzip),
      coldFcp: fcp(cold),
      warmFcp: fcp(warm),
      fast3gFcp: fcp(fast3g),
    };
  });
}

const kb = (bytes: number) => Math.round(bytes / 100) / 10;

function row(name: string, figures: Figures): Record<string, string | number> {
  return {
    contender: name,
    'JS files': figures.cold.js.files,
    'JS raw KB': kb(figures.cold.js.raw),
    'JS gzip KB': kb(figures.gzip.js.transferred),
    'JS br KB': kb(figures.cold.js.transferred),
    'CSS raw KB': kb(figures.cold.css.raw),
    'CSS gzip KB': kb(figures.gzip.css.transferred),
    'CSS br KB': kb(figures.cold.css.transferred),
    'FCP cold ms': Math.round(figures.coldFcp),
    'FCP warm ms': Math.round(figures.warmFcp),
    'FCP Fast 3G ms': Math.round(figures.fast3gFcp),
  };
}

export async function run(): Promise<void> {
  const out = mkdtempSync(join(tmpdir(), 'keycard-bench-ui-'));
  const bareDir = join(out, 'bare');
  const keycardDir = join(out, 'keycard');
  await buildUi(bareDir, join(process.cwd(), 'test', 'bench', 'ui-bare'));
  await buildUi(keycardDir);

  const bare = await serveBare(bareDir);
  const portal = await emulatedPortal(
    {},
    {},
    {
      template: readFileSync(join(keycardDir, 'index.html'), 'utf8'),
      assetsDir: join(keycardDir, 'assets'),
    },
  );
  const browser = await launchChromium();
  try {
    await portal.install();
    const employee = portal.stack.emulator.portal.directory.users.find(
      (user) => user.active && !user.admin && user.departments.length > 0,
    );
    if (employee === undefined) throw new Error('no employee in the seeded company');
    const bareContender: Contender = {
      open: async (page) => void (await page.goto(bare.url)),
      ready: 'button',
    };
    // The employee's first screen: the frame POST Bitrix24 sends (fresh tokens each time), opened as the top
    // page (outside the portal page, whose own loading would be timed too). The SDK is still fetched: Keycard
    // imports it on start and only then finds no portal to talk to, as the bare page does.
    const keycardContender: Contender = {
      open: async (page) => {
        const launch = await portal.launch(employee.id);
        const url = new URL(launch.url);
        for (const [name, value] of Object.entries(launch.query)) url.searchParams.set(name, value);
        await postForm(page, url.href, launch.body);
      },
      // Employees land on the first page they may use (client/frame/landing.ts): with the manifest's default
      // role (everyone, `AU`: directory read) that is the directory, complete once its first users are listed.
      ready: '[data-page="directory"] [data-testid="user-name"]',
    };
    const [bareFigures, keycardFigures] = await measureAll(browser, [bareContender, keycardContender]);
    if (bareFigures === undefined || keycardFigures === undefined) throw new Error('a contender was not measured');

    const ratio = (pick: (figures: Figures) => number) => pick(keycardFigures) / pick(bareFigures);
    const rawRatio = ratio((figures) => figures.cold.js.raw);
    const gzipRatio = ratio((figures) => figures.gzip.js.transferred);
    const bareRow = row('bare page', bareFigures);
    const keycardRow = row('Keycard, employee first screen', keycardFigures);
    const ratioRow = Object.fromEntries(
      Object.entries(keycardRow).map(([column, value]) => {
        const base = bareRow[column];
        const shown =
          column === 'contender'
            ? 'Keycard / bare'
            : typeof value === 'number' && typeof base === 'number' && base > 0
              ? `${(value / base).toFixed(2)}×`
              : '';
        return [column, shown];
      }),
    );
    process.stdout.write(
      `Fast 3G: ${FAST_3G.name}: ${FAST_3G.latencyMs} ms latency, ${FAST_3G.downloadBytesPerSecond} B/s down, ` +
        `${FAST_3G.uploadBytesPerSecond} B/s up. FCP: median of ${COLD_RUNS} cold, ${WARM_RUNS} warm, ` +
        `${FAST_3G_RUNS} Fast 3G (cold) loads. gzip: a cold load asking for gzip only; br: Chromium's own ask.\n\n`,
    );
    printTable([bareRow, keycardRow, ratioRow]);

    const everyFileCompressed = [keycardFigures, bareFigures].every((figures) =>
      [figures.cold.js, figures.cold.css].every((fetched) => fetched.transferred < fetched.raw),
    );
    const goals = [
      {
        goal: 'compressed responses',
        figure: `JS ${kb(keycardFigures.cold.js.raw)} KB → ${kb(keycardFigures.cold.js.transferred)} KB br`,
        met: everyFileCompressed,
      },
      {
        goal: `first-screen JS raw ≤ ${RATIO_GOAL}× bare`,
        figure: `${rawRatio.toFixed(2)}×`,
        met: rawRatio <= RATIO_GOAL,
      },
      {
        goal: `first-screen JS gzip ≤ ${RATIO_GOAL}× bare`,
        figure: `${gzipRatio.toFixed(2)}×`,
        met: gzipRatio <= RATIO_GOAL,
      },
      {
        goal: `FCP on Fast 3G ≤ ${FAST_3G_FCP_GOAL_MS} ms`,
        figure: `${Math.round(keycardFigures.fast3gFcp)} ms (bare ${Math.round(bareFigures.fast3gFcp)} ms)`,
        met: keycardFigures.fast3gFcp <= FAST_3G_FCP_GOAL_MS,
      },
    ];
    process.stdout.write('\n');
    printTable(goals.map(({ goal, figure, met }) => ({ goal, figure, '': met ? 'met' : 'MISSED' })));
    process.stdout.write(`\nKeycard's first-screen scripts: ${keycardFigures.cold.js.paths.join(' ')}\n`);
  } finally {
    await browser.close();
    await portal.close();
    await new Promise((resolve) => bare.server.close(resolve));
    rmSync(out, { recursive: true, force: true });
  }
}
