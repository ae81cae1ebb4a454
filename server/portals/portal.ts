import { z } from 'zod';
import { sealedSchema } from '../store/cipher.js';
import { AppError } from '../errors.js';

/**
 * Lifecycle of an installation. `new`: verified and stored, set-up (event bindings) not finished;
 * `active`: usable; `deleted`: uninstalled (tokens gone); `blocked`: switched off by the operator;
 * `needs_reinstall`: Bitrix24 refused our refresh token, an admin must reinstall.
 */
export const portalStates = ['new', 'active', 'deleted', 'blocked', 'needs_reinstall'] as const;
export type PortalState = (typeof portalStates)[number];

const transitions: Record<PortalState, readonly PortalState[]> = {
  new: ['new', 'active', 'deleted', 'blocked', 'needs_reinstall'],
  active: ['active', 'new', 'deleted', 'blocked', 'needs_reinstall'],
  deleted: ['new', 'active', 'deleted'],
  blocked: ['blocked', 'active', 'deleted'],
  needs_reinstall: ['needs_reinstall', 'new', 'active', 'deleted', 'blocked'],
};

/** Throws unless `from → to` is a legal step of the lifecycle. */
export function assertTransition(from: PortalState, to: PortalState): void {
  if (!transitions[from].includes(to)) {
    throw new AppError('PORTAL_BAD_TRANSITION', 409, `An installation cannot go from ${from} to ${to}.`);
  }
}

export const portalSchema = z.object({
  /** Bitrix24's stable id of the portal; the primary key. */
  memberId: z.string(),
  /** Current host of the portal (it can change: Bitrix24 lets admins rename the address). */
  domain: z.string(),
  /** Verified REST endpoint, e.g. https://x.bitrix24.com/rest/ — the only place user tokens are checked. */
  clientEndpoint: z.string(),
  state: z.enum(portalStates),
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
export type Portal = z.infer<typeof portalSchema>;

/** The origin (scheme, host, port) of a portal, used for CSP frame-ancestors. */
export function portalOrigin(portal: Pick<Portal, 'clientEndpoint'>): string {
  return new URL(portal.clientEndpoint).origin;
}
