import type { EventDeps } from './lifecycle-events.js';
import { checkPendingUninstall } from './uninstall.js';

/** How often pending uninstalls are looked at (each is checked when its own back-off says so). */
const EVERY_MS = 60_000;

/**
 * Checks pending uninstalls (see uninstall.ts) when they are due, from the installation index, on one
 * instance at a time: a pass takes a lease in the shared event memory, so instances on one Redis do not
 * check the same portal twice.
 */
export class UninstallChecks {
  readonly #deps: EventDeps;
  #timer: NodeJS.Timeout | undefined;

  constructor(deps: EventDeps) {
    this.#deps = deps;
  }

  start(intervalMs = EVERY_MS): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(
      () => this.#deps.background.run('uninstall checks', () => this.runDue(intervalMs)),
      intervalMs,
    );
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /**
   * Checks every pending uninstall that is due; resolves to how many were checked (0 when another instance runs the
   * pass).
   */
  async runDue(leaseMs = EVERY_MS): Promise<number> {
    const { installations, onceKeys, clock, logger } = this.#deps;
    const pass = Math.floor(clock.now() / leaseMs);
    if (!(await onceKeys.first(`uninstall-checks:${pass}`, leaseMs))) return 0;
    const now = clock.now();
    let checked = 0;
    for (const [memberId, entry] of Object.entries(await installations.index())) {
      if (entry.uninstallCheckAt === undefined || entry.uninstallCheckAt > now) continue;
      try {
        const installation = await installations.get(memberId);
        if (installation?.uninstall === undefined || installation.uninstall.nextCheckAt > now) continue;
        await checkPendingUninstall(this.#deps, installation);
        checked++;
      } catch (error: unknown) {
        logger.warn({ memberId, err: error }, 'could not check a pending uninstall; it stays pending');
      }
    }
    return checked;
  }
}
