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
  }

  /** Forgets `userId` (Bitrix24 said they are not an admin any more). */
  async forget(memberId: string, userId: string): Promise<void> {
    if (this.#seenToday(`${memberId}\u0000${userId}\u0000not-admin`)) return;
    for (const memo of this.#recent.keys())
      if (memo.startsWith(`${memberId}\u0000${userId}\u0000admin\u0000`)) this.#recent.delete(memo);
    await this.#locks.withLock(memberId, 'admins', async () => {
      const admins = await this.list(memberId);
      if (!admins.some((seen) => seen.id === userId)) return;
      await this.#documents.set(key(memberId), { admins: admins.filter((seen) => seen.id !== userId) });
    });
  }

  async purgePortal(memberId: string): Promise<void> {
    await this.#locks.withLock(memberId, 'admins', () => this.#documents.delete(key(memberId)));
    for (const memo of this.#recent.keys()) if (memo.startsWith(`${memberId}\u0000`)) this.#recent.delete(memo);
  }
}

function key(memberId: string): string {
  return `access:admins:${memberId}`;
}
