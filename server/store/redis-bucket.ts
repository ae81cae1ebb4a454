import type { RedisCommands } from './redis-client.js';

/**
 * Drain, add, floor, in one step on Redis' own clock (instances' clocks may differ). The level is a
 * float in a hash; an idle bucket expires after ten minutes (it would have drained to zero anyway).
 */
const UPDATE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local level = tonumber(redis.call('HGET', KEYS[1], 'l') or '0')
local at = tonumber(redis.call('HGET', KEYS[1], 't') or tostring(now))
level = math.max(0, level - math.max(0, now - at) / 1000 * tonumber(ARGV[1]))
level = math.max(level + tonumber(ARGV[2]), tonumber(ARGV[3]))
redis.call('HSET', KEYS[1], 'l', tostring(level), 't', tostring(now))
redis.call('PEXPIRE', KEYS[1], 600000)
return tostring(level)`;

/**
 * A portal's request bucket on Redis, shared by every instance (the rate budget's SharedBucket): drains the
 * level by the time passed, adds `add`, lifts it to at least `floor`, and returns the new level.
 */
export function redisBucket(
  redis: RedisCommands,
  memberId: string,
): { update(drainPerSecond: number, add: number, floor: number): Promise<number> } {
  const key = `keycard:bucket:${memberId}`;
  return {
    async update(drainPerSecond, add, floor) {
      const answer = await redis.sendCommand([
        'EVAL',
        UPDATE,
        '1',
        key,
        String(drainPerSecond),
        String(add),
        String(floor),
      ]);
      return Number(answer);
    },
  };
}
