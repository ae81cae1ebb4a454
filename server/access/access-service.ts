import { accessCodes } from '../directory/user-codes.js';
import type { DirectorySnapshot } from '../directory/snapshot.js';
import type { Lang, Manifest } from '../manifest.js';
import { buildIndex, type AccessIndex } from './access-index.js';
import { presentPolicy } from './policy.js';
import { settleCompanyRoles } from './company-default.js';
import { SharedSubject } from './shared-subject.js';
import type { PortalDataOwner } from '../portals/data-owner.js';
import type { PolicyRepository, StoredPolicy } from './policy-repository.js';
import type { Subject } from './subject.js';

/** Who is asking, as a verified session or frame open knows them. */
export interface AccessUser {
  id: number;
  /** From Bitrix24 (`profile.ADMIN`) at the time the user opened the app; null = unknown. */
  isAdmin: boolean | null;
}

/** Everything a decision about one user needs, read once per request. */
export interface AccessContext {
  stored: StoredPolicy;
  index: AccessIndex;
  snapshot: DirectorySnapshot;
  subject: Subject;
}

/** Portals whose index stays in memory; each is a few hundred KB at most. */
const MAX_CACHED_INDEXES = 1000;

/**
 * Loads the inputs of `evaluate()`: the portal's policy turned into an index (rebuilt only when the ETag
 * changed), and the subject from the directory mirror. The policy comes from the PolicyRepository: from memory
 * on a single instance (its own saves update it), from the store itself when instances share one, so a
 * save on another instance applies at once.
 */
export class AccessService implements PortalDataOwner {
  readonly #policies: PolicyRepository;
  readonly #manifest: Manifest;
  readonly #snapshot: (memberId: string) => Promise<DirectorySnapshot>;
  readonly #indexes = new Map<string, { etag: string; index: AccessIndex }>();

  constructor(deps: {
    policies: PolicyRepository;
    manifest: Manifest;
    snapshot: (memberId: string) => Promise<DirectorySnapshot>;
  }) {
    this.#policies = deps.policies;
    this.#manifest = deps.manifest;
    this.#snapshot = deps.snapshot;
  }

  /** The current policy and its index. */
  async policy(memberId: string, lang: Lang): Promise<{ stored: StoredPolicy; index: AccessIndex }> {
    const stored = await settleCompanyRoles(
      { policies: this.#policies, snapshot: () => this.#snapshot(memberId) },
      memberId,
      lang,
      await this.#policies.get(memberId, lang),
    );
    // The language is part of the key: a portal's default policy has role titles in the reader's language.
    const version = `${stored.etag}|${lang}`;
    const cached = this.#indexes.get(memberId);
    if (cached?.etag === version) return { stored, index: cached.index };
    const index = buildIndex(presentPolicy(stored.policy, this.#manifest, lang), this.#manifest);
    this.#indexes.delete(memberId);
    if (this.#indexes.size >= MAX_CACHED_INDEXES) this.#indexes.delete(this.#indexes.keys().next().value ?? '');
    this.#indexes.set(memberId, { etag: version, index });
    return { stored, index };
  }

  async context(memberId: string, lang: Lang, user: AccessUser): Promise<AccessContext> {
    const [{ stored, index }, snapshot] = await Promise.all([this.policy(memberId, lang), this.#snapshot(memberId)]);
    return { stored, index, snapshot, subject: subjectOf(snapshot, user) };
  }

  /** Forgets the portal's cached index (its policy is purged by the PolicyRepository). */
  purgePortal(memberId: string): Promise<void> {
    this.#indexes.delete(memberId);
    return Promise.resolve();
  }
}

/**
 * The subject for `user` from the mirror. A user the mirror does not know yet (joined after the last sync)
 * was just confirmed active by Bitrix24, so they are active and hold their own code and `AU` — but no
 * department codes until the mirror has them. A mirrored user's subject is shared by every request with the same
 * snapshot and admin status (immutable, its decisions remembered: see shared-subject.ts).
 */
export function subjectOf(snapshot: DirectorySnapshot, user: AccessUser): Subject {
  let subjects = sharedSubjects.get(snapshot);
  if (subjects === undefined) sharedSubjects.set(snapshot, (subjects = new Map()));
  // One key per user and admin status (true, false, unknown).
  const key = user.id * 3 + (user.isAdmin === true ? 0 : user.isAdmin === false ? 1 : 2);
  const shared = subjects.get(key);
  if (shared !== undefined) return shared;
  const entry = mirrored(snapshot, user.id);
  if (entry.active === null)
    return { userId: user.id, active: true, isAdmin: user.isAdmin, codes: [`U${user.id}`, 'AU'] };
  const made = new SharedSubject({ userId: user.id, active: entry.active, isAdmin: user.isAdmin, codes: entry.codes });
  subjects.set(key, made);
  return made;
}

export function mirroredCodes(snapshot: DirectorySnapshot, userId: number): readonly string[] {
  return mirrored(snapshot, userId).codes;
}

/** The shared subjects of a snapshot: a warm decision reads one map and the subject, nothing else. */
const sharedSubjects = new WeakMap<DirectorySnapshot, Map<number, SharedSubject>>();

/** What a snapshot says of one user, worked out once (a snapshot is immutable). */
interface Mirrored {
  /** Null when the snapshot does not know the user. */
  active: boolean | null;
  codes: readonly string[];
}

const mirroredUsers = new WeakMap<DirectorySnapshot, Map<number, Mirrored>>();

function mirrored(snapshot: DirectorySnapshot, userId: number): Mirrored {
  let byUser = mirroredUsers.get(snapshot);
  if (byUser === undefined) mirroredUsers.set(snapshot, (byUser = new Map()));
  let entry = byUser.get(userId);
  if (entry === undefined) {
    const codes = Object.freeze(accessCodes(snapshot, userId));
    byUser.set(userId, (entry = { active: snapshot.users.get(userId)?.active ?? null, codes }));
  }
  return entry;
}
