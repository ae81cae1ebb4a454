import { z } from 'zod';

/** What the parent asks a server child of the HTTP benchmark to run. */
export const httpChildInputSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('bare') }),
  z.object({ kind: z.literal('keycard'), storeUrl: z.string(), users: z.number().int().positive() }),
]);
export type HttpChildInput = z.infer<typeof httpChildInputSchema>;

/** The child's one line once it listens: where to send what, and what a correct answer contains. */
export const httpChildReadySchema = z.object({
  url: z.string(),
  path: z.string(),
  headers: z.record(z.string(), z.string()),
  /** Dotted paths of the JSON answer and the values they must hold (checked on one request before measuring). */
  expect: z.record(z.string(), z.union([z.string(), z.boolean()])),
  setup: z
    .object({
      users: z.number(),
      departments: z.number(),
      workgroups: z.number(),
      userDepartments: z.array(z.number()),
      syncMs: z.number(),
      policy: z.object({ roles: z.number(), assignments: z.number(), allowList: z.number(), delegates: z.number() }),
    })
    .optional(),
});
export type HttpChildReady = z.infer<typeof httpChildReadySchema>;
