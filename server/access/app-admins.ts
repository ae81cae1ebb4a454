import { z } from 'zod';
import type { Clock } from '../clock.js';
import type { PortalDataOwner } from '../portals/data-owner.js';
import type { Documents } from '../store/documents.js';
import type { Locks } from '../store/locks.js';

/**
 * The portal admins Keycard has seen: the installer and every admin who opened the app. Bitrix24's REST
 * has no "list the admins" method (`user.admin` answers only for the caller), so this is how the
 * access-denied page can name whom to ask, and how "check a user" knows someone is an admin.
 */

const MAX_ADMINS = 20;

/**
 * Users Bitrix24 said are not admins, spread over this many documents per portal by user id, so a write touches a
 * few hundred entries even at 50k users, and a purge knows every key.
 */
const NOT_ADMIN_BUCKETS = 64;

const notAdminsSchema = z.object({ seen: z.record(z.string(), z.number()) });

const adminsSchema = z.object({
  admins: z.array(z.object({ id: z.string(), name: z.string(), seenAt: z.number() })),
});

export interface SeenAdmin {
  id: string;
  name: string;
  seenAt: number;
}

export class AppAdmins implements PortalDataOwner {
  readonly #documents: Documents;
  readonly #locks: Locks;
  readonly #clock: Clock;
  readonly #installed: (memberId: string) => Promise<boolean>;
  /**
   * Last write (or check) per portal, user and verdict, so someone opening the app all day costs one store access a
   * day.
   */
  readonly #recent = new Map<string, number>();

  constructor(deps: {
    documents: Documents;
    locks: Locks;
    clock: Clock;
    installed: (memberId: string) => Promise<boolean>;
  }) {
    this.#documents = deps.documents;
    this.#locks = deps.locks;
    this.#clock = deps.clock;
    this.#installed = deps.installed;
  }

  /** Whether `memo` was handled within the last day; remembers it was, now. */
  #seenToday(memo: string): boolean {
    const now = this.#clock.now();
    if (now - (this.#recent.get(memo) ?? -Infinity) < 24 * 3600_000) return true;
    if (this.#recent.size > 10_000) this.#recent.clear();
    this.#recent.set(memo, now);
    return false;
  }

  /** Most recently seen first. */
  async list(memberId: string): Promise<SeenAdmin[]> {
    return (await this.#documents.get(key(memberId), adminsSchema))?.admins ?? [];
  }

  /**
   * What Bitrix24 last said of `userId` when they opened the app: an admin, not an admin, or nothing yet (they have
   * not opened it since Keycard started remembering, or a read failed) — only then is the status unknown.
   */
  async status(memberId: string, userId: string): Promise<'admin' | 'notAdmin' | 'unknown'> {
    const [admins, notAdmins] = await Promise.all([
      this.list(memberId),
      this.#documents.get(notAdminKey(memberId, userId), notAdminsSchema),
    ]);
    if (admins.some((admin) => admin.id === userId)) return 'admin';
    return notAdmins?.seen[userId] === undefined ? 'unknown' : 'notAdmin';
  }

  /** Remembers that `admin` is a portal admin (Bitrix24 said so just now). At most one write per user a day. */
  async record(memberId: string, admin: { id: string; name: string }): Promise<void> {
    const memo = `${memberId}\u0000${admin.id}\u0000admin\u0000${admin.name}`;
    if (this.#seenToday(memo)) return;
    this.#recent.delete(`${memberId}\u0000${admin.id}\u0000not-admin`);
    await this.#locks.withLock(memberId, 'admins', async () => {
      // A late write after an uninstall with "clear data" must not bring back the admin's name.
      if (!(await this.#installed(memberId))) return;
      const others = (await this.list(memberId)).filter((seen) => seen.id !== admin.id);
      const admins = [{ id: admin.id, name: admin.name, seenAt: this.#clock.now() }, ...others].slice(0, MAX_ADMINS);
      await this.#documents.set(key(memberId), { admins });
    });
    await this.#notAdmins(memberId, admin.id, (seen) => {
      delete seen[admin.id];
    });
  }

  /** Changes the not-admin document holding `userId`, under its lock; writes only if something changed. */
  async #notAdmins(memberId: string, userId: string, change: (seen: Record<string, number>) => void): Promise<void> {
    const at = notAdminKey(memberId, userId);
    await this.#locks.withLock(memberId, at, async () => {
      const before = (await this.#documents.get(at, notAdminsSchema))?.seen ?? {};
      const seen = { ...before };
      change(seen);
      if (JSON.stringify(seen) !== JSON.stringify(before)) await this.#documents.set(at, { seen });
    });
  }

  /** Forgets `userId` as an admin and remembers them as not one (Bitrix24 said so just now). At most once a day. */
  async forget(memberId: string, userId: string): Promise<void> {
    if (this.#seenToday(`${memberId}\u0000${userId}\u0000not-admin`)) return;
    for (const memo of this.#recent.keys())
      if (memo.startsWith(`${memberId}\u0000${userId}\u0000admin\u0000`)) this.#recent.delete(memo);
    await this.#locks.withLock(memberId, 'admins', async () => {
      const admins = await this.list(memberId);
      if (!admins.some((seen) => seen.id === userId)) return;
      await this.#documents.set(key(memberId), { admins: admins.filter((seen) => seen.id !== userId) });
    });
    if (!(await this.#installed(memberId))) return;
    const now = this.#clock.now();
    await this.#notAdmins(memberId, userId, (seen) => {
      seen[userId] = now;
    });
  }

  async purgePortal(memberId: string): Promise<void> {
    await this.#locks.withLock(memberId, 'admins', () =>
      this.#documents.deleteMany([
        key(memberId),
        ...Array.from({ length: NOT_ADMIN_BUCKETS }, (_, bucket) => `access:not-admins:${memberId}:${bucket}`),
      ]),
    );
    for (const memo of this.#recent.keys()) if (memo.startsWith(`${memberId}\u0000`)) this.#recent.delete(memo);
  }
}

function key(memberId: string): string {
  return `access:admins:${memberId}`;
}

function notAdminKey(memberId: string, userId: string): string {
  const id = Number.parseInt(userId, 10);
  return `access:not-admins:${memberId}:${Number.isSafeInteger(id) ? Math.abs(id) % NOT_ADMIN_BUCKETS : 0}`;
}
