import { ConflictError } from '../errors.js';

/**
 * Lifecycle of an installation. `new`: verified and stored, set-up (event bindings) not finished;
 * `active`: usable; `deleted`: uninstalled (tokens gone); `blocked`: switched off by the operator;
 * `needs_reinstall`: Bitrix24 refused our refresh token, an admin must reinstall.
 */
export const installationStates = ['new', 'active', 'deleted', 'blocked', 'needs_reinstall'] as const;
export type InstallationState = (typeof installationStates)[number];

/**
 * The legal steps, enforced on every write of an installation record (InstallationRepository). A record
 * that does not exist counts as `deleted`: an installation purged with "clear data" starts over like one
 * that was only uninstalled.
 */
const transitions: Record<InstallationState, readonly InstallationState[]> = {
  new: ['new', 'active', 'deleted', 'blocked', 'needs_reinstall'],
  active: ['active', 'new', 'deleted', 'blocked', 'needs_reinstall'],
  deleted: ['new', 'active', 'deleted'],
  blocked: ['blocked', 'active', 'deleted'],
  needs_reinstall: ['needs_reinstall', 'new', 'active', 'deleted', 'blocked'],
};

/** A write would take an installation through a step its lifecycle does not have. */
export class TransitionError extends ConflictError {
  readonly from: InstallationState;
  readonly to: InstallationState;

  constructor(from: InstallationState, to: InstallationState) {
    super('PORTAL_BAD_TRANSITION', `An installation cannot go from ${from} to ${to}.`);
    this.from = from;
    this.to = to;
  }
}

/** Whether `from → to` is a legal step (`from` undefined: no record yet). */
export function isLegalTransition(from: InstallationState | undefined, to: InstallationState): boolean {
  return transitions[from ?? 'deleted'].includes(to);
}

/** Throws a TransitionError unless `from → to` is a legal step. */
export function transition(from: InstallationState | undefined, to: InstallationState): void {
  if (!isLegalTransition(from, to)) throw new TransitionError(from ?? 'deleted', to);
}

/** Installed with usable tokens: what calling Bitrix24 for the portal requires. */
export function isInstalled<T extends { state: InstallationState }>(installation: T | undefined): installation is T {
  return installation?.state === 'new' || installation?.state === 'active';
}

/** The portal has no usable installation (never installed, uninstalled, blocked or in need of a reinstall). */
export class NotInstalledError extends ConflictError {
  constructor() {
    super('PORTAL_NOT_INSTALLED', 'The app is not installed on this portal.');
  }
}
