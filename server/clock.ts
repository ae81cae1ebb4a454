/** Time source, injected so tests control expiry without patching globals. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** Unix seconds of a clock. */
export function unixSeconds(clock: Clock): number {
  return Math.floor(clock.now() / 1000);
}
