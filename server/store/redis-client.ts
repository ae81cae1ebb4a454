import { createClient } from '@keyv/redis';

/** How long one connection attempt may take. */
const CONNECT_TIMEOUT_MS = 2000;
/** How long one command may wait for its answer: a stalled Redis (paused, failing over) fails requests fast too. */
const COMMAND_TIMEOUT_MS = 1500;

export type RedisClient = ReturnType<typeof createClient>;

/** The one Redis call locks, event memory and request buckets need (node-redis's `sendCommand`). */
export interface RedisCommands {
  sendCommand(args: string[]): Promise<unknown>;
}

/**
 * A node-redis client as Keycard uses Redis. While Redis is down, commands fail at once instead of
 * queueing: requests answer 503 and no decision waits on a write that may land later. The client keeps
 * reconnecting in the background, so service resumes without a restart. Callers must listen to `error`
 * (node-redis emits one per failed reconnect).
 */
export function createRedisClient(url: string): RedisClient {
  return createClient({
    url,
    disableOfflineQueue: true,
    commandOptions: { timeout: COMMAND_TIMEOUT_MS },
    socket: {
      connectTimeout: CONNECT_TIMEOUT_MS,
      reconnectStrategy: (retries: number) => Math.min(100 * 2 ** retries, 2000),
    },
  });
}

export { CONNECT_TIMEOUT_MS as REDIS_CONNECT_TIMEOUT_MS };
