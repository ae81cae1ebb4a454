/**
 * Time source of the emulator. Token expiry, auth-code life, the leaky bucket and the operating-time
 * window all read it, so a test (or a benchmark running "faster than real time" for every contender
 * alike) moves them together.
 */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

/** A clock that only moves when told to. */
export interface ManualClock extends Clock {
  advance(ms: number): void;
  set(ms: number): void;
}

export function createManualClock(startMs: number = Date.UTC(2026, 0, 15, 9, 0, 0)): ManualClock {
  let current = startMs;
  return {
    now: () => current,
    advance: (ms) => {
      current += ms;
    },
    set: (ms) => {
      current = ms;
    },
  };
}

/** Unix seconds (whole) of a clock reading. */
export function unixSeconds(ms: number): number {
  return Math.floor(ms / 1000);
}

/** ISO-8601 with an explicit offset, as Bitrix24 prints dates (`2024-07-15T00:00:00+00:00`). */
export function isoDate(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, '+00:00');
}
