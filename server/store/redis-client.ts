import { createClient } from '@keyv/redis';

/** How long one connection attempt may take. */
const CONNECT_TIMEOUT_MS = 2000;
/** How often the connection is probed while it is up. */
const PROBE_EVERY_MS = 250;
/**
 * How long a probe may go unanswered before the connection counts as stalled. With the probe interval this is
 * every command's deadline: one sent just after a probe was answered fails at most 1.25 s later.
 */
const STALL_MS = 1000;

export type RedisClient = ReturnType<typeof createClient>;

/** The one Redis call locks, event memory and request buckets need (node-redis's `sendCommand`). */
export interface RedisCommands {
  sendCommand(args: string[]): Promise<unknown>;
}

/**
 * A node-redis client as Keycard uses Redis: no command waits more than about STALL_MS + PROBE_EVERY_MS for
 * its answer, so a stalled Redis (paused, swapping, failing over) fails requests with a 503 in time, and while
 * Redis is down or reconnecting commands fail at once instead of queueing. Service resumes without a restart.
 * Callers must listen to `error` (one per failed reconnect, and one when a stalled connection is dropped).
 *
 * node-redis's own command timeout cannot do this: it covers a command only until it is written to the socket,
 * and a stalled Redis accepts the bytes (its kernel does) and never answers. So this client probes its
 * connection with PING, four times a second; a probe unanswered for STALL_MS means nothing on the connection
 * is being answered (answers come in order), and the connection is dropped, which fails every command in flight
 * at once, and opened again. An answer that takes longer than that to arrive counts as a stall too: megabytes
 * over a slow link (Keycard's largest read, a big portal's whole directory, is a few MB).
 *
 * A command that failed this way may still run. What had reached Redis' socket buffer runs as soon as Redis
 * runs again (its first answer then meets our closed socket, which resets the connection, and whatever was
 * still on its way is dropped). So a write that answered 503 may have landed: the documents layer treats a
 * failed write as unknown, never as "not written", and a caller that retries writes the same document again.
 * For the shared locks (redis-locks.ts) it means:
 * - an acquire (SET NX PX) that failed here may still take the lease, which then has no holder: the lock is
 *   blocked until the lease runs out (15 s) and the next caller waits for it — a delay, never two holders;
 * - a renewal may still extend the lease, but only a lease still holding this holder's token (compared first);
 * - a release that failed leaves the lease to run out on its own; a late one deletes only this holder's lease;
 * - a holder cut off longer than its lease may lose it while its work goes on. Its own store calls fail
 *   meanwhile, so the work usually stops with a 503; beyond that the sync (its lease in the meta document) and
 *   the token vault (writes only onto an installation still installed) check before they write, and policy
 *   saves rely on the lease alone.
 */
export function createRedisClient(url: string): RedisClient {
  const client: RedisClient = createClient({
    url,
    disableOfflineQueue: true,
    socket: {
      connectTimeout: CONNECT_TIMEOUT_MS,
      reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 2000),
    },
  });
  let probing = false;
  // One probe loop per connection that comes up; it ends when the connection goes down or is dropped.
  client.on('ready', () => {
    if (probing) return;
    probing = true;
    void probeUntilDown(client).finally(() => (probing = false));
  });
  return client;
}

async function probeUntilDown(client: RedisClient): Promise<void> {
  while (client.isOpen) {
    await pause(PROBE_EVERY_MS);
    // Reconnecting: commands fail at once meanwhile, and the next 'ready' starts probing again.
    if (!client.isReady) return;
    // A failed PING is no stall: the connection broke, and node-redis reconnects by itself.
    const answered = client.sendCommand(['PING']).then(
      () => true,
      () => true,
    );
    let timer: NodeJS.Timeout | undefined;
    // When the time is up, the event loop first reads what has arrived (setImmediate runs after that): a Keycard
    // process that was itself busy for a second must not take its own delay for Redis'.
    const late = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => setImmediate(() => resolve(false)), STALL_MS).unref();
    });
    const stalled = !(await Promise.race([answered, late]));
    clearTimeout(timer);
    if (stalled && client.isOpen && client.isReady) {
      client.emit('error', new Error(`Redis did not answer for ${STALL_MS} ms: reconnecting`));
      // destroy() fails every command in flight; connect() opens the same client again at once, before anyone
      // can find it closed (Keyv's Redis store would then try to connect it itself).
      client.destroy();
      client.connect().catch((error: unknown) => client.emit('error', error));
      return;
    }
  }
}

function pause(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

export { CONNECT_TIMEOUT_MS as REDIS_CONNECT_TIMEOUT_MS };
