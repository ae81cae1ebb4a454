import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Clock } from '../clock.js';
import type { PortalDataOwner } from '../portals/data-owner.js';
import type { Documents } from '../store/documents.js';
import type { Locks } from '../store/locks.js';
import { accessRequestSchema, MAX_DECIDED, REQUEST_WINDOW_MS, type AccessRequest } from './access-request.js';

/** What a person filed before, for the filing rules (one open request, a rate limit). */
export interface FilingHistory {
  /** Their open request, if any. */
  open: AccessRequest | undefined;
  /** When they filed within the rate-limit window (epoch ms), oldest first. */
  filedAt: number[];
}

/** What the filer asks; id, status and time are the repository's. */
export interface NewRequest {
  userId: string;
  name: string;
  message: string;
  feature?: string | undefined;
}

/** A decision on an open request. */
export type Decision = Pick<AccessRequest, 'decidedBy' | 'reason' | 'approvedAs'> & {
  status: 'approved' | 'declined';
};

/** The portal's access requests. Reads of another portal's ids find nothing. */
export interface RequestRepository extends PortalDataOwner {
  /**
   * Stores a new open request, if `rule` (given the person's history, under the portal's lock, so two filings at
   * once cannot both pass) does not throw.
   */
  file(memberId: string, request: NewRequest, rule: (history: FilingHistory) => void): Promise<AccessRequest>;
  get(memberId: string, id: string): Promise<AccessRequest | undefined>;
  /** Open ones first (oldest first), then decided ones (newest first). */
  list(memberId: string): Promise<AccessRequest[]>;
  /** The person's latest request, open or decided. */
  latestOf(memberId: string, userId: string): Promise<AccessRequest | undefined>;
  /** The person's filing history (for "may ask again"). */
  historyOf(memberId: string, userId: string): Promise<FilingHistory>;
  openCount(memberId: string): Promise<number>;
  /**
   * Decides `id` if it is still open (compare-and-swap under the lock); returns the decided request, or
   * `undefined` when there is none, or the request as it is when someone decided it first. `first` runs under the
   * same lock once the request is known to be open, before the decision is written: what it does (an approval's
   * policy save) and the decision happen together or, when it throws, neither.
   */
  decide(
    memberId: string,
    id: string,
    decision: Decision,
    first?: () => Promise<void>,
  ): Promise<{ request: AccessRequest; decided: boolean } | undefined>;
}

/** The index of a portal's requests: small summaries (the texts live in each request's own document). */
const indexSchema = z.object({
  entries: z.array(
    z.object({ id: z.string(), userId: z.string(), status: z.enum(['open', 'approved', 'declined']), at: z.number() }),
  ),
  /** Filing times per user within the rate-limit window. */
  filings: z.record(z.string(), z.array(z.number())),
});
type Index = z.infer<typeof indexSchema>;

const EMPTY: Index = { entries: [], filings: {} };

/**
 * On the documents layer: `requests:index:<memberId>` (summaries and filing times) and
 * `requests:item:<memberId>:<id>` (each request). Every write holds the portal's `requests` lock.
 */
export class DocumentRequestRepository implements RequestRepository {
  readonly #documents: Documents;
  readonly #locks: Locks;
  readonly #clock: Clock;
  readonly #maxDecided: number;

  /** `maxDecided`: decided requests kept per portal (default MAX_DECIDED; tests use fewer). */
  constructor(deps: { documents: Documents; locks: Locks; clock: Clock; maxDecided?: number }) {
    this.#documents = deps.documents;
    this.#locks = deps.locks;
    this.#clock = deps.clock;
    this.#maxDecided = deps.maxDecided ?? MAX_DECIDED;
  }

  async #index(memberId: string): Promise<Index> {
    return (await this.#documents.get(indexKey(memberId), indexSchema)) ?? EMPTY;
  }

  async #items(memberId: string, ids: string[]): Promise<AccessRequest[]> {
    const rows = await this.#documents.getMany(
      ids.map((id) => itemKey(memberId, id)),
      accessRequestSchema,
    );
    return rows.filter((row): row is AccessRequest => row !== undefined && row.memberId === memberId);
  }

  #recent(index: Index, userId: string): number[] {
    const since = this.#clock.now() - REQUEST_WINDOW_MS;
    return (index.filings[userId] ?? []).filter((at) => at > since);
  }

  async #historyIn(memberId: string, index: Index, userId: string): Promise<FilingHistory> {
    const openEntry = index.entries.find((entry) => entry.userId === userId && entry.status === 'open');
    const [open] = openEntry === undefined ? [] : await this.#items(memberId, [openEntry.id]);
    return { open, filedAt: this.#recent(index, userId) };
  }

  async file(memberId: string, request: NewRequest, rule: (history: FilingHistory) => void): Promise<AccessRequest> {
    return this.#locks.withLock(memberId, 'requests', async () => {
      const index = await this.#index(memberId);
      const history = await this.#historyIn(memberId, index, request.userId);
      rule(history);
      const now = this.#clock.now();
      const stored = accessRequestSchema.parse({
        id: randomUUID(),
        memberId,
        userId: request.userId,
        name: request.name,
        message: request.message,
        ...(request.feature === undefined ? {} : { feature: request.feature }),
        status: 'open',
        createdAt: now,
      });
      await this.#documents.set(itemKey(memberId, stored.id), stored);
      const since = now - REQUEST_WINDOW_MS;
      const filings = Object.fromEntries(
        Object.entries({ ...index.filings, [request.userId]: [...history.filedAt, now] })
          .map(([user, times]) => [user, times.filter((at) => at > since)] as const)
          .filter(([, times]) => times.length > 0),
      );
      await this.#documents.set(indexKey(memberId), {
        entries: [...index.entries, { id: stored.id, userId: stored.userId, status: 'open', at: now }],
        filings,
      });
      return stored;
    });
  }

  async get(memberId: string, id: string): Promise<AccessRequest | undefined> {
    const [found] = await this.#items(memberId, [id]);
    return found;
  }

  async list(memberId: string): Promise<AccessRequest[]> {
    const index = await this.#index(memberId);
    const open = index.entries.filter((entry) => entry.status === 'open').sort((a, b) => a.at - b.at);
    const decided = index.entries.filter((entry) => entry.status !== 'open').sort((a, b) => b.at - a.at);
    return this.#items(
      memberId,
      [...open, ...decided].map((entry) => entry.id),
    );
  }

  async latestOf(memberId: string, userId: string): Promise<AccessRequest | undefined> {
    const index = await this.#index(memberId);
    const mine = index.entries.filter((entry) => entry.userId === userId);
    const open = mine.find((entry) => entry.status === 'open');
    const latest = open ?? mine.sort((a, b) => b.at - a.at)[0];
    return latest === undefined ? undefined : this.get(memberId, latest.id);
  }

  async historyOf(memberId: string, userId: string): Promise<FilingHistory> {
    return this.#historyIn(memberId, await this.#index(memberId), userId);
  }

  async openCount(memberId: string): Promise<number> {
    return (await this.#index(memberId)).entries.filter((entry) => entry.status === 'open').length;
  }

  async decide(
    memberId: string,
    id: string,
    decision: Decision,
    first?: () => Promise<void>,
  ): Promise<{ request: AccessRequest; decided: boolean } | undefined> {
    return this.#locks.withLock(memberId, 'requests', async () => {
      const current = await this.get(memberId, id);
      if (current === undefined) return undefined;
      if (current.status !== 'open') return { request: current, decided: false };
      await first?.();
      const now = this.#clock.now();
      const decided = accessRequestSchema.parse({ ...current, ...decision, decidedAt: now });
      await this.#documents.set(itemKey(memberId, id), decided);
      const index = await this.#index(memberId);
      const entries = index.entries.map((entry) =>
        entry.id === id ? { ...entry, status: decision.status, at: now } : entry,
      );
      // Bounded: the newest `maxDecided` decided requests stay; open ones are never dropped.
      const old = entries
        .filter((entry) => entry.status !== 'open')
        .sort((a, b) => b.at - a.at)
        .slice(this.#maxDecided)
        .map((entry) => entry.id);
      const dropped = new Set(old);
      await this.#documents.set(indexKey(memberId), {
        ...index,
        entries: entries.filter((entry) => !dropped.has(entry.id)),
      });
      await this.#documents.deleteMany(old.map((dropId) => itemKey(memberId, dropId)));
      return { request: decided, decided: true };
    });
  }

  async purgePortal(memberId: string): Promise<void> {
    await this.#locks.withLock(memberId, 'requests', async () => {
      // Read leniently: a document this version cannot parse must still be deleted.
      const raw = await this.#documents.getRaw(indexKey(memberId));
      const ids = z.object({ entries: z.array(z.object({ id: z.string() })) }).safeParse(raw);
      await this.#documents.deleteMany(
        (ids.success ? ids.data.entries : []).map((entry) => itemKey(memberId, entry.id)),
      );
      await this.#documents.delete(indexKey(memberId));
    });
  }
}

function indexKey(memberId: string): string {
  return `requests:index:${memberId}`;
}

function itemKey(memberId: string, id: string): string {
  return `requests:item:${memberId}:${id}`;
}
