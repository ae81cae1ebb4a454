import { z } from 'zod';

/**
 * An access request: a person Keycard refused asks the app's admins for access. One document per request; at
 * most one open per person and portal (request-repository.ts enforces it under the portal's requests lock).
 */

/** Longest message or decline reason, in characters after trimming. */
export const MAX_TEXT = 500;

/** Filings per person in REQUEST_WINDOW_MS, and the window. */
export const MAX_FILINGS = 3;
export const REQUEST_WINDOW_MS = 24 * 3600_000;

/** Decided requests kept per portal (newest first); open ones are never dropped. */
export const MAX_DECIDED = 500;

const person = z.object({ id: z.string(), name: z.string() });

export const accessRequestSchema = z.object({
  id: z.string(),
  memberId: z.string(),
  userId: z.string(),
  name: z.string(),
  message: z.string(),
  /** The feature the person lacked, when they asked from a placement that needs one. */
  feature: z.string().optional(),
  status: z.enum(['open', 'approved', 'declined']),
  createdAt: z.number(),
  decidedAt: z.number().optional(),
  decidedBy: person.optional(),
  reason: z.string().optional(),
  /** How an approval let the person in: the allow-list, or a role (by key). */
  approvedAs: z
    .union([z.object({ kind: z.literal('allowList') }), z.object({ kind: z.literal('role'), role: z.string() })])
    .optional(),
});

export type AccessRequest = z.infer<typeof accessRequestSchema>;
export type ApprovedAs = NonNullable<AccessRequest['approvedAs']>;

/**
 * Plain text: control characters (but line breaks and tabs) removed, line breaks normalised, trimmed. Markup stays
 * as typed — every place that shows it escapes it (HTML pages, BB code in notifications, the Vue UI).
 */
export function plainText(value: string): string {
  return (
    value
      .replace(/\r\n?/g, '\n')
      // eslint-disable-next-line no-control-regex -- removing control characters is the point
      .replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200b-\u200f\u202a-\u202e\u2066-\u2069]/g, '')
      .trim()
  );
}

/** The message or reason as stored, or `null` when it is longer than MAX_TEXT (refused, not cut). */
export function boundedText(value: string): string | null {
  const text = plainText(value);
  return [...text].length > MAX_TEXT ? null : text;
}
