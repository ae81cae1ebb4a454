import type { Keyv } from 'keyv';
import { BackgroundTasks } from '../../server/background.js';
import { systemClock, type Clock } from '../../server/clock.js';
import { createLogger, type Logger } from '../../server/logger.js';
import type { RateBudget } from '../../server/bitrix/rate-budget.js';
import type { BitrixClient } from '../../server/bitrix/sdk-client.js';
import { DirectoryService, type DirectoryOptions } from '../../server/directory/directory-service.js';
import { Documents } from '../../server/store/documents.js';
import type { Locks } from '../../server/store/locks.js';

/**
 * A DirectoryService for one portal without Express, the vault or the portal repository: what a benchmark
 * needs to measure the sync alone. `client` should be built with the same budget as `budget` (e.g.
 * `createSdkClientFactory({ …, budgets })`), so every request waits for it.
 */
export function createStandaloneDirectory(options: {
  client: BitrixClient;
  store: Keyv;
  memberId?: string;
  /** Granted scopes (default `user_brief,department`): they decide e-mail and workgroups. */
  scopes?: readonly string[];
  clock?: Clock;
  logger?: Logger;
  budget?: RateBudget;
  locks?: Locks;
  options?: Partial<DirectoryOptions>;
}): { directory: DirectoryService; memberId: string } {
  const memberId = options.memberId ?? 'standalone';
  const logger = options.logger ?? createLogger({ level: 'silent' });
  const scopes = options.scopes ?? ['user_brief', 'department'];
  const directory = new DirectoryService({
    documents: new Documents({ keyv: options.store }),
    clock: options.clock ?? systemClock,
    logger,
    background: new BackgroundTasks({ logger }),
    clientFor: (id) =>
      id === memberId ? Promise.resolve(options.client) : Promise.reject(new Error(`unknown portal ${id}`)),
    portalInfo: (id) => Promise.resolve(id === memberId ? { scopes, installed: true } : undefined),
    listPortals: () => Promise.resolve([memberId]),
    budgetFor: () => options.budget,
    ...(options.locks === undefined ? {} : { locks: options.locks }),
    ...(options.options === undefined ? {} : { options: options.options }),
  });
  return { directory, memberId };
}
