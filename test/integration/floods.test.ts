import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_FLOOD_LIMITS, type BucketLimits } from '../../server/http/flood-guard.js';
import { emulatedPortal, type EmulatedPortal } from '../support/emulated-portal.js';
import { floodWhileOpening, type FloodOutcome } from '../support/floods.js';

/*
 * An unauthenticated flood must not stall a portal (issue 12): nothing unverified spends the portal's request
 * budget, floods are refused per source and per portal before any work, and the budget's queue is bounded.
 * The portal here counts requests like Bitrix24 (2/s, burst 50). The time the genuine open takes is a
 * benchmark figure (`npm run bench:flood`); this test checks what happened.
 */

let portal: EmulatedPortal;
let outcome: FloodOutcome;

beforeAll(async () => {
  portal = await emulatedPortal({ rateLimit: { drainPerSecond: 2, burst: 50 } }, { TRUST_PROXY: 'true' });
  await portal.install();
  const employee = portal.stack.emulator.portal.directory.users.find(
    (user) => user.active && !user.admin && user.departments.length > 0,
  );
  if (employee === undefined) throw new Error('no employee in the seeded company');
  outcome = await floodWhileOpening(portal, { forged: 1000, events: 1000, employeeId: employee.id });
  // About 100 events get in; those past the background share wait for the 2/s portal: up to a minute.
}, 150_000);

afterAll(async () => {
  await portal.close();
});

describe('floods while an employee opens Keycard', () => {
  it('the employee gets in', () => {
    expect(outcome.genuineStatus).toBe(200);
  });

  /** What a source's allowance lets through in `ms`: its burst, then its rate (a little slack for timer edges). */
  const allowance = (limits: BucketLimits, ms: number) => limits.burst + (limits.ratePerSecond * ms) / 1000 + 2;

  it('no forged frame POST is accepted; past the source’s allowance they are refused at the door with Retry-After', () => {
    expect(outcome.forgedStatuses[200]).toBeUndefined();
    expect(Object.keys(outcome.forgedStatuses).map(Number).sort()).toEqual([401, 429]);
    expect(outcome.forgedStatuses[401]).toBeLessThanOrEqual(
      allowance(DEFAULT_FLOOD_LIMITS.frames.source, outcome.floodMs),
    );
    expect(outcome.missingRetryAfter).toBe(0);
  });

  it('forged tokens never reach the portal: its only profile call is the employee’s', () => {
    expect(outcome.profileCalls).toBe(1);
  });

  it('the insider’s events are capped per portal; while they run, their user fetches leave people a fifth of the bucket', () => {
    expect(outcome.eventStatuses[200]).toBeLessThanOrEqual(
      allowance(DEFAULT_FLOOD_LIMITS.events.portal, outcome.floodMs),
    );
    expect(outcome.restByMethod['user.get'] ?? 0).toBeLessThanOrEqual(50);
  });

  it('no accepted event is lost: each fetches its user once, the refused ones after waiting', () => {
    const accepted = outcome.eventStatuses[200] ?? 0;
    // Plus at most the employee's own refresh after opening.
    expect(outcome.userFetchesInTheEnd).toBeGreaterThanOrEqual(accepted);
    expect(outcome.userFetchesInTheEnd).toBeLessThanOrEqual(accepted + 1);
  });

  it('the portal never refused a request for being over its limit', () => {
    expect(portal.stack.emulator.portal.counters.rateLimited).toBe(0);
  });
});
