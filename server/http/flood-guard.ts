import type { Request, RequestHandler } from 'express';
import type { Clock } from '../clock.js';
import { TooManyRequestsError } from '../errors.js';

/** A token bucket's shape: `ratePerSecond` sustained, `burst` at once. */
export interface BucketLimits {
  ratePerSecond: number;
  burst: number;
}

/** Limits of the unauthenticated entry points, per source address and per portal (`member_id`). */
export interface FloodLimits {
  /** The installer and the app frame (`POST /install`, `POST /app`): people, a few at a time. */
  frames: { source: BucketLimits; portal: BucketLimits };
  /** `POST /events`: Bitrix24's event queue sends every portal's events from a few addresses. */
  events: { source: BucketLimits; portal: BucketLimits };
}

/**
 * Generous for people and for Bitrix24's event queue (a company opening the app at nine o'clock, a portal
 * importing users), far below what a flood sends. Counted per instance.
 */
export const DEFAULT_FLOOD_LIMITS: FloodLimits = {
  frames: { source: { ratePerSecond: 10, burst: 50 }, portal: { ratePerSecond: 20, burst: 200 } },
  events: { source: { ratePerSecond: 100, burst: 1000 }, portal: { ratePerSecond: 10, burst: 100 } },
};

/** Keys a limiter remembers at most: the least recently seen are forgotten first (a forgotten key starts full). */
const MAX_KEYS = 10_000;

/** Token buckets by key, in memory, bounded in size. */
export class KeyedBuckets {
  readonly #limits: BucketLimits;
  readonly #clock: Clock;
  /** key → tokens left and when they were counted; Map order is least recently seen first. */
  readonly #buckets = new Map<string, { tokens: number; at: number }>();

  constructor(limits: BucketLimits, clock: Clock) {
    this.#limits = limits;
    this.#clock = clock;
  }

  /** Takes one token for `key`: 0 when there was one, else the milliseconds until there is. */
  take(key: string): number {
    const now = this.#clock.now();
    const { ratePerSecond, burst } = this.#limits;
    const seen = this.#buckets.get(key);
    const tokens = Math.min(burst, (seen?.tokens ?? burst) + ((now - (seen?.at ?? now)) / 1000) * ratePerSecond);
    this.#buckets.delete(key);
    if (this.#buckets.size >= MAX_KEYS) {
      const oldest = this.#buckets.keys().next().value;
      if (oldest !== undefined) this.#buckets.delete(oldest);
    }
    if (tokens < 1) {
      this.#buckets.set(key, { tokens, at: now });
      return ((1 - tokens) / ratePerSecond) * 1000;
    }
    this.#buckets.set(key, { tokens: tokens - 1, at: now });
    return 0;
  }

  get size(): number {
    return this.#buckets.size;
  }
}

/** The limiters of one entry point. */
export interface FloodGuardBuckets {
  source: KeyedBuckets;
  portal: KeyedBuckets;
}

export function floodGuardBuckets(limits: FloodLimits, clock: Clock): Record<keyof FloodLimits, FloodGuardBuckets> {
  return {
    frames: {
      source: new KeyedBuckets(limits.frames.source, clock),
      portal: new KeyedBuckets(limits.frames.portal, clock),
    },
    events: {
      source: new KeyedBuckets(limits.events.source, clock),
      portal: new KeyedBuckets(limits.events.portal, clock),
    },
  };
}

/** The portal a frame or event request names (unverified: only a key for counting). */
function claimedPortal(req: Request): string | undefined {
  const body: unknown = req.body;
  if (typeof body !== 'object' || body === null) return undefined;
  const direct = 'member_id' in body ? body.member_id : undefined;
  const auth = 'auth' in body ? body.auth : undefined;
  const nested = typeof auth === 'object' && auth !== null && 'member_id' in auth ? auth.member_id : undefined;
  const memberId = direct ?? nested;
  return typeof memberId === 'string' ? memberId.slice(0, 64) : undefined;
}

/**
 * Refuses unauthenticated requests past their source's or their portal's share with 429 and `Retry-After`,
 * before any work: a flood then costs a map lookup, not an OAuth-server round trip. The source is `req.ip`
 * (behind a proxy, set TRUST_PROXY so it is the client's address and not the proxy's).
 */
export function floodGuard(buckets: FloodGuardBuckets): RequestHandler {
  return (req, _res, next) => {
    // A request its source may not send does not count against its portal: one noisy address cannot use up the
    // share of a portal's own people.
    const sourceWait = buckets.source.take(req.ip ?? 'unknown');
    const portal = claimedPortal(req);
    const waitMs = sourceWait > 0 || portal === undefined ? sourceWait : buckets.portal.take(portal);
    if (waitMs === 0) {
      next();
      return;
    }
    next(
      new TooManyRequestsError('RATE_LIMITED', 'Too many requests. Try again in a few seconds.', {
        retryAfterSeconds: waitMs / 1000,
      }),
    );
  };
}
