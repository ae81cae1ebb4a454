import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import type { EmulatedPortal } from './emulated-portal.js';

/** Addresses of the attacker, the insider and the genuine employee (Keycard reads X-Forwarded-For: TRUST_PROXY). */
const ATTACKER = '203.0.113.7';
const INSIDER = '203.0.113.8';
const EMPLOYEE = '198.51.100.5';

export interface FloodOutcome {
  /** How long the genuine employee's open took, with the floods in flight. */
  genuineMs: number;
  genuineStatus: number;
  /** Answers to the forged frame POSTs and the insider's events, by status. */
  forgedStatuses: Record<number, number>;
  eventStatuses: Record<number, number>;
  /** 429 answers without a Retry-After header. */
  missingRetryAfter: number;
  /** From the attacker's first request to its last answer. */
  floodMs: number;
  /** Portal REST requests by method while the floods ran (what the portal's bucket counted). */
  restByMethod: Record<string, number>;
  /** `user.get` requests once every accepted event's refresh was done (refused ones wait and ask again). */
  userFetchesInTheEnd: number;
  /** The employee's open's `profile` call must be among them; forged tokens must never reach the portal. */
  profileCalls: number;
}

const doneSchema = z.object({
  kind: z.literal('done'),
  forgedStatuses: z.array(z.number()),
  eventStatuses: z.array(z.number()),
  missingRetryAfter: z.number(),
  elapsedMs: z.number(),
});

/** The attacker process's two reports: every request sent, and every answer in. */
function attackerMessages(child: ChildProcess) {
  let onFired: () => void = () => undefined;
  let onDone: (done: z.infer<typeof doneSchema>) => void = () => undefined;
  let onFailure: (error: Error) => void = () => undefined;
  const fired = new Promise<void>((resolve, reject) => {
    onFired = resolve;
    onFailure = reject;
  });
  const done = new Promise<z.infer<typeof doneSchema>>((resolve, reject) => {
    onDone = resolve;
    const previous = onFailure;
    onFailure = (error) => {
      previous(error);
      reject(error);
    };
  });
  child.on('message', (message: unknown) => {
    if (typeof message === 'object' && message !== null && 'kind' in message && message.kind === 'fired') onFired();
    else onDone(doneSchema.parse(message));
  });
  child.once('exit', (code) => onFailure(new Error(`the flood process exited with ${String(code)}`)));
  // Awaited after `fired`: an early exit is reported there, not as an unhandled rejection here.
  done.catch(() => undefined);
  return { fired, done };
}

function count(statuses: number[]): Record<number, number> {
  const counts: Record<number, number> = {};
  for (const status of statuses) counts[status] = (counts[status] ?? 0) + 1;
  return counts;
}

/**
 * A forged-frame flood (frame POSTs with made-up tokens naming the portal's `member_id`, which every employee
 * can see) and an insider's event flood (ONUSERADD with the real application token, which every employee can
 * read from the frame, for made-up users), `forged` and `events` requests all in flight at once, while a
 * genuine employee opens Keycard.
 */
export async function floodWhileOpening(
  portal: EmulatedPortal,
  options: { forged: number; events: number; employeeId: number },
): Promise<FloodOutcome> {
  const emulator = portal.stack.emulator.portal;
  const template = await portal.launch(options.employeeId);
  const frameUrl = new URL(template.url);
  for (const [name, value] of Object.entries(template.query)) frameUrl.searchParams.set(name, value);
  const before = { ...emulator.counters.byMethod };
  const attacker = spawn(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(new URL('./flood-attacker.ts', import.meta.url))],
    {
      env: {
        ...process.env,
        KEYCARD_FLOOD_INPUT: JSON.stringify({
          frameUrl: frameUrl.href,
          frameBody: template.body,
          eventsUrl: `${portal.stack.appUrl}/events`,
          memberId: emulator.memberId,
          domain: emulator.host,
          applicationToken: emulator.installation.applicationToken ?? '',
          forged: options.forged,
          events: options.events,
          attacker: ATTACKER,
          insider: INSIDER,
        }),
      },
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    },
  );
  const messages = attackerMessages(attacker);
  await messages.fired;
  // The employee opens while the floods are in flight.
  const launch = await portal.launch(options.employeeId);
  const started = performance.now();
  const genuine = await portal.post(launch, { 'x-forwarded-for': EMPLOYEE });
  const genuineMs = performance.now() - started;
  const { forgedStatuses, eventStatuses, missingRetryAfter, elapsedMs } = await messages.done;
  const restByMethod: Record<string, number> = {};
  for (const [method, calls] of Object.entries(emulator.counters.byMethod)) {
    const added = calls - (before[method] ?? 0);
    if (added > 0) restByMethod[method] = added;
  }
  // The refreshes the busy budget refused sleep and ask again at the portal's pace (2/s here): wait for all.
  await portal.settle();
  const userFetchesInTheEnd = (emulator.counters.byMethod['user.get'] ?? 0) - (before['user.get'] ?? 0);
  return {
    genuineMs,
    genuineStatus: genuine.status,
    forgedStatuses: count(forgedStatuses),
    eventStatuses: count(eventStatuses),
    missingRetryAfter,
    floodMs: elapsedMs,
    restByMethod,
    userFetchesInTheEnd,
    profileCalls: restByMethod['profile'] ?? 0,
  };
}
