/**
 * Drives one route of the load benchmark with autocannon from the bench process: one autocannon run per
 * Keycard instance, in parallel, the connections split between them. Each run walks the whole rotation
 * (consecutive requests go to different portals and users), the runs starting at evenly spaced offsets, so
 * every instance serves every portal and user, as behind a round-robin load balancer. Latency is recorded per response
 * across all runs, so percentiles of two instances are
 * those of every answer, not a mean of two runs' percentiles.
 *
 * The load runs continuously from the warm-up into the measured window. The warm-up lasts `warmupSeconds`
 * and at least until every instance answered `warmupRequests` (e.g. one whole rotation, so every user's
 * first open on each instance, with its background refresh, happens before the window), at most
 * `warmupMaxSeconds`.
 *
 * Any non-2xx answer or request error, warm-up included, stops the load and fails the benchmark with the
 * status and the start of the body: requests/s of 4xx answers measure nothing.
 */
import autocannon from 'autocannon';

/** One request of the rotation. */
export interface LoadRequest {
  path: string;
  headers: Record<string, string>;
  body?: string;
}

export interface DriveOptions {
  method: 'GET' | 'POST';
  rotation: readonly LoadRequest[];
  /** Base URLs of the instances under load. */
  targets: readonly string[];
  /** Connections over all targets. */
  connections: number;
  seconds: number;
  warmupSeconds: number;
  /** Answers each instance must give before the window opens. */
  warmupRequests: number;
  warmupMaxSeconds: number;
  /** Called right before the window opens and right after it closes (e.g. to snapshot CPU counters). */
  around: { start(): Promise<void>; end(): Promise<void> };
}

export interface DriveResult {
  /** 2xx answers completed inside the window. */
  answers: number;
  windowSeconds: number;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  /** Over the whole run, warm-up included (the run fails when either is not zero). */
  errors: number;
  non2xx: number;
  /** Seconds and answers of warm-up before the window; `complete` is false when the time limit ended it early. */
  warmup: { seconds: number; answers: number; complete: boolean };
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function percentile(sorted: Float64Array, q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

export async function drive(options: DriveOptions): Promise<DriveResult> {
  const { rotation, targets } = options;
  if (rotation.length === 0 || targets.length === 0) throw new Error('nothing to load');
  let measuring = false;
  const warmupAnswers = targets.map(() => 0);
  const latencies: number[] = [];
  let non2xx = 0;
  let errors = 0;
  let failure: string | undefined;
  const instances: autocannon.Instance[] = [];
  const stopAll = (reason: string): void => {
    failure ??= reason;
    for (const instance of instances) instance.stop();
  };

  const runs = targets.map((url, index) => {
    const connections =
      Math.floor(options.connections / targets.length) + (index < options.connections % targets.length ? 1 : 0);
    let cursor = Math.floor((index * rotation.length) / targets.length);
    return new Promise<autocannon.Result>((resolve, reject) => {
      const instance = autocannon(
        {
          url,
          connections: Math.max(1, connections),
          // Ended by stop() once the window closes; this only bounds a run that never settles.
          duration: options.warmupMaxSeconds + options.seconds + 30,
          requests: [
            {
              method: options.method,
              setupRequest: (request) => {
                const next = rotation[cursor++ % rotation.length] ?? rotation[0];
                return {
                  ...request,
                  path: next?.path,
                  headers: { ...request.headers, ...next?.headers },
                  body: next?.body ?? '',
                };
              },
              onResponse: (status, body) => {
                if (status < 200 || status > 299)
                  stopAll(`${options.method} ${url}: HTTP ${status}: ${body.replace(/\s+/g, ' ').slice(0, 400)}`);
              },
            },
          ],
        },
        (error: unknown, result) =>
          error === null || error === undefined
            ? resolve(result)
            : reject(error instanceof Error ? error : new Error(String(error))),
      );
      instance.on('response', (_client, status, _bytes, responseTime) => {
        if (status < 200 || status > 299) non2xx += 1;
        else if (measuring) latencies.push(responseTime);
        else warmupAnswers[index] = (warmupAnswers[index] ?? 0) + 1;
      });
      instance.on('reqError', (error: unknown) => {
        errors += 1;
        stopAll(`${options.method} ${url}: request error: ${error instanceof Error ? error.message : String(error)}`);
      });
      instances.push(instance);
    });
  });

  const started = performance.now();
  const elapsed = () => (performance.now() - started) / 1000;
  const warmedUp = () => warmupAnswers.every((answers) => answers >= options.warmupRequests);
  while (
    failure === undefined &&
    elapsed() < options.warmupMaxSeconds &&
    (elapsed() < options.warmupSeconds || !warmedUp())
  ) {
    await sleep(50);
  }
  const warmup = {
    seconds: elapsed(),
    answers: warmupAnswers.reduce((sum, answers) => sum + answers, 0),
    complete: warmedUp(),
  };
  let windowStart = 0;
  let windowEnd = 0;
  if (failure === undefined) {
    await options.around.start();
    windowStart = performance.now();
    measuring = true;
    while (failure === undefined && performance.now() - windowStart < options.seconds * 1000) {
      await sleep(Math.min(100, options.seconds * 1000 - (performance.now() - windowStart)));
    }
    measuring = false;
    windowEnd = performance.now();
    await options.around.end();
  }
  for (const instance of instances) instance.stop();
  const results = await Promise.all(runs);
  errors = Math.max(
    errors,
    results.reduce((sum, result) => sum + result.errors, 0),
  );
  non2xx = Math.max(
    non2xx,
    results.reduce((sum, result) => sum + result.non2xx, 0),
  );
  if (failure !== undefined || errors > 0 || non2xx > 0) {
    throw new Error(`${failure ?? 'failed requests'} (${errors} errors, ${non2xx} non-2xx answers in this run)`);
  }
  const sorted = Float64Array.from(latencies).sort();
  const windowSeconds = (windowEnd - windowStart) / 1000;
  return {
    answers: sorted.length,
    windowSeconds,
    requestsPerSecond: sorted.length / windowSeconds,
    p50: percentile(sorted, 0.5),
    p99: percentile(sorted, 0.99),
    errors,
    non2xx,
    warmup,
  };
}
