import { PortalBusyError, type Sleep } from './rate-budget.js';

/** How long work nobody waits on keeps asking a busy portal's budget before it gives up (see waitOutBusy). */
export const BUSY_PATIENCE_MS = 5 * 60_000;

/**
 * Runs `work`, and while the budget refuses it as busy (PortalBusyError), sleeps the time the refusal names and
 * runs it again, until the sleeps add up to `patienceMs`. For work nobody waits on that must not be lost: Bitrix24
 * does not redeliver events. Nothing is held while it sleeps. The sleeps are counted, not read off a clock, so it
 * ends whatever the clock does.
 */
export async function waitOutBusy<T>(
  work: () => Promise<T>,
  options: { sleep: Sleep; patienceMs?: number },
): Promise<T> {
  const patienceMs = options.patienceMs ?? BUSY_PATIENCE_MS;
  for (let sleptMs = 0; ;) {
    try {
      return await work();
    } catch (error) {
      const waitMs = error instanceof PortalBusyError ? (error.retryAfterSeconds ?? 1) * 1000 : undefined;
      if (waitMs === undefined || sleptMs + waitMs > patienceMs) throw error;
      await options.sleep(waitMs);
      sleptMs += waitMs;
    }
  }
}
