/**
 * `npm run bench:http`: requests/s and latency of `GET /api/me` on the real Keycard app against a bare
 * Express 5 app answering `GET /hello` with `{ "hello": "world" }`, on the same machine in the same run.
 *
 * Each server runs in its own child process (http-child.ts), started the same way (`node --import tsx`),
 * on an ephemeral 127.0.0.1 port; autocannon generates the load from this process, so it never shares an
 * event loop with the server under test. Every server is set up first; then each gets a warm-up and the
 * servers take turns under load, one at a time, for the measured rounds (req/s is all answers over all
 * measured time; p50/p99 are the means over rounds).
 *
 * The baseline gets every app-wide setting Keycard's `createApp` makes (no `X-Powered-By`, no automatic
 * ETag), so the difference is Keycard's own work.
 *
 * Keycard's `/api/me` is called with 1,000 sessions of 1,000 distinct active users (one built around an employee
 * in the deepest department, the rest drawn at random, admins included), each connection sending them in turn,
 * so no session token, user or access computation is answered from one warm entry. The portal is active, its
 * directory mirror holds a synced 5k-user company and its stored policy has 300 assignments (http-keycard.ts,
 * http-policy.ts); the store is the product's default (an SQLite file in a temporary folder) and, for
 * comparison, the memory store.
 *
 * Before measuring, every request must answer 200 with the expected body, and the measured run must have no
 * errors, timeouts or non-2xx answers: a benchmark of 401s would be worthless, so it fails instead.
 *
 * Environment: BENCH_HTTP_SECONDS (10), BENCH_HTTP_WARMUP_SECONDS (2), BENCH_HTTP_CONNECTIONS (50),
 * BENCH_HTTP_ROUNDS (3), BENCH_HTTP_STORES (`sqlite,memory`), BENCH_HTTP_USERS (5000), BENCH_HTTP_SESSIONS
 * (1000), BENCH_HTTP_CPU_PROF
 * (a folder: the Keycard servers run with `--cpu-prof` and write their profiles there on exit).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import autocannon from 'autocannon';
import { printTable } from './measure.js';
import { httpChildReadySchema, type HttpChildInput, type HttpChildReady } from './http-protocol.js';

const TARGET_RATIO = 0.6;

interface RunningServer {
  ready: HttpChildReady;
  stop(): Promise<void>;
}

function startServer(input: HttpChildInput, cpuProfileDir?: string): Promise<RunningServer> {
  const flags = cpuProfileDir === undefined ? [] : ['--cpu-prof', `--cpu-prof-dir=${cpuProfileDir}`];
  const child = spawn(process.execPath, [...flags, '--import', 'tsx', 'test/bench/http-child.ts'], {
    env: { ...process.env, KEYCARD_BENCH_INPUT: JSON.stringify(input) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
      const end = out.indexOf('\n');
      if (end < 0) return;
      child.stdout.removeAllListeners('data');
      child.stdout.resume();
      try {
        const ready = httpChildReadySchema.parse(JSON.parse(out.slice(0, end)));
        resolve({
          ready,
          stop: async () => {
            child.kill('SIGTERM');
            await exited;
          },
        });
      } catch (error: unknown) {
        child.kill('SIGTERM');
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
    child.once('error', reject);
    void exited.then((code) =>
      reject(new Error(`the ${input.kind} server exited with ${String(code)} before listening`)),
    );
  });
}

function field(value: unknown, path: string): unknown {
  let at = value;
  for (const key of path.split('.')) at = at !== null && typeof at === 'object' ? Reflect.get(at, key) : undefined;
  return at;
}

/**
 * Every request of the load must succeed with its expected body before anything is measured. Returns how
 * many answers say the policy lets the user in (`access.open`).
 */
async function checkAll(ready: HttpChildReady): Promise<number> {
  let open = 0;
  for (const request of ready.requests) {
    const response = await fetch(`${ready.url}${ready.path}`, { headers: request.headers });
    const text = await response.text();
    if (response.status !== 200)
      throw new Error(`GET ${ready.path} answered ${response.status} before the measurement: ${text.slice(0, 300)}`);
    const body: unknown = JSON.parse(text);
    for (const [path, want] of Object.entries(request.expect)) {
      const got = field(body, path);
      if (got !== want)
        throw new Error(
          `GET ${ready.path}: ${path} is ${JSON.stringify(got)}, expected ${JSON.stringify(want)}; ` +
            `body: ${text.slice(0, 300)}`,
        );
    }
    if (field(body, 'access.open') === true) open += 1;
  }
  return open;
}

/** Every connection sends the requests in turn (one per session: each of a different user). */
function load(ready: HttpChildReady, seconds: number, connections: number): Promise<autocannon.Result> {
  return autocannon({
    url: ready.url,
    connections,
    duration: seconds,
    requests: ready.requests.map((request) => ({ method: 'GET', path: ready.path, headers: request.headers })),
  });
}

/** One server under test and what its measured runs gave. */
interface Contender {
  route: string;
  store: string;
  server: RunningServer;
  rounds: autocannon.Result[];
}

function mean(values: readonly number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);
}

/** Requests per second over every measured round: all answers over all measured time. */
function throughput(contender: Contender): number {
  return (
    contender.rounds.reduce((sum, result) => sum + result.requests.total, 0) /
    contender.rounds.reduce((sum, result) => sum + result.duration, 0)
  );
}

export async function run(): Promise<void> {
  const seconds = Number(process.env['BENCH_HTTP_SECONDS'] ?? 10);
  const warmup = Number(process.env['BENCH_HTTP_WARMUP_SECONDS'] ?? 2);
  const connections = Number(process.env['BENCH_HTTP_CONNECTIONS'] ?? 50);
  const users = Number(process.env['BENCH_HTTP_USERS'] ?? 5000);
  const sessions = Number(process.env['BENCH_HTTP_SESSIONS'] ?? 1000);
  const stores = (process.env['BENCH_HTTP_STORES'] ?? 'sqlite,memory').split(',').map((store) => store.trim());
  const rounds = Number(process.env['BENCH_HTTP_ROUNDS'] ?? 3);
  const cpuProfileDir = process.env['BENCH_HTTP_CPU_PROF'];
  for (const store of stores)
    if (store !== 'sqlite' && store !== 'memory') throw new Error(`BENCH_HTTP_STORES: unknown store ${store}`);

  const dir = mkdtempSync(join(tmpdir(), 'keycard-http-bench-'));
  process.stdout.write(
    `node ${process.version}, ${availableParallelism()} CPUs, load average ${loadavg()[0]?.toFixed(1)}; ` +
      `each server in its own process, autocannon in ` +
      `this one; ${connections} connections; per server ${warmup} s warm-up, then ${rounds} × ${seconds} s ` +
      `measured, servers taking turns\n`,
  );
  const contenders: Contender[] = [];
  try {
    // Every server is set up (Keycard's includes a directory sync) before anything is measured; an idle
    // server costs nothing while another is under load.
    const baseline = await startServer({ kind: 'bare' });
    contenders.push({ route: 'bare GET /hello', store: '—', server: baseline, rounds: [] });
    for (const store of stores) {
      const storeUrl = store === 'sqlite' ? `sqlite://${join(dir, 'keycard.sqlite')}` : 'memory://';
      const server = await startServer({ kind: 'keycard', storeUrl, users, sessions }, cpuProfileDir);
      contenders.push({
        route: 'keycard GET /api/me',
        store: store === 'sqlite' ? 'sqlite file (tmp)' : 'memory',
        server,
        rounds: [],
      });
    }
    for (const { route, store, server } of contenders) {
      const open = await checkAll(server.ready);
      const setup = server.ready.setup;
      if (setup === undefined) continue;
      process.stdout.write(
        `${route} (${store}): mirror of ${setup.users} users, ${setup.departments} departments, ` +
          `${setup.workgroups} workgroups (synced in ${(setup.syncMs / 1000).toFixed(1)} s); policy of ` +
          `${setup.policy.roles} roles, ${setup.policy.assignments} assignments, ${setup.policy.allowList} ` +
          `allow-list entries, ${setup.policy.delegates} delegates; ${setup.sessions} sessions of as many ` +
          `distinct active users (${setup.admins} portal admins; the policy lets ${open} in)\n`,
      );
    }
    for (const { server } of contenders) await load(server.ready, warmup, connections);
    // Taking turns spreads the machine's drift (other load, CPU steal on a VM) over every server alike.
    for (let round = 0; round < rounds; round += 1) {
      for (const contender of contenders)
        contender.rounds.push(await load(contender.server.ready, seconds, connections));
    }
  } finally {
    for (const { server } of contenders) await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }

  const [bare] = contenders;
  if (bare === undefined) return;
  const bareRate = throughput(bare);
  printTable(
    contenders.map((contender) => ({
      route: contender.route,
      store: contender.store,
      'req/s': Math.round(throughput(contender)),
      'p50 ms': mean(contender.rounds.map((result) => result.latency.p50)),
      'p99 ms': mean(contender.rounds.map((result) => result.latency.p99)),
      // autocannon's `errors` already include timeouts.
      'errors/non-2xx': `${sum(contender.rounds, 'errors')}/${sum(contender.rounds, 'non2xx')}`,
      'vs bare': `${((throughput(contender) / bareRate) * 100).toFixed(0)} %`,
    })),
  );
  for (const contender of contenders.slice(1)) {
    const ratio = throughput(contender) / bareRate;
    process.stdout.write(
      `${contender.route} (${contender.store}): ${(ratio * 100).toFixed(0)} % of bare Express ` +
        `(target ≥ ${TARGET_RATIO * 100} %) ${ratio >= TARGET_RATIO ? 'met' : 'MISSED'}\n`,
    );
  }
  if (cpuProfileDir !== undefined) process.stdout.write(`CPU profiles of the Keycard servers: ${cpuProfileDir}\n`);
  const failed = contenders.filter(
    ({ rounds: results }) => sum(results, 'errors') + sum(results, 'non2xx') > 0 || sum(results, '2xx') === 0,
  );
  if (failed.length > 0) {
    const detail = failed.map(
      ({ route, store, rounds: r }) =>
        `${route} (${store}) ${sum(r, 'errors')} errors (${sum(r, 'timeouts')} timeouts), ${sum(r, 'non2xx')} non-2xx`,
    );
    throw new Error(`failed requests during the measurement: ${detail.join('; ')}`);
  }
}

function sum(results: readonly autocannon.Result[], key: 'errors' | 'timeouts' | 'non2xx' | '2xx'): number {
  return results.reduce((total, result) => total + result[key], 0);
}
