/**
 * Figures of the load benchmark's measured windows and the printed report: the results table, the
 * two-versus-one ratios, where the CPU went and what each answer cost (Redis commands, portal and OAuth
 * server calls, waits in Keycard's per-portal request budget), and notes on what limited the figures.
 */
import { availableParallelism, cpus } from 'node:os';
import type { DriveResult } from './load-drive.js';
import type { HelperStats } from './load-protocol.js';
import { printTable } from './measure.js';

/** Cumulative counters of every process, taken at the edges of a measured window. */
export interface Snapshot {
  at: number;
  keycards: HelperStats[];
  portals: HelperStats;
  redis: { cpuSeconds: number; commands: number };
  benchCpuMicros: number;
  /** CPU time of the whole machine, every process (ours and anyone else's). */
  machine: { busyMs: number; totalMs: number };
}

/** Busy and total CPU time of every core since boot (os.cpus()). */
export function machineCpu(): Snapshot['machine'] {
  let busyMs = 0;
  let totalMs = 0;
  for (const { times } of cpus()) {
    busyMs += times.user + times.nice + times.sys + times.irq;
    totalMs += times.user + times.nice + times.sys + times.irq + times.idle;
  }
  return { busyMs, totalMs };
}

export interface Measured {
  route: string;
  /** The route calls the portal, taking from Keycard's per-portal budget. */
  budgeted: boolean;
  instances: number;
  connections: number;
  drive: DriveResult;
  start: Snapshot;
  end: Snapshot;
}

/** `used_cpu_user`, `used_cpu_sys` and `total_commands_processed` of Redis's INFO answer. */
export function parseRedisInfo(info: string): Snapshot['redis'] {
  const field = (name: string): number => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? Number.NaN);
  return { cpuSeconds: field('used_cpu_user') + field('used_cpu_sys'), commands: field('total_commands_processed') };
}

/** Per-window figures of one measurement. */
function windowOf(measured: Measured) {
  const { start, end, drive } = measured;
  const micros = (end.at - start.at) * 1000;
  const percent = (from: number, to: number) => ((to - from) / micros) * 100;
  const answers = Math.max(1, drive.answers);
  const involved = start.keycards
    .slice(0, measured.instances)
    .map((stats, i) => ({ from: stats.budget, to: end.keycards[i]?.budget }));
  const budgetRequests = involved.reduce((sum, { from, to }) => sum + ((to?.requests ?? 0) - (from?.requests ?? 0)), 0);
  const budgetWaited = involved.reduce((sum, { from, to }) => sum + ((to?.waitedMs ?? 0) - (from?.waitedMs ?? 0)), 0);
  const meanLevel = (side: 'from' | 'to') =>
    involved.reduce((sum, entry) => sum + (entry[side]?.levelMean ?? 0), 0) / Math.max(1, involved.length);
  const cores = availableParallelism();
  const machine =
    ((end.machine.busyMs - start.machine.busyMs) / Math.max(1, end.machine.totalMs - start.machine.totalMs)) *
    cores *
    100;
  const keycard = start.keycards.map((stats, i) =>
    percent(stats.cpuMicros, end.keycards[i]?.cpuMicros ?? stats.cpuMicros),
  );
  const portalsCpu = percent(start.portals.cpuMicros, end.portals.cpuMicros);
  const redisCpu = ((end.redis.cpuSeconds - start.redis.cpuSeconds) * 1e6 * 100) / micros;
  const benchCpu = percent(start.benchCpuMicros, end.benchCpuMicros);
  const ours = keycard.reduce((sum, value) => sum + value, 0) + portalsCpu + redisCpu + benchCpu;
  const portalsFrom = start.portals.portals;
  const portalsTo = end.portals.portals;
  return {
    cpu: {
      keycard,
      portals: portalsCpu,
      redis: redisCpu,
      bench: benchCpu,
      ours,
      others: Math.max(0, machine - ours),
      machine,
    },
    /** Keycard CPU time (all instances) per answer, in ms: the cost of a request, whatever else the machine ran. */
    keycardCpuMsPerAnswer: (keycard.reduce((sum, value) => sum + value, 0) * (micros / 100)) / 1000 / answers,
    redisCommandsPerAnswer: (end.redis.commands - start.redis.commands) / answers,
    portalRestPerAnswer: ((portalsTo?.restRequests ?? 0) - (portalsFrom?.restRequests ?? 0)) / answers,
    appInfoPerAnswer: ((portalsTo?.appInfo ?? 0) - (portalsFrom?.appInfo ?? 0)) / answers,
    tokenRefreshes: (portalsTo?.tokenRefreshes ?? 0) - (portalsFrom?.tokenRefreshes ?? 0),
    budget: {
      requestsPerSecond: budgetRequests / (micros / 1e6),
      meanWaitMs: budgetRequests === 0 ? 0 : budgetWaited / budgetRequests,
      levelStart: meanLevel('from'),
      levelEnd: meanLevel('to'),
      burst: involved[0]?.to?.burst ?? 0,
      drainPerSecond: involved[0]?.to?.drainPerSecond ?? 0,
    },
  };
}

const round = (value: number, digits = 1) => value.toFixed(digits);

export function printReport(unordered: readonly Measured[], portals: number): void {
  const results = [...unordered].sort((a, b) => a.route.localeCompare(b.route) || a.instances - b.instances);
  printTable(
    results.map((measured) => ({
      route: measured.route,
      instances: measured.instances,
      connections: measured.connections,
      'req/s': Math.round(measured.drive.requestsPerSecond),
      'p50 ms': measured.drive.p50,
      'p99 ms': measured.drive.p99,
      'errors/non-2xx': `${measured.drive.errors}/${measured.drive.non2xx}`,
    })),
  );
  process.stdout.write('\n');
  for (const route of new Set(results.map((measured) => measured.route))) {
    const one = results.find((measured) => measured.route === route && measured.instances === 1);
    const two = results.find((measured) => measured.route === route && measured.instances === 2);
    if (one === undefined || two === undefined) continue;
    process.stdout.write(
      `${route}: 2 instances / 1 instance = ${(two.drive.requestsPerSecond / one.drive.requestsPerSecond).toFixed(2)}× requests/s\n`,
    );
  }

  process.stdout.write('\nWhere the time went (measured windows; CPU in % of one core):\n');
  printTable(
    results.map((measured) => {
      const window = windowOf(measured);
      return {
        route: measured.route,
        instances: measured.instances,
        'warm-up s': `${round(measured.drive.warmup.seconds)}${measured.drive.warmup.complete ? '' : '!'}`,
        'keycard A %': Math.round(window.cpu.keycard[0] ?? 0),
        'keycard B %': Math.round(window.cpu.keycard[1] ?? 0),
        'portals %': Math.round(window.cpu.portals),
        'redis %': Math.round(window.cpu.redis),
        'autocannon %': Math.round(window.cpu.bench),
        'others %': Math.round(window.cpu.others),
        'keycard CPU ms/req': round(window.keycardCpuMsPerAnswer, 2),
        'redis cmds/req': round(window.redisCommandsPerAnswer),
        'REST/req': round(window.portalRestPerAnswer, 2),
        'app.info/req': round(window.appInfoPerAnswer, 2),
        'budget calls/s': measured.budgeted ? Math.round(window.budget.requestsPerSecond) : '—',
        'budget wait ms/call': measured.budgeted ? Math.round(window.budget.meanWaitMs) : '—',
        'budget level': measured.budgeted ? `${round(window.budget.levelStart)}→${round(window.budget.levelEnd)}` : '—',
      };
    }),
  );
  printNotes(results, portals);
}

function printNotes(results: readonly Measured[], portals: number): void {
  const notes: string[] = [];
  const cores = availableParallelism();
  if (results.some((measured) => !measured.drive.warmup.complete)) {
    notes.push(
      'warm-up marked ! hit its time limit before every user had opened once: the window includes first opens (each refreshes the user).',
    );
  }
  for (const measured of results) {
    const window = windowOf(measured);
    const label = `${measured.route} × ${measured.instances}`;
    if (measured.budgeted) notes.push(budgetNote(label, measured, window, portals));
    const { cpu } = window;
    if (cpu.machine > cores * 100 * 0.85) {
      notes.push(
        `${label}: the machine was CPU-bound (${Math.round(cpu.machine)} % of ${cores * 100} %; ${Math.round(cpu.ours)} % in the benchmark's processes` +
          `${cpu.others >= 10 ? `, ${Math.round(cpu.others)} % in other processes` : ''}).`,
      );
    }
    if (cpu.others >= 25) {
      notes.push(
        `${label}: other processes on this machine used ${Math.round(cpu.others)} % CPU during the window: its figures are disturbed; rerun on a quiet machine.`,
      );
    }
  }
  if (results.some((measured) => measured.budgeted && measured.instances > 1)) {
    notes.push(
      "the request budget of each portal is one bucket on Redis shared by both instances, so together they send a portal no more than Bitrix24's " +
        '2 calls/s: a second instance adds CPU, not portal calls, and sustained /app opens stay at the same cap.',
    );
  }
  if (cores < 6) {
    notes.push(
      `only ${cores} CPUs: two Keycard processes, the emulators, Redis and autocannon compete for them, so the 2-vs-1 ratio shows contention ` +
        'more than scale-out; run on ≥ 6 CPUs for a scale-out figure.',
    );
  }
  if (notes.length > 0) process.stdout.write(`\nNotes:\n${notes.map((note) => `- ${note}`).join('\n')}\n`);
}

/** What Keycard's per-portal budget (Bitrix24's real limit) did to a run that calls the portals. */
function budgetNote(label: string, measured: Measured, window: ReturnType<typeof windowOf>, portals: number): string {
  const { budget } = window;
  const callsPerOpen = Math.max(window.portalRestPerAnswer, 1);
  // One bucket per portal on Redis, whatever the number of instances.
  const ceiling = (budget.drainPerSecond * portals) / callsPerOpen;
  const rate = measured.drive.requestsPerSecond;
  const head =
    `${label}: Keycard's per-portal budget (${budget.drainPerSecond}/s, burst ${budget.burst}, shared by all instances) sustains at most ` +
    `${Math.round(ceiling)} opens/s over ${portals} portals at ${round(window.portalRestPerAnswer, 2)} portal calls an open; `;
  const full = budget.burst - 2;
  if (budget.levelStart >= full) {
    return (
      head +
      `it DOMINATED this run: the budgets were at their burst throughout and portal calls waited ${Math.round(budget.meanWaitMs)} ms on average, ` +
      "so the figure is Bitrix24's limit, not Keycard's capacity."
    );
  }
  if (budget.levelEnd >= full) {
    return (
      head +
      `this run spent the budgets' burst (mean level ${round(budget.levelStart)} → ${round(budget.levelEnd)} of ${budget.burst}) and then waited on them ` +
      `(${Math.round(budget.meanWaitMs)} ms a call on average over the window): from there on opens were held to Bitrix24's limit, ` +
      'so the figure mixes Keycard’s capacity with that limit (a shorter LOAD_SECONDS keeps the window within the burst).'
    );
  }
  if (rate <= ceiling) return head + `this run stayed within it (mean wait ${Math.round(budget.meanWaitMs)} ms).`;
  // Slots each portal's bucket gains a second beyond what drains, and how many are left before it is full.
  const fillingPerSecond = (rate * callsPerOpen) / portals - budget.drainPerSecond;
  const secondsLeft = Math.max(0, budget.burst - 1 - budget.levelEnd) / fillingPerSecond;
  return (
    head +
    `this run went faster (${Math.round(rate)}/s) by spending the budgets' burst (mean level ${round(budget.levelStart)} → ${round(budget.levelEnd)} of ${budget.burst}, ` +
    `no waits yet). At this rate the bursts run out after about ${Math.round(secondsLeft)} s more, and sustained opens are then held to ` +
    `${Math.round(ceiling)}/s: that cap is Bitrix24's 2 requests/s per portal, not Keycard's CPU.`
  );
}
