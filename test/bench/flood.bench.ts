/**
 * Floods (issue 12): 1,000 forged frame POSTs and 1,000 insider ONUSERADD events in flight while an employee
 * opens Keycard, against the emulated portal counting requests like Bitrix24 (2/s, burst 50). Goal: the
 * employee's open completes in ≤ 2 s. Printed with what the floods got and what reached the portal.
 */
import { emulatedPortal } from '../support/emulated-portal.js';
import { floodWhileOpening } from '../support/floods.js';
import { printTable } from './measure.js';

const GOAL_MS = 2000;

export async function run(): Promise<void> {
  const portal = await emulatedPortal({ rateLimit: { drainPerSecond: 2, burst: 50 } }, { TRUST_PROXY: 'true' });
  try {
    await portal.install();
    const employee = portal.stack.emulator.portal.directory.users.find(
      (user) => user.active && !user.admin && user.departments.length > 0,
    );
    if (employee === undefined) throw new Error('no employee in the seeded company');
    const rows = [];
    for (const [forged, events] of [
      [0, 0],
      [1000, 0],
      [0, 1000],
      [1000, 1000],
    ] as const) {
      const outcome = await floodWhileOpening(portal, { forged, events, employeeId: employee.id });
      rows.push({
        'forged frames': forged,
        'insider events': events,
        'open ms': Math.round(outcome.genuineMs),
        goal: `≤ ${GOAL_MS}`,
        met: outcome.genuineStatus === 200 && outcome.genuineMs <= GOAL_MS ? 'yes' : 'NO',
        'forged 429/401': `${outcome.forgedStatuses[429] ?? 0}/${outcome.forgedStatuses[401] ?? 0}`,
        'events 429/200': `${outcome.eventStatuses[429] ?? 0}/${outcome.eventStatuses[200] ?? 0}`,
        'portal REST': Object.values(outcome.restByMethod).reduce((sum, calls) => sum + calls, 0),
        'portal 503s': portal.stack.emulator.portal.counters.rateLimited,
      });
      // Each round starts with fresh per-source and per-portal allowances and a drained bucket.
      await new Promise((resolve) => setTimeout(resolve, 25_000));
    }
    printTable(rows);
  } finally {
    await portal.close();
  }
}
