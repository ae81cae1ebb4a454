/** What `measure` found: throughput from an untimed pass, latency percentiles from a pass timing each call. */
export interface Measured {
  opsPerSecond: number;
  p50Micros: number;
  p99Micros: number;
}

/** Runs `work` `iterations` times; a promise it returns is awaited, a plain value is not. */
async function pass(iterations: number, work: () => unknown, samples?: Float64Array): Promise<number> {
  const started = process.hrtime.bigint();
  for (let i = 0; i < iterations; i += 1) {
    const t0 = samples === undefined ? 0n : process.hrtime.bigint();
    const result = work();
    // Awaiting a plain value would still cost a microtask turn, charged to synchronous contenders only.
    if (result instanceof Promise) await result;
    if (samples !== undefined) samples[i] = Number(process.hrtime.bigint() - t0) / 1000;
  }
  return Number(process.hrtime.bigint() - started) / 1e9;
}

/** How `measure` runs: the warm-up pass's length, and what to do before each measured pass. */
export interface MeasureOptions {
  warmup?: number;
  reset?: () => void;
}

/**
 * Times `work` over `iterations` runs after a warm-up. Throughput comes from a pass without per-call timers
 * (two clock reads per call would be a large share of a sub-microsecond call); p50/p99 from a second pass
 * that times every call. `reset` runs before each pass, outside the timing (e.g. to empty a cache that the
 * warm-up or the first pass filled, when what is measured is the first call).
 */
export async function measure(
  iterations: number,
  work: () => unknown,
  options: MeasureOptions = {},
): Promise<Measured> {
  await pass(options.warmup ?? Math.min(1000, iterations / 10), work);
  options.reset?.();
  const totalSeconds = await pass(iterations, work);
  options.reset?.();
  const samples = new Float64Array(iterations);
  await pass(iterations, work, samples);
  samples.sort();
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))] ?? 0;
  return { opsPerSecond: iterations / totalSeconds, p50Micros: at(0.5), p99Micros: at(0.99) };
}

/** The median of each figure over several measurements of one thing (robust to one disturbed round). */
export function medianOf(results: readonly Measured[]): Measured {
  const median = (values: number[]): number => {
    values.sort((a, b) => a - b);
    return values[Math.floor((values.length - 1) / 2)] ?? Number.NaN;
  };
  return {
    opsPerSecond: median(results.map((r) => r.opsPerSecond)),
    p50Micros: median(results.map((r) => r.p50Micros)),
    p99Micros: median(results.map((r) => r.p99Micros)),
  };
}

/** Prints rows as an aligned table. */
export function printTable(rows: Record<string, string | number>[]): void {
  const first = rows[0];
  if (first === undefined) return;
  const columns = Object.keys(first);
  const cell = (value: string | number | undefined) =>
    typeof value === 'number'
      ? Number.isInteger(value)
        ? String(value)
        : value.toFixed(value >= 100 ? 0 : 2)
      : (value ?? '');
  const widths = columns.map((column) =>
    Math.max(column.length, ...rows.map((row) => String(cell(row[column])).length)),
  );
  const line = (values: string[]) => values.map((value, i) => value.padEnd(widths[i] ?? 0)).join('  ');
  process.stdout.write(`${line(columns)}\n${line(widths.map((width) => '-'.repeat(width)))}\n`);
  for (const row of rows) process.stdout.write(`${line(columns.map((column) => String(cell(row[column]))))}\n`);
}
