import type { OnceKeys } from '../store/once-keys.js';
import type { BackgroundTasks } from '../background.js';
import type { Clock } from '../clock.js';
import type { Logger } from '../logger.js';
import { realSleep, type RateBudget, type Sleep } from '../bitrix/rate-budget.js';
import type { BitrixClient } from '../bitrix/sdk-client.js';
import type { Documents } from '../store/documents.js';
import type { Locks } from '../store/locks.js';
import type { SyncHooks } from './sync-run.js';

/** Tunables of the directory mirror; every one has a default. */
export interface DirectoryOptions {
  /** How long a build's lease lasts without a checkpoint (default 15 min: longer than the longest 429 wait). */
  leaseMs: number;
  /** A build whose last checkpoint is older than this starts over instead of resuming (default 1 h). */
  checkpointMaxAgeMs: number;
  /** Interval of the scheduled reconcile of every active portal (default 1 h). */
  scheduleIntervalMs: number;
  /** Delay of the first reconcile after startSchedule (default 30 s), which also resumes crashed builds. */
  scheduleInitialDelayMs: number;
  /**
   * The reconcile visits a portal while the app is in use: opened (or installed) within this window (default 14
   * days). Bitrix24 asks apps not to renew tokens on a timer; an idle portal is synced again when next opened.
   */
  scheduleInUseMs: number;
  /** Retries of one failed request before the sync fails (default 2). */
  maxBatchRetries: number;
  /** Base delay between those retries (default 1 s, times the attempt). */
  retryDelayMs: number;
  /** Portals whose snapshot stays in memory (default 32). */
  maxCachedPortals: number;
  /** How long uninstall waits for a running sync to stop before deleting under it (default 5 s). */
  purgeWaitMs: number;
  /**
   * Start syncs by themselves: the first one as soon as an installation is stored, and one when an idle portal is
   * opened again (default true; tests that script every REST call turn it off).
   */
  autoSync: boolean;
  sleep: Sleep;
  hooks: SyncHooks;
}

export const DEFAULT_DIRECTORY_OPTIONS: DirectoryOptions = {
  leaseMs: 15 * 60_000,
  checkpointMaxAgeMs: 60 * 60_000,
  scheduleIntervalMs: 60 * 60_000,
  scheduleInitialDelayMs: 30_000,
  scheduleInUseMs: 14 * 86_400_000,
  maxBatchRetries: 2,
  retryDelayMs: 1000,
  maxCachedPortals: 32,
  purgeWaitMs: 5000,
  autoSync: true,
  sleep: realSleep,
  hooks: {},
};

/** What the directory needs to know of a portal's installation. */
export interface DirectoryPortalInfo {
  /** Scopes the portal granted. */
  scopes: readonly string[];
  /** Installed with usable tokens (state `new` or `active`, as PortalClients.forPortal requires). */
  installed: boolean;
}

export interface DirectoryDeps {
  documents: Documents;
  clock: Clock;
  logger: Logger;
  background: BackgroundTasks;
  /** The portal's client with its stored admin tokens (PortalClients.forPortal). */
  clientFor(memberId: string): Promise<BitrixClient>;
  portalInfo(memberId: string): Promise<DirectoryPortalInfo | undefined>;
  /** Portals the scheduled reconcile visits: active ones opened (or installed) since `usedSince` (ms). */
  listPortals(usedSince: number): Promise<string[]>;
  /** The portal's rate budget (batch commands refused by the operating limit wait there). */
  budgetFor?(memberId: string): RateBudget | undefined;
  locks?: Locks;
  /** Shared event memory: the scheduled reconcile's pass lease (default: this process alone). */
  onceKeys?: OnceKeys;
  /** Keep meta and overlay in memory (false when several instances share the store). */
  cacheReads?: boolean;
  options?: Partial<DirectoryOptions>;
}
