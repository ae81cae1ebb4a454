import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import type { Clock } from '../clock.js';
import { ConflictError, StoreUnavailableError } from '../errors.js';
import type { Lang, Manifest } from '../manifest.js';
import type { PortalDataOwner } from '../portals/data-owner.js';
import type { Documents } from '../store/documents.js';
import type { Locks } from '../store/locks.js';
import { ReadCache } from '../store/read-cache.js';
import { auditEntrySchema, type AuditEntry, type AuditSource } from './audit-entry.js';
import { diffPolicies, type PolicyContent } from './policy-diff.js';
import { defaultPolicy, freshPolicyContent, policySchema, type Policy } from './policy.js';

/**
 * The access policy of each portal, one document, saved by compare-and-swap on its ETag (compared with
 * the store's copy under the portal's policy lock), with one audit entry per save. The audit entry of version N is
 * written before the policy of version N: if the policy
 * write then fails, the next save overwrites that entry, and readers never show entries above the
 * current version — so the log has no phantom changes and no save without its entry.
 */

const storedSchema = z.object({
  policy: policySchema,
  /** Random per save: an ETag from before an uninstall-with-purge never matches a later policy of the same version. */
  revision: z.string(),
});

/** A policy as read, with the ETag a save must present. */
export interface StoredPolicy {
  policy: Policy;
  etag: string;
}

/** Who saved. */
export interface Actor {
  id: string;
  name: string;
}

/** A save presented a stale ETag: someone else saved first. Carries the current policy so nothing is lost. */
export class PolicyChangedError extends ConflictError {
  readonly current: StoredPolicy;

  constructor(current: StoredPolicy, options?: { details?: Record<string, unknown> }) {
    super(
      'POLICY_CHANGED',
      'Someone else changed the access settings since you opened them. Nothing was saved.',
      options,
    );
    this.current = current;
  }
}

/** The portal's access policy and its audit log. */
export interface PolicyRepository extends PortalDataOwner {
  /** The portal's policy; a portal that never saved one has the manifest's default (in `lang`). */
  get(memberId: string, lang: Lang): Promise<StoredPolicy>;
  /**
   * Saves `content` if the current ETag is `ifMatch` (else PolicyChangedError, nothing written), with one
   * audit entry. A save that changes nothing writes nothing and returns the current policy.
   */
  save(
    memberId: string,
    options: { ifMatch: string; content: PolicyContent; actor: Actor; lang: Lang; source?: AuditSource },
  ): Promise<StoredPolicy>;
  /** Audit entries of versions `from`, `from - 1`, … down to `to` (inclusive), newest first; missing ones skipped. */
  auditRange(memberId: string, from: number, to: number): Promise<AuditEntry[]>;
  /** The version of the stored policy (0 before the first save); audit entries above it are not real. */
  currentVersion(memberId: string): Promise<number>;
  /**
   * On an install: a portal without saved settings gets the fresh default stored (the company structure, not
   * `AU`); saved settings (kept by an uninstall without "clear data") stay, and are described for the installer.
   */
  installDefaults(memberId: string, lang: Lang): Promise<KeptSettings | null>;
}

/** The settings a reinstall kept: what the installer says before the admin continues or resets them. */
export interface KeptSettings {
  /** Entries of the allow-list (0: everyone Bitrix24 lets in may open the app). */
  allowList: number;
  roles: number;
  assignments: number;
  version: number;
}

const DEFAULT_REVISION = 'default';

function etagOf(version: number, revision: string): string {
  return `"${version}-${revision}"`;
}

/** The repository on the documents layer: `access:policy:<memberId>` and `access:audit:<memberId>:<version>`. */
export class DocumentPolicyRepository implements PolicyRepository {
  readonly #documents: Documents;
  readonly #locks: Locks;
  readonly #manifest: Manifest;
  readonly #clock: Clock;
  /** The policy is read on every API call and every app open; parsed documents stay in memory. */
  readonly #cache: ReadCache<Readonly<z.infer<typeof storedSchema>> | null>;

  /** `cacheReads: false` when several instances share the store (their saves would not reach this cache). */
  constructor(deps: { documents: Documents; locks: Locks; manifest: Manifest; clock: Clock; cacheReads?: boolean }) {
    this.#cache = new ReadCache({ enabled: deps.cacheReads ?? true });
    this.#documents = deps.documents;
    this.#locks = deps.locks;
    this.#manifest = deps.manifest;
    this.#clock = deps.clock;
  }

  async get(memberId: string, lang: Lang): Promise<StoredPolicy> {
    const stored = await this.#stored(memberId);
    if (stored === null) return { policy: defaultPolicy(this.#manifest, lang), etag: etagOf(0, DEFAULT_REVISION) };
    return { policy: stored.policy, etag: etagOf(stored.policy.version, stored.revision) };
  }

  #stored(memberId: string): Promise<Readonly<z.infer<typeof storedSchema>> | null> {
    return this.#cache.read(memberId, () => this.#fromStore(memberId));
  }

  async #fromStore(memberId: string): Promise<Readonly<z.infer<typeof storedSchema>> | null> {
    const stored = await this.#documents.get(policyKey(memberId), storedSchema);
    return stored === undefined ? null : Object.freeze(stored);
  }

  /**
   * The stored document as the store has it now, for decisions taken under the lock (the compare of the
   * ETag, the purge): another instance may have saved since this one cached it. Every write holds the
   * lock, so what is read here is current and may be cached.
   */
  async #locked(memberId: string): Promise<Readonly<z.infer<typeof storedSchema>> | null> {
    const stored = await this.#fromStore(memberId);
    this.#cache.wrote(memberId, stored);
    return stored;
  }

  async save(
    memberId: string,
    options: { ifMatch: string; content: PolicyContent; actor: Actor; lang: Lang; source?: AuditSource },
  ): Promise<StoredPolicy> {
    const saving = this.#locks.withLock(memberId, 'policy', async () => {
      const before = await this.#locked(memberId);
      const current: StoredPolicy =
        before === null
          ? { policy: defaultPolicy(this.#manifest, options.lang), etag: etagOf(0, DEFAULT_REVISION) }
          : { policy: before.policy, etag: etagOf(before.policy.version, before.revision) };
      if (current.etag !== options.ifMatch) throw new PolicyChangedError(current);
      const changes = diffPolicies(current.policy, options.content);
      const sameWaiting = (current.policy.companyRoles ?? []).join() === (options.content.companyRoles ?? []).join();
      if (changes.length === 0 && sameWaiting) return current;
      const version = current.policy.version + 1;
      const entry: AuditEntry = {
        version,
        at: this.#clock.now(),
        actor: options.actor,
        changes,
        ...(options.source === undefined ? {} : { source: options.source }),
      };
      await this.#documents.set(auditKey(memberId, version), auditEntrySchema.parse(entry));
      const policy: Policy = { ...options.content, version };
      const stored = Object.freeze(storedSchema.parse({ policy, revision: randomUUID() }));
      await this.#cache.write(memberId, stored, () => this.#documents.set(policyKey(memberId), stored));
      return { policy: stored.policy, etag: etagOf(version, stored.revision) };
    });
    try {
      return await saving;
    } catch (error: unknown) {
      // The write may or may not have landed: say so, rather than only "unavailable".
      if (!(error instanceof StoreUnavailableError)) throw error;
      throw new StoreUnavailableError(
        'The access settings could not be saved. Reload them to see whether your change was stored.',
        { cause: error.cause },
      );
    }
  }

  async auditRange(memberId: string, from: number, to: number): Promise<AuditEntry[]> {
    if (from < to) return [];
    const keys: string[] = [];
    for (let version = from; version >= to; version--) keys.push(auditKey(memberId, version));
    return (await this.#documents.getMany(keys, auditEntrySchema)).filter((entry) => entry !== undefined);
  }

  async currentVersion(memberId: string): Promise<number> {
    return (await this.#stored(memberId))?.policy.version ?? 0;
  }

  async installDefaults(memberId: string, lang: Lang): Promise<KeptSettings | null> {
    return this.#locks.withLock(memberId, 'policy', async () => {
      const before = await this.#locked(memberId);
      // A stored default nobody saved over is not "settings kept": it is rewritten, in the installer's language.
      if (before !== null && before.policy.version > 0) {
        const { policy } = before;
        return {
          allowList: policy.allowList.length,
          roles: policy.roles.length,
          assignments: policy.assignments.length,
          version: policy.version,
        };
      }
      const policy: Policy = { ...freshPolicyContent(this.#manifest, lang), version: 0 };
      const stored = Object.freeze(storedSchema.parse({ policy, revision: randomUUID() }));
      await this.#cache.write(memberId, stored, () => this.#documents.set(policyKey(memberId), stored));
      return null;
    });
  }

  async purgePortal(memberId: string): Promise<void> {
    await this.#locks.withLock(memberId, 'policy', async () => {
      // One past the stored version: an entry written by a save whose policy write failed. Read leniently:
      // a document this version cannot parse must still be deleted.
      const raw = await this.#documents.getRaw(policyKey(memberId));
      const version = z.object({ policy: z.object({ version: z.number().int().nonnegative() }) }).safeParse(raw);
      const last = (version.success ? version.data.policy.version : 0) + 1;
      const keys: string[] = [];
      for (let version = 1; version <= last; version++) keys.push(auditKey(memberId, version));
      try {
        await this.#documents.deleteMany(keys);
        await this.#documents.delete(policyKey(memberId));
      } finally {
        this.#cache.forget(memberId);
      }
    });
  }
}

function policyKey(memberId: string): string {
  return `access:policy:${memberId}`;
}

function auditKey(memberId: string, version: number): string {
  return `access:audit:${memberId}:${version}`;
}
