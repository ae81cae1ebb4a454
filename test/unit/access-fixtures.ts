import { fileURLToPath } from 'node:url';
import { loadManifest, type Manifest } from '../../server/manifest.js';
import { defaultPolicy, type Policy, type Role } from '../../server/access/policy.js';
import type { Subject } from '../../server/access/subject.js';

/**
 * A manifest with every kind of feature the evaluator handles: directory, reports (read/edit), menu (scope-gated),
 * settings (admin-only), workgroups, stock (per warehouse). The shipped manifest keeps only features the sample app
 * uses (see manifest.test.ts); this one was the shipped manifest before issue 13.
 */
export const manifest: Manifest = loadManifest(
  fileURLToPath(new URL('../support/manifest-every-kind.json', import.meta.url)),
);

/** A policy built from the defaults plus overrides. */
export function policy(overrides: Partial<Policy> & { extraRoles?: Role[] } = {}): Policy {
  // The built-in roles without the manifest's default holders: each test assigns exactly what it needs.
  const base = { ...defaultPolicy(manifest), assignments: [] };
  const { extraRoles = [], ...rest } = overrides;
  return { ...base, roles: [...base.roles, ...extraRoles], ...rest };
}

/** An active, non-admin user holding `codes` (plus U{id} and AU). */
export function user(id: number, codes: string[] = [], extra: Partial<Subject> = {}): Subject {
  return { userId: id, active: true, isAdmin: false, codes: [`U${id}`, ...codes, 'AU'], ...extra };
}
