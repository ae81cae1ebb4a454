import { z } from 'zod';

/** What the parent asks a server child of the HTTP benchmark to run. */
export const httpChildInputSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('bare') }),
  z.object({
    kind: z.literal('keycard'),
    storeUrl: z.string(),
    users: z.number().int().positive(),
    sessions: z.number().int().positive(),
  }),
]);
export type HttpChildInput = z.infer<typeof httpChildInputSchema>;

/** One request the load sends: its headers, and what a correct answer to it contains. */
export const httpRequestSchema = z.object({
  headers: z.record(z.string(), z.string()),
  /** Dotted paths of the JSON answer and the values they must hold (checked on every request before measuring). */
  expect: z.record(z.string(), z.union([z.string(), z.boolean()])),
});
export type HttpRequest = z.infer<typeof httpRequestSchema>;

/** The child's one line once it listens: where to send what, and what a correct answer contains. */
export const httpChildReadySchema = z.object({
  url: z.string(),
  path: z.string(),
  /** Sent in turn by every connection (Keycard: one per session, each of a different user). */
  requests: z.array(httpRequestSchema).min(1),
  setup: z
    .object({
      users: z.number(),
      departments: z.number(),
      workgroups: z.number(),
      sessions: z.number(),
      admins: z.number(),
      syncMs: z.number(),
      policy: z.object({ roles: z.number(), assignments: z.number(), allowList: z.number(), delegates: z.number() }),
    })
    .optional(),
});
export type HttpChildReady = z.infer<typeof httpChildReadySchema>;
