import type { DirectorySnapshot } from '../directory/snapshot.js';
import type { Lang } from '../manifest.js';
import type { AuditEntry } from './audit-entry.js';
import { codeNames, type CodeName } from './code-names.js';
import { codesOf } from './policy-diff.js';
import type { PolicyRepository } from './policy-repository.js';

/** A page request over a portal's audit log. */
export interface AuditQuery {
  limit: number;
  /** Version to continue from (inclusive), from a previous page's `nextCursor`. */
  cursor?: number;
  /** Only saves by this user id. */
  actor?: string;
  /** Only saves that added or removed this access code (allow-list, delegates, assignments). */
  code?: string;
}

export interface AuditPage {
  entries: AuditEntry[];
  /** Where the next page starts; null at the beginning of the log. */
  nextCursor: number | null;
}

/**
 * Entries read per store round trip, and the most one page scans before it returns what it has (filters may match
 * rarely).
 */
const BATCH = 100;
const MAX_SCAN = 5000;

function matches(entry: AuditEntry, query: AuditQuery): boolean {
  if (query.actor !== undefined && entry.actor.id !== query.actor) return false;
  if (query.code !== undefined && !entry.changes.some((change) => codesOf(change).includes(query.code ?? '')))
    return false;
  return true;
}

/**
 * One page of the log, newest first. Entries are keyed by policy version, so paging is a walk down the
 * versions; a filtered page may come back short (with a cursor) after scanning MAX_SCAN versions.
 */
export async function readAudit(
  policies: Pick<PolicyRepository, 'currentVersion' | 'auditRange'>,
  memberId: string,
  query: AuditQuery,
): Promise<AuditPage> {
  const current = await policies.currentVersion(memberId);
  let next = Math.min(query.cursor ?? current, current);
  const entries: AuditEntry[] = [];
  let scanned = 0;
  while (next >= 1 && entries.length < query.limit && scanned < MAX_SCAN) {
    const to = Math.max(1, next - BATCH + 1);
    for (const entry of await policies.auditRange(memberId, next, to)) {
      if (entries.length < query.limit && matches(entry, query)) entries.push(entry);
      else if (entries.length >= query.limit) break;
    }
    scanned += next - to + 1;
    // Resume right after the last entry taken when the page filled up mid-batch.
    const last = entries.at(-1);
    next = entries.length >= query.limit && last !== undefined ? last.version - 1 : to - 1;
  }
  return { entries, nextCursor: next >= 1 ? next : null };
}

/** `GET /api/audit`'s answer: a page of entries with the names of the codes they cite. */
export interface AuditAnswer {
  entries: (AuditEntry & { id: string })[];
  nextCursor: string | null;
  names: Record<string, CodeName>;
}

/** One page of the log for the reader, each entry with an id and every cited code named from the mirror. */
export async function auditAnswer(
  policies: Pick<PolicyRepository, 'currentVersion' | 'auditRange'>,
  memberId: string,
  snapshot: DirectorySnapshot,
  query: AuditQuery,
  lang: Lang,
): Promise<AuditAnswer> {
  const page = await readAudit(policies, memberId, query);
  const cited = page.entries.flatMap((entry) => entry.changes.flatMap(codesOf));
  return {
    entries: page.entries.map((entry) => ({ id: String(entry.version), ...entry })),
    nextCursor: page.nextCursor === null ? null : String(page.nextCursor),
    names: codeNames(snapshot, cited, lang),
  };
}
