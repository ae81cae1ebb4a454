import { z } from 'zod';

/** What the portals helper (load-portals.ts) is asked to run. */
export const portalsInputSchema = z.object({
  /** Portals, each its own emulator on its own 127.0.0.1 port. */
  portals: z.number().int().positive(),
  /** Users of each portal's generated company. */
  users: z.number().int().positive(),
  /** Users per portal who get a frame token for the benchmark. */
  openers: z.number().int().positive(),
});
export type PortalsInput = z.infer<typeof portalsInputSchema>;

/** One frame open as the portal page would post it (test/emulator/control/frame.ts). */
export const frameOpenSchema = z.object({
  userId: z.number(),
  query: z.record(z.string(), z.string()),
  body: z.record(z.string(), z.string()),
});
export type FrameOpen = z.infer<typeof frameOpenSchema>;

/** One installed portal: what an installation stores, plus the frame opens of its users. */
export const loadPortalSchema = z.object({
  memberId: z.string(),
  host: z.string(),
  clientEndpoint: z.string(),
  scopes: z.array(z.string()),
  applicationToken: z.string(),
  /** The installing admin's tokens (ONAPPINSTALL). */
  install: z.object({ accessToken: z.string(), refreshToken: z.string(), expiresAt: z.number() }),
  opens: z.array(frameOpenSchema),
});
export type LoadPortal = z.infer<typeof loadPortalSchema>;

/** The portals helper once every emulator listens. */
export const portalsReadySchema = z.object({
  /** One OAuth server for every portal, as oauth.bitrix.info is. */
  oauthServer: z.string(),
  clientId: z.string(),
  clientSecret: z.string(),
  portals: z.array(loadPortalSchema),
});
export type PortalsReady = z.infer<typeof portalsReadySchema>;

/** What a Keycard helper (load-keycard.ts) is asked to run. */
export const keycardInputSchema = z.object({
  /** The environment server/main.ts would read (B24_*, APP_URL, SECRET_KEY, STORE_URL=redis://…, PORTAL_DOMAINS…). */
  env: z.record(z.string(), z.string()),
  logLevel: z.string(),
  /** Portals whose request budgets are reported in the stats. */
  memberIds: z.array(z.string()),
});
export type KeycardInput = z.infer<typeof keycardInputSchema>;

export const keycardReadySchema = z.object({ url: z.string() });
export type KeycardReady = z.infer<typeof keycardReadySchema>;

/** Cumulative figures a helper reports when asked; the parent takes differences over the measured window. */
export const helperStatsSchema = z.object({
  /** User plus system CPU time of the process since it started. */
  cpuMicros: z.number(),
  /** Keycard: its per-portal request budgets (server/bitrix/rate-budget.ts), summed over the bench portals. */
  budget: z
    .object({
      requests: z.number(),
      waitedMs: z.number(),
      queryLimitHits: z.number(),
      /** Bucket levels now: lowest, mean and highest over the portals. */
      levelMin: z.number(),
      levelMean: z.number(),
      levelMax: z.number(),
      burst: z.number(),
      drainPerSecond: z.number(),
    })
    .optional(),
  /** Portals: requests the emulators answered (REST and page endpoints) and OAuth-server `app.info` calls. */
  portals: z
    .object({ httpRequests: z.number(), restRequests: z.number(), appInfo: z.number(), tokenRefreshes: z.number() })
    .optional(),
});
export type HelperStats = z.infer<typeof helperStatsSchema>;

/** Messages from a helper to the bench process over the IPC channel. */
export const helperMessageSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('ready'), ready: z.unknown() }),
  z.object({ kind: z.literal('stats'), id: z.number(), stats: helperStatsSchema }),
]);

/** Messages from the bench process to a helper. */
export const parentMessageSchema = z.object({ kind: z.literal('stats'), id: z.number() });
