import { z } from 'zod';
import { grantSchema } from './policy.js';
import type { PolicyChange } from './policy-diff.js';

/** One save of a portal's access policy: who, when, and every change with its before and after. */
export interface AuditEntry {
  /** The policy version the save produced; also the entry's id. */
  version: number;
  /** Epoch milliseconds. */
  at: number;
  actor: { id: string; name: string };
  changes: PolicyChange[];
  /** What the save came from, when not the editor: an approved access request (by whom it was filed). */
  source?: AuditSource;
}

/** A save made on behalf of something else than the settings editor. */
export interface AuditSource {
  kind: 'request';
  /** The access request's id. */
  id: string;
  /** Who filed it. */
  name: string;
}

const codeChange = z.object({
  kind: z.enum(['allowList', 'delegates']),
  action: z.enum(['added', 'removed']),
  code: z.string(),
});
const roleChange = z.object({
  kind: z.literal('role'),
  action: z.enum(['added', 'removed']),
  role: z.string(),
  title: z.string(),
});
const roleRenamed = z.object({
  kind: z.literal('role'),
  action: z.literal('renamed'),
  role: z.string(),
  before: z.string(),
  after: z.string(),
});
const grantChange = z.object({
  kind: z.literal('grant'),
  role: z.string(),
  title: z.string(),
  feature: z.string(),
  before: grantSchema.nullable(),
  after: grantSchema.nullable(),
});
const assignmentChange = z.object({
  kind: z.literal('assignment'),
  action: z.enum(['added', 'removed']),
  code: z.string(),
  role: z.string(),
  title: z.string(),
});

export const auditEntrySchema = z.object({
  version: z.number().int().positive(),
  at: z.number(),
  actor: z.object({ id: z.string(), name: z.string() }),
  changes: z.array(z.union([codeChange, roleChange, roleRenamed, grantChange, assignmentChange])),
  // Optional: entries written before access requests existed have none.
  source: z.object({ kind: z.literal('request'), id: z.string(), name: z.string() }).optional(),
}) satisfies z.ZodType<AuditEntry>;
