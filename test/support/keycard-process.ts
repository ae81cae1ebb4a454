/**
 * Keycard instances as OS processes, both sides. The parent starts `node --import tsx <entry>` with the
 * entry's input as JSON in KEYCARD_CHILD_INPUT; the child answers on file descriptor 3, one JSON message a
 * line, written synchronously (a child about to be killed has said where it stopped before the signal comes).
 * The child's own log goes to the parent's stdout and stderr.
 */
import { spawn } from 'node:child_process';
import { writeSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { z } from 'zod';

const INPUT_VARIABLE = 'KEYCARD_CHILD_INPUT';
const PROTOCOL_FD = 3;

/** As test/support/harness.ts's UI_TEMPLATE (not imported: that module loads nock, which patches http). */
export const CHILD_UI_TEMPLATE =
  '<!doctype html><html lang="en"><head></head><body><div id="app"></div><!--keycard-bootstrap--></body></html>';

/** What test/support/keycard-instance.ts takes. */
export const instanceInputSchema = z.object({
  /** The environment Keycard reads (STORE_URL=redis://… for several instances). */
  env: z.record(z.string(), z.string()),
  /** The directory sync's lease (default: the product's 15 minutes). */
  syncLeaseMs: z.number().optional(),
});
export type InstanceInput = z.infer<typeof instanceInputSchema>;

/** A Keycard instance (test/support/keycard-instance.ts) in its own process. */
export function startKeycardInstance(input: InstanceInput): Promise<KeycardProcess> {
  return startKeycardProcess('test/support/keycard-instance.ts', input);
}

/** What test/support/sync-victim.ts takes. */
export const syncVictimInputSchema = instanceInputSchema.extend({
  syncLeaseMs: z.number(),
  /** The portal to sync. */
  memberId: z.string(),
  /** The Redis command (counted from 1 at the start of the sync) before which the child freezes. */
  stopAt: z.number().optional(),
});
export type SyncVictimInput = z.infer<typeof syncVictimInputSchema>;

/** An instance that runs one sync (test/support/sync-victim.ts), in its own process. */
export function startSyncVictim(input: SyncVictimInput): Promise<KeycardProcess> {
  return startKeycardProcess('test/support/sync-victim.ts', input);
}

const messageSchema = z.object({ kind: z.string() }).catchall(z.unknown());
export type ChildMessage = z.infer<typeof messageSchema>;

/** A Keycard child process, seen from the test. */
export interface KeycardProcess {
  /** `http://127.0.0.1:<port>`, from the child's `ready` message. */
  url: string;
  /** The next message of `kind` (messages are kept until asked for); rejects if the child exits first. */
  message(kind: string): Promise<ChildMessage>;
  /** Sends the child a message of `kind` (on its stdin). */
  tell(kind: string): void;
  /** Resolves with the exit signal or code once the child is gone. */
  exited: Promise<NodeJS.Signals | number | null>;
  /** Sends `signal` and waits for the exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** SIGTERM (the child stops as main.ts does), SIGKILL if it is still there after 5 s. */
  stop(): Promise<void>;
}

/** Starts `entry` with `input`; resolves once it reports `ready` (rejects if it exits first). */
export async function startKeycardProcess(entry: string, input: unknown): Promise<KeycardProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', entry], {
    env: { ...process.env, [INPUT_VARIABLE]: JSON.stringify(input) },
    stdio: ['pipe', 'inherit', 'inherit', 'pipe'],
  });
  const exited = new Promise<NodeJS.Signals | number | null>((resolve) =>
    child.once('exit', (code, signal) => resolve(signal ?? code)),
  );
  const inbox: ChildMessage[] = [];
  const waiting: { kind: string; resolve: (message: ChildMessage) => void }[] = [];
  const channel = child.stdio[PROTOCOL_FD];
  if (!(channel instanceof Readable)) throw new Error('no protocol pipe');
  createInterface({ input: channel }).on('line', (line) => {
    const message = messageSchema.parse(JSON.parse(line));
    const index = waiting.findIndex((waiter) => waiter.kind === message.kind);
    if (index === -1) inbox.push(message);
    else waiting.splice(index, 1)[0]?.resolve(message);
  });
  const message = (kind: string): Promise<ChildMessage> => {
    const kept = inbox.find((candidate) => candidate.kind === kind);
    if (kept !== undefined) {
      inbox.splice(inbox.indexOf(kept), 1);
      return Promise.resolve(kept);
    }
    return Promise.race([
      new Promise<ChildMessage>((resolve) => waiting.push({ kind, resolve })),
      exited.then((how) => Promise.reject(new Error(`${entry} exited (${String(how)}) before sending ${kind}`))),
    ]);
  };
  const kill = async (signal: NodeJS.Signals = 'SIGKILL') => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  const ready = await message('ready');
  return {
    url: `http://127.0.0.1:${z.number().parse(ready['port'])}`,
    message,
    tell(kind) {
      child.stdin?.write(`${JSON.stringify({ kind })}\n`);
    },
    exited,
    kill,
    async stop() {
      const forced = setTimeout(() => child.kill('SIGKILL'), 5000);
      await kill('SIGTERM');
      clearTimeout(forced);
    },
  };
}

/** The child's side: its input, parsed. */
export function childInput<Input>(schema: z.ZodType<Input>): Input {
  return schema.parse(JSON.parse(process.env[INPUT_VARIABLE] ?? '{}'));
}

/** The child's side: resolves when the parent tells it `kind`. */
export function parentSays(kind: string): Promise<void> {
  return new Promise((resolve) => {
    const lines = createInterface({ input: process.stdin });
    lines.on('line', (line) => {
      if (messageSchema.parse(JSON.parse(line)).kind !== kind) return;
      lines.close();
      resolve();
    });
  });
}

/** The child's side: one message to the parent, written before this call returns. */
export function tellParent(kind: string, fields: Record<string, unknown> = {}): void {
  writeSync(PROTOCOL_FD, `${JSON.stringify({ kind, ...fields })}\n`);
}
