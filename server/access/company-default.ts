import type { DirectorySnapshot } from '../directory/snapshot.js';
import type { Lang } from '../manifest.js';
import { withCompanyRoots } from './policy.js';
import { PolicyChangedError, type Actor, type PolicyRepository, type StoredPolicy } from './policy-repository.js';

/** Who the audit log names for the default Keycard gives the company structure on its own. */
export const KEYCARD_ACTOR: Actor = { id: '0', name: 'Keycard' };

/**
 * The root departments of a complete mirror (no parent): their `DR` codes reach every employee, and no extranet
 * user (who has no department). None before the first sync finished.
 */
export function companyRoots(snapshot: Pick<DirectorySnapshot, 'generation' | 'departments'>): number[] {
  if (snapshot.generation === null) return [];
  const roots: number[] = [];
  for (const department of snapshot.departments.values()) if (department.parent === null) roots.push(department.id);
  return roots.sort((a, b) => a - b);
}

/**
 * A fresh default waiting for the company structure becomes assignments to `DR{root}` as soon as the mirror knows
 * the roots: one audited save by Keycard, compare-and-swap on the ETag read (a concurrent save wins and is
 * settled on its next read). Until then the policy stays as it is: nobody but portal admins holds those roles.
 */
export async function settleCompanyRoles(
  deps: { policies: Pick<PolicyRepository, 'save'>; snapshot: () => Promise<DirectorySnapshot> },
  memberId: string,
  lang: Lang,
  stored: StoredPolicy,
): Promise<StoredPolicy> {
  if ((stored.policy.companyRoles ?? []).length === 0) return stored;
  const roots = companyRoots(await deps.snapshot());
  if (roots.length === 0) return stored;
  const { version: _version, ...content } = stored.policy;
  try {
    return await deps.policies.save(memberId, {
      ifMatch: stored.etag,
      content: withCompanyRoots(content, roots),
      actor: KEYCARD_ACTOR,
      lang,
    });
  } catch (error: unknown) {
    if (error instanceof PolicyChangedError) return error.current;
    throw error;
  }
}
