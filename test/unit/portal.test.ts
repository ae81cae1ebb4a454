import { describe, expect, it } from 'vitest';
import { AppError } from '../../server/errors.js';
import { installationOrigin } from '../../server/portals/installation-record.js';
import { installationStates, transition, type InstallationState } from '../../server/portals/installation-state.js';

const legal: [InstallationState, InstallationState][] = [
  ['new', 'new'],
  ['new', 'active'],
  ['new', 'deleted'],
  ['new', 'blocked'],
  ['new', 'needs_reinstall'],
  ['active', 'active'],
  ['active', 'new'],
  ['active', 'deleted'],
  ['active', 'blocked'],
  ['active', 'needs_reinstall'],
  ['deleted', 'new'],
  ['deleted', 'active'],
  ['deleted', 'deleted'],
  ['blocked', 'blocked'],
  ['blocked', 'active'],
  ['blocked', 'deleted'],
  ['needs_reinstall', 'needs_reinstall'],
  ['needs_reinstall', 'new'],
  ['needs_reinstall', 'active'],
  ['needs_reinstall', 'deleted'],
  ['needs_reinstall', 'blocked'],
];

const illegal: [InstallationState, InstallationState][] = [
  // An uninstalled portal has no tokens: it cannot be blocked or need a reinstall until it is installed again.
  ['deleted', 'blocked'],
  ['deleted', 'needs_reinstall'],
  // Only the operator unblocks (→ active); a blocked portal must not slip back into the install flow.
  ['blocked', 'new'],
  ['blocked', 'needs_reinstall'],
];

describe('transition', () => {
  it('the two tables cover every pair of states exactly once', () => {
    const key = ([from, to]: [InstallationState, InstallationState]) => `${from}→${to}`;
    const covered = new Set([...legal, ...illegal].map(key));
    expect(covered.size).toBe(legal.length + illegal.length);
    expect(covered.size).toBe(installationStates.length ** 2);
  });

  it.each(legal)('allows %s → %s', (from, to) => {
    expect(() => transition(from, to)).not.toThrow();
  });

  it.each(illegal)('refuses %s → %s with a 409', (from, to) => {
    let thrown: unknown;
    try {
      transition(from, to);
    } catch (error: unknown) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(AppError);
    if (thrown instanceof AppError) {
      expect(thrown.code).toBe('PORTAL_BAD_TRANSITION');
      expect(thrown.status).toBe(409);
      expect(thrown.message).toBe(`An installation cannot go from ${from} to ${to}.`);
    }
  });
});

describe('installationOrigin', () => {
  it.each([
    ['https://example.bitrix24.com/rest/', 'https://example.bitrix24.com'],
    ['http://localhost:4000/rest/', 'http://localhost:4000'],
  ])('%s → %s', (clientEndpoint, origin) => {
    expect(installationOrigin({ clientEndpoint })).toBe(origin);
  });
});
