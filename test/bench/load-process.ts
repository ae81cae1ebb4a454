/**
 * Helper processes of the load benchmark, both sides. Like the HTTP benchmark's servers (http-child.ts),
 * each runs as `node --import tsx <file>` with its input as JSON in an environment variable, so the load
 * generator never shares an event loop with what it measures. Unlike them, they talk over an IPC channel:
 * the ready message, then cumulative stats on request (CPU time, request budgets, emulator counters), which
 * the bench turns into per-window figures. A helper exits on SIGTERM and when the bench process goes away.
 */
import { spawn } from 'node:child_process';
import type { z } from 'zod';
import { helperMessageSchema, parentMessageSchema, type HelperStats } from './load-protocol.js';

const INPUT_VARIABLE = 'KEYCARD_LOAD_INPUT';

/** A running helper process, seen from the bench. */
export interface Helper<Ready> {
  ready: Ready;
  pid: number | undefined;
  stats(): Promise<HelperStats>;
  stop(): Promise<void>;
}

/** Starts `file` as a helper and resolves once it reports ready (rejects if it exits first). */
export function startHelper<Ready>(
  file: string,
  input: unknown,
  readySchema: z.ZodType<Ready>,
  nodeFlags: readonly string[] = [],
): Promise<Helper<Ready>> {
  const child = spawn(process.execPath, [...nodeFlags, '--import', 'tsx', file], {
    env: { ...process.env, [INPUT_VARIABLE]: JSON.stringify(input) },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const waiting = new Map<number, { resolve: (stats: HelperStats) => void; reject: (error: Error) => void }>();
  let nextId = 1;
  void exited.then((code) => {
    for (const { reject } of waiting.values()) reject(new Error(`${file} exited with ${String(code)}`));
    waiting.clear();
  });
  return new Promise((resolve, reject) => {
    child.on('message', (raw: unknown) => {
      let message;
      try {
        message = helperMessageSchema.parse(raw);
        if (message.kind === 'stats') {
          waiting.get(message.id)?.resolve(message.stats);
          waiting.delete(message.id);
          return;
        }
        const ready = readySchema.parse(message.ready);
        resolve({
          ready,
          pid: child.pid,
          stats: () =>
            new Promise<HelperStats>((answer, fail) => {
              const id = nextId++;
              waiting.set(id, { resolve: answer, reject: fail });
              child.send({ kind: 'stats', id });
            }),
          stop: async () => {
            if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
            await exited;
          },
        });
      } catch (error: unknown) {
        child.kill('SIGTERM');
        reject(error instanceof Error ? error : new Error(String(error)));
      }
    });
    child.once('error', reject);
    void exited.then((code) => reject(new Error(`${file} exited with ${String(code)} before it was ready`)));
  });
}

/** The helper's side: its input, parsed. */
export function helperInput<Input>(schema: z.ZodType<Input>): Input {
  return schema.parse(JSON.parse(process.env[INPUT_VARIABLE] ?? '{}'));
}

/** The helper's side: reports ready, answers stats requests, and runs `stop` before exiting. */
export function serveBench(ready: unknown, stats: () => HelperStats, stop: () => Promise<void>): void {
  const send = process.send?.bind(process);
  if (send === undefined) throw new Error('a load helper must be started with an IPC channel (load-process.ts)');
  send({ kind: 'ready', ready });
  process.on('message', (raw: unknown) => {
    const message = parentMessageSchema.parse(raw);
    send({ kind: 'stats', id: message.id, stats: stats() });
  });
  let stopping = false;
  const shutdown = (): void => {
    if (stopping) return;
    stopping = true;
    void stop().finally(() => process.exit(0));
  };
  process.once('SIGTERM', shutdown);
  // The bench died or was interrupted: do not linger on its ports.
  process.once('disconnect', shutdown);
}

/** User plus system CPU time of this process. */
export function cpuMicros(): number {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
}
