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

/** `GET /api/audit/filters`' answer: what the log can be filtered by, with names. */
export interface AuditFilterOptions {
  /** Everyone who saved a change, with the name of their latest save, by name. */
  actors: { id: string; name: string }[];
  /** Every access code a change added or removed, named from the mirror, by name. */
  codes: { code: string; name: CodeName }[];
}

/**
 * The log's actors and cited codes, for the audit filters: only people who made changes and only codes that
 * appear, offered by name. Reads at most MAX_SCAN entries, newest first (the newest name of an actor wins).
 */
export async function auditFilterOptions(
  policies: Pick<PolicyRepository, 'currentVersion' | 'auditRange'>,
  memberId: string,
  snapshot: DirectorySnapshot,
  lang: Lang,
): Promise<AuditFilterOptions> {
  const current = await policies.currentVersion(memberId);
  const actors = new Map<string, string>();
  const codes = new Set<string>();
  const last = Math.max(1, current - MAX_SCAN + 1);
  for (let next = current; next >= last; next -= BATCH) {
    for (const entry of await policies.auditRange(memberId, next, Math.max(last, next - BATCH + 1))) {
      if (!actors.has(entry.actor.id)) actors.set(entry.actor.id, entry.actor.name);
      for (const change of entry.changes) for (const code of codesOf(change)) codes.add(code);
    }
  }
  const names = codeNames(snapshot, [...codes], lang);
  const collator = new Intl.Collator(lang);
  return {
    actors: [...actors]
      .map(([id, name]) => ({ id, name }))
      .sort((a, b) => collator.compare(a.name, b.name) || a.id.localeCompare(b.id)),
    codes: [...codes]
      .map((code) => ({ code, name: names[code] ?? { title: code, kind: 'unknown' } }))
      .sort((a, b) => collator.compare(a.name.title, b.name.title) || a.code.localeCompare(b.code)),
  };
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
