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
  /** Scopes the portal granted, as the OAuth server reported them. */
  scopes: z.array(z.string()),
  /** Market status letter (F, D, T, P, L, S) as reported by the OAuth server. */
  appStatus: z.string().optional(),
  lang: z.string(),
  installedBy: z.string().optional(),
  appVersion: z.string().optional(),
  /** Events and placements bound on the portal, and the ones that could not be (with the Bitrix24 error code). */
  bindings: z.object({ bound: z.array(z.string()), failed: z.array(z.object({ name: z.string(), code: z.string() })) }),
  /** Encrypted tokens (see TokenVault); absent once uninstalled. */
  secrets: sealedSchema.optional(),
  createdAt: z.number(),
  updatedAt: z.number(),
});
export type Installation = z.infer<typeof installationSchema>;

/** The origin (scheme, host, port) of a portal, used for CSP frame-ancestors. */
export function installationOrigin(installation: Pick<Installation, 'clientEndpoint'>): string {
  return new URL(installation.clientEndpoint).origin;
}
