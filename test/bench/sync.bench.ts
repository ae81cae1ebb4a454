/**
 * `npm run bench:sync`: a full directory sync of 10k and 50k users with 1k departments against the portal
 * emulator with its rate limit ON (2 req/s, burst 50), four contenders side by side (see sync-contenders.ts).
 * Emulated time runs BENCH_SPEED (default 50) times faster for the emulator and every contender's limiter,
 * so the slow contenders finish in minutes; "limit-bound s at 1×" is the least time the limit alone would cost
 * against a real portal. Keycard's sync stays within the burst, so its wall time is its real-speed time.
 *
 * "portal s" is the execution time the portal spent answering (what Bitrix24's operating limit counts), on the
 * emulator's cost model (test/emulator/operating-limit.ts): offset pages count the whole list and skip the rows
 * before them, so they cost more the deeper they go; ID-cursor pages (`start=-1`, `>ID`) cost the same
 * anywhere. The operating limit itself is off, or it would stall the offset-paging contenders: their cost is
 * reported instead.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { generateCompany } from '../emulator/company.js';
import { finishInstall, installApp } from '../emulator/lifecycle.js';
import { operatingSpent } from '../emulator/operating-limit.js';
import { createEmulator } from '../emulator/server.js';
import { printTable } from './measure.js';
import { contenderNames, contenderResultSchema, type ContenderInput, type ContenderResult } from './sync-contenders.js';

const DEPARTMENTS = 1000;

function runChild(input: ContenderInput): Promise<ContenderResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/bench/sync-child.ts'], {
      env: { ...process.env, KEYCARD_BENCH_INPUT: JSON.stringify(input) },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('exit', (code) => {
      const line = out.trim().split('\n').pop() ?? '';
      if (code !== 0) reject(new Error(`${input.contender} exited with ${String(code)}: ${line}`));
      else resolve(contenderResultSchema.parse(JSON.parse(line)));
    });
  });
}

export async function run(): Promise<void> {
  const speed = Number(process.env['BENCH_SPEED'] ?? 50);
  const sizes = (process.env['BENCH_USERS'] ?? '10000,50000').split(',').map(Number);
  const clientId = `local.bench.${randomBytes(4).toString('hex')}`;
  const clientSecret = randomBytes(16).toString('hex');
  const origin = Date.now();
  const clock = { now: () => origin + (Date.now() - origin) * speed };
  process.stdout.write(`emulated time runs ${speed}× faster; rate limit 2 req/s, burst 50\n`);

  for (const users of sizes) {
    const company = generateCompany({ users, departments: DEPARTMENTS, seed: 7 });
    const emulator = createEmulator({
      companyData: company,
      clock,
      rateLimit: { drainPerSecond: 2, burst: 50 },
      operatingLimitSeconds: false,
      tokenLifetimeSeconds: 30 * 86_400,
      app: { clientId, clientSecret, appUrl: 'http://localhost:9' },
      log: () => undefined,
    });
    const { url, close } = await emulator.listen(0);
    const admin = company.users.find((user) => user.admin && user.active);
    if (admin === undefined) throw new Error('the generated company has no active admin');
    const tokens = installApp(emulator.portal, admin);
    finishInstall(emulator.portal);

    const rows: Record<string, string | number>[] = [];
    const cost = new Map<string, { requests: number; portalSeconds: number }>();
    const only = process.env['BENCH_CONTENDERS']?.split(',');
    for (const contender of contenderNames.filter((name) => only === undefined || only.includes(name))) {
      emulator.portal.bucket?.reset();
      emulator.portal.resetCounters();
      const spentBefore = operatingSpent(emulator.portal);
      const result = await runChild({
        contender,
        portalUrl: url,
        memberId: emulator.portal.memberId,
        accessToken: tokens.accessToken,
        refreshToken: tokens.refreshToken,
        clientId,
        clientSecret,
        speed,
      });
      const portalSeconds = operatingSpent(emulator.portal) - spentBefore;
      cost.set(contender, { requests: emulator.portal.counters.restRequests, portalSeconds });
      rows.push({
        users,
        contender,
        'HTTP requests': emulator.portal.counters.restRequests,
        'rate-limited (503)': emulator.portal.counters.rateLimited,
        'users synced': result.users,
        'departments synced': result.departments,
        'wall s': result.wallMs / 1000,
        // What the 2 req/s, burst-50 limit alone costs at real speed: a lower bound for a real portal.
        'limit-bound s at 1×': Math.max(0, emulator.portal.counters.restRequests - 50) / 2,
        'portal s': portalSeconds,
        'peak RSS MB': result.peakRssMb,
      });
    }
    await close();
    printTable(rows);
    process.stdout.write(`${verdict(cost)}\n\n`);
  }
}

/** Keycard against the best of the others: the fewest requests, and the least portal time. */
function verdict(cost: ReadonlyMap<string, { requests: number; portalSeconds: number }>): string {
  const ours = cost.get('keycard');
  const others = [...cost].filter(([name]) => name !== 'keycard');
  if (ours === undefined || others.length === 0) return '  (keycard and at least one other contender are needed)';
  const fewest = others.reduce((a, b) => (b[1].requests < a[1].requests ? b : a));
  const cheapest = others.reduce((a, b) => (b[1].portalSeconds < a[1].portalSeconds ? b : a));
  const requestsMet = ours.requests <= fewest[1].requests ? 'met' : 'MISSED';
  const timeMet = ours.portalSeconds < cheapest[1].portalSeconds ? 'met' : 'MISSED';
  return (
    `  keycard: ${ours.requests} requests, best other ${fewest[1].requests} (${fewest[0]}) ` +
    `(target: no more) ${requestsMet}; portal ${ours.portalSeconds.toFixed(1)} s, least other ` +
    `${cheapest[1].portalSeconds.toFixed(1)} s (${cheapest[0]}) (target: less) ${timeMet}`
  );
}
