/**
 * A Keycard instance in its own process, started as `npm start` starts it (startServer on a redis:// STORE_URL),
 * that runs one directory sync of a portal when the parent says `go`, and counts the Redis commands the sync
 * sends. Without `stopAt` it finishes and reports how many there were and where the flip began (the first
 * command after the last checkpoint). With `stopAt`, it freezes as command number `stopAt` is about to be sent
 * — nothing more reaches Redis — and tells the parent, which kills it with SIGKILL there.
 */
import { subscribe } from 'node:diagnostics_channel';
import { z } from 'zod';
import { startServer } from '../../server/start-server.js';
import { CHILD_UI_TEMPLATE, childInput, parentSays, syncVictimInputSchema, tellParent } from './keycard-process.js';

const input = childInput(syncVictimInputSchema);

let commands = 0;
let lastCheckpoint = 0;
const keycard = await startServer(input.env, {
  ui: { template: CHILD_UI_TEMPLATE },
  directory: {
    leaseMs: input.syncLeaseMs,
    // No reconcile of its own while it waits for `go`: the sync it counts is the only one.
    scheduleInitialDelayMs: 3_600_000,
    hooks: {
      afterBatch: () => {
        lastCheckpoint = commands;
      },
    },
  },
});
// Start-up work (the installation index) is not part of the sync.
await keycard.app.services.background.idle();
tellParent('ready', { port: keycard.port });
// Started ahead of its round: the sync begins when the test says so.
await parentSays('go');

/**
 * node-redis announces every command as it is sent on one channel, and a MULTI transaction (what a Keyv
 * `deleteMany` sends) as one batch on another: each is one point where the process may die.
 */
const sent = z.union([
  z.object({ command: z.string(), args: z.array(z.string()) }),
  z.object({ batchMode: z.string(), batchSize: z.number() }),
]);
const onSend = (message: unknown) => {
  const what = sent.parse(message);
  // The client's health probes come at their own pace, not the sync's.
  if ('command' in what && what.command === 'PING') return;
  commands += 1;
  if (commands !== input.stopAt) return;
  // EVAL's first argument is the script: name its key instead.
  const key = 'command' in what ? (what.command === 'EVAL' ? what.args[3] : what.args[1]) : undefined;
  const command = 'command' in what ? `${what.command} ${key ?? ''}` : `MULTI of ${what.batchSize} commands`;
  tellParent('stopped', { at: commands, command });
  // Freeze this thread for good: no callback runs and no byte more is written before the kill.
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0);
};
subscribe('tracing:node-redis:command:start', onSend);
subscribe('tracing:node-redis:batch:start', onSend);

const report = await keycard.app.services.directory.runSync(input.memberId, 'admin');
tellParent('synced', { commands, flipFrom: lastCheckpoint + 1, generation: report.generation });
await keycard.close();
process.exit(0);
