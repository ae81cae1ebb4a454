import type { DirectorySnapshot } from '../directory/snapshot.js';

/**
 * Every access code the mirror can produce, for `validatePolicy` to report rules naming nobody: users as `U`
 * and, for intranet users, `IU`; departments as `D` and `DR`; workgroups as `SG{id}_A/_E/_K` (the codes
 * members hold; a plain `SG{id}` is stored as `SG{id}_K`).
 */
export function knownCodes(snapshot: DirectorySnapshot): Set<string> {
  const codes = new Set<string>(['AU']);
  for (const user of snapshot.users.values()) {
    codes.add(`U${user.id}`);
    if (user.departments.length > 0) codes.add(`IU${user.id}`);
  }
  for (const id of snapshot.departments.keys()) {
    codes.add(`D${id}`);
    codes.add(`DR${id}`);
  }
  for (const id of snapshot.groups.keys()) for (const suffix of ['_A', '_E', '_K']) codes.add(`SG${id}${suffix}`);
  return codes;
}
