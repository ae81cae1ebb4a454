import { z } from 'zod';
import { sealedSchema } from '../store/cipher.js';
import { installationStates } from './installation-state.js';

/** One installation of the app on one portal, as stored: one document per `member_id`. */
export const installationSchema = z.object({
  /** Bitrix24's stable id of the portal; the primary key. */
  memberId: z.string(),
  /** Current host of the portal (it can change: Bitrix24 lets admins rename the address). */
  domain: z.string(),
  /** Verified REST endpoint, e.g. https://x.bitrix24.com/rest/ — the only place user tokens are checked. */
  clientEndpoint: z.string(),
  state: z.enum(installationStates),
  /**
   * The OAuth server that issued the tokens (base URL, e.g. `https://oauth.bitrix24.tech`): the only one that
   * renews them. Absent on records from before it was recorded: the configured default.
   */
  oauthServer: z.string().optional(),
  /** Scopes the portal granted, as the OAuth server reported them. */
  scopes: z.array(z.string()),
  /** Market status letter (F, D, T, P, L, S) as reported by the OAuth server. */
  appStatus: z.string().optional(),
  lang: z.string(),
  installedBy: z.string().optional(),
  appVersion: z.string().optional(),
  /** Events and placements bound on the portal, and the ones that could not be (with the Bitrix24 error code). */
  bindings: z.object({ bound: z.array(z.string()), failed: z.array(z.object({ name: z.string(), code: z.string() })) }),
  /** Bitrix24 plan family from the portal's `app.info` (`LICENSE_FAMILY`, e.g. `ent`): it sets the request limits. */
  licenseFamily: z.string().optional(),
  /** When someone last opened the app (kept to the hour): the scheduled reconcile visits only portals in use. */
  lastOpenedAt: z.number().optional(),
  /**
   * An ONAPPUNINSTALL whose application token matched, not yet confirmed by Bitrix24: checked again with back-off
   * until Bitrix24 says the app is gone (then acted on) or still there (then dropped as forged).
   */
  uninstall: z
    .object({
      requestedAt: z.number(),
      /** "Clear application data" was ticked. */
      clean: z.boolean(),
      /** Checks made so far, and how many of them Bitrix24 answered with a refusal (not a failure to answer). */
      checks: z.number().int().nonnegative(),
      refusals: z.number().int().nonnegative(),
      nextCheckAt: z.number(),
      /** The installation's connection worked when the event came: lasting refusals since then mean removal. */
      workedBefore: z.boolean(),
    })
    .optional(),
  /** Encrypted tokens (see TokenVault); absent once uninstalled. */
  secrets: sealedSchema.optional(),
  createdAt: z.number(),
  updatedAt: z.number(),
  /** Fencing token of the lock holder that wrote the record last (see Locks): a stale holder cannot overwrite it. */
  fence: z.number().optional(),
});
export type Installation = z.infer<typeof installationSchema>;

/** The origin (scheme, host, port) of a portal, used for CSP frame-ancestors. */
export function installationOrigin(installation: Pick<Installation, 'clientEndpoint'>): string {
  return new URL(installation.clientEndpoint).origin;
}
