import { z } from 'zod';
import { waitOutBusy } from '../bitrix/busy-wait.js';
import { type RequestPriority, type Sleep } from '../bitrix/rate-budget.js';
import type { Locks } from '../store/locks.js';
import type { DirectoryDeps } from './directory-deps.js';
import type { DirectoryRepository } from './directory-repository.js';
import { decodeUser, encodeUser, sameUser, type DirectoryUser } from './records.js';
import { applyUserRow, parseUserRow } from './rest-rows.js';
import type { DirectorySnapshot } from './snapshot.js';
import { emailAllowed } from './sync-status.js';

export type UserUpdatesDeps = Pick<DirectoryDeps, 'clock' | 'logger' | 'background' | 'clientFor' | 'portalInfo'> & {
  store: DirectoryRepository;
  locks: Locks;
  /** The portal's snapshot (the record an update lands on when the overlay has none yet). */
  snapshot: (memberId: string) => Promise<DirectorySnapshot>;
  sleep: Sleep;
};

const userGetResult = z.array(z.unknown());

/** A known user's record is refreshed on open at most this often. */
const REFRESH_OPENER_EVERY_MS = 10 * 60_000;

/**
 * Incremental updates of single users between full syncs (ONUSERADD, a user opening the app), kept in
 * the portal's overlay until the next generation contains them.
 */
export class UserUpdates {
  readonly #deps: UserUpdatesDeps;
  /** When each opener was last refreshed (see refreshOpener). */
  readonly #openerRefreshedAt = new Map<string, number>();

  constructor(deps: UserUpdatesDeps) {
    this.#deps = deps;
  }

  /**
   * Puts one user into the overlay: a `user.get` row or an ONUSERADD `data` block (`ACTIVE: "Y"`). Fields
   * the row lacks keep their mirrored values. Returns the stored user; undefined (nothing stored) for a row
   * without an ID or a portal that is not installed (a late event must not bring back purged data).
   */
  async upsertUser(memberId: string, raw: unknown): Promise<DirectoryUser | undefined> {
    const { store, locks, clock, logger } = this.#deps;
    const row = parseUserRow(raw);
    if (row === undefined) {
      logger.warn({ memberId }, 'user row without a usable ID ignored');
      return undefined;
    }
    const info = await this.#deps.portalInfo(memberId);
    if (info?.installed !== true) return undefined;
    const mirrored = (await this.#deps.snapshot(memberId)).users.get(row.ID);
    return locks.withLock(memberId, 'overlay', async () => {
      const overlay = await store.overlay(memberId);
      const pending = overlay.users[String(row.ID)];
      const existing = pending === undefined ? mirrored : decodeUser(pending.row);
      const next = applyUserRow(row, existing, emailAllowed(info.scopes));
      if (existing !== undefined && sameUser(existing, next)) return next;
      overlay.users[String(row.ID)] = { at: clock.now(), row: encodeUser(next) };
      overlay.rev += 1;
      await store.putOverlay(memberId, overlay);
      return next;
    });
  }

  /**
   * Someone the mirror knows opened the app: their record is refreshed after the response, at most every
   * REFRESH_OPENER_EVERY_MS per user (Bitrix24 sends no event when a user moves or leaves; an employee
   * reopening the app all day costs one `user.get`).
   */
  refreshOpener(memberId: string, userId: number): void {
    const key = `${memberId}\u0000${userId}`;
    const now = this.#deps.clock.now();
    if (now - (this.#openerRefreshedAt.get(key) ?? -Infinity) < REFRESH_OPENER_EVERY_MS) return;
    if (this.#openerRefreshedAt.size > 100_000) this.#openerRefreshedAt.clear();
    this.#openerRefreshedAt.set(key, now);
    this.#deps.background.run('refresh opening user', () => this.refreshUser(memberId, userId, 'background'));
  }

  /**
   * An event's refresh: `background` priority, so it never takes the share kept for people; when the portal is
   * busy it waits the time the budget names and tries again (waitOutBusy): an ONUSERADD is not redelivered, so
   * dropping it at the first refusal would hide a new employee until the next sync.
   */
  refreshFromEvent(memberId: string, userId: number): Promise<DirectoryUser | undefined> {
    return waitOutBusy(() => this.refreshUser(memberId, userId, 'background'), this.#deps);
  }

  /**
   * Fetches one user (`user.get` by ID, one request) and upserts it; undefined when the portal has no such user.
   * `priority` bounds the wait for the portal's budget (see RateBudget).
   */
  async refreshUser(
    memberId: string,
    userId: number,
    priority: RequestPriority = 'normal',
  ): Promise<DirectoryUser | undefined> {
    const client = await this.#deps.clientFor(memberId);
    const rows = userGetResult.parse(
      await client.call('user.get', { FILTER: { ID: userId }, ADMIN_MODE: true }, { priority }),
    );
    const row = rows.find((candidate) => parseUserRow(candidate)?.ID === userId);
    return row === undefined ? undefined : this.upsertUser(memberId, row);
  }
}
