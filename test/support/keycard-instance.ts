/**
 * One Keycard instance in its own process, started as `npm start` starts it (startServer: openStore's
 * shared Redis locks, event memory and request budgets, the schedules) from the environment the test gives.
 * What differs from main.ts: the UI is a one-line template (no build needed) and the directory sync lease may
 * be shortened. Tells the parent `ready` with its port; SIGTERM stops it as main.ts stops.
 */
import { startServer } from '../../server/start-server.js';
import { CHILD_UI_TEMPLATE, childInput, instanceInputSchema, tellParent } from './keycard-process.js';

const input = childInput(instanceInputSchema);
const keycard = await startServer(input.env, {
  ui: { template: CHILD_UI_TEMPLATE },
  ...(input.syncLeaseMs === undefined ? {} : { directory: { leaseMs: input.syncLeaseMs } }),
});
tellParent('ready', { port: keycard.port });
process.once('SIGTERM', () => void keycard.stop().finally(() => process.exit(0)));
