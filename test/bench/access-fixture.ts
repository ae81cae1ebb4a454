import type { Manifest } from '../../server/manifest.js';
import { defaultPolicy, ACCESS_MANAGE, type Policy, type Role } from '../../server/access/policy.js';
import type { AccessRequest } from '../../server/access/subject.js';
import type { DirectoryDepartment, DirectoryUser, GroupMembers } from '../../server/directory/records.js';
import { buildSnapshot, type DirectorySnapshot } from '../../server/directory/snapshot.js';
import { createRng } from '../emulator/random.js';

/**
 * A synthetic portal for the access benchmark: 50k users in 2k departments (depth 8, most with a head),
 * 300 workgroups with owners, moderators and members, a few fired and extranet users; a policy of 500
 * rules (assignments of 40 custom roles, some limiting the `stock` feature to a few warehouses, plus an
 * allow-list) and 5 delegates. The directory is a real mirror snapshot, so the access codes are what
 * `accessCodes()` derives from it.
 */
export interface AccessFixture {
  snapshot: DirectorySnapshot;
  policy: Policy;
  /** What the session says of each asker: portal admin, not, or unknown (a failed lookup). */
  isAdmin: (userId: number) => boolean | null;
  /** Every question worth asking: each level of each feature (admin-only ones and `access.manage` included),
   *  and for the resource-scoped feature also each warehouse. */
  requests: AccessRequest[];
  /** The warehouses the policy's resource-scoped grants name. */
  warehouses: string[];
}

const WORKGROUPS = 300;
const WAREHOUSES = 6;
const ALLOW_LIST = 20;
const DELEGATES = 5;

function departments(count: number, rng: ReturnType<typeof createRng>): DirectoryDepartment[] {
  const out: DirectoryDepartment[] = [{ id: 1, name: 'Company', parent: null, head: null, sort: 500 }];
  const depth = new Map<number, number>([[1, 1]]);
  const byDepth: number[][] = [[], [1]];
  for (let id = 2; id <= count; id += 1) {
    // Fill every level so the deepest chains are 8 long.
    const want = Math.min(8, 2 + (id % 7));
    const parent = rng.pick(byDepth[want - 1] ?? byDepth[1] ?? [1]);
    const d = (depth.get(parent) ?? 1) + 1;
    depth.set(id, d);
    (byDepth[d] ??= []).push(id);
    out.push({ id, name: `Department ${id}`, parent, head: null, sort: 500 });
  }
  return out;
}

export function accessFixture(
  manifest: Manifest,
  userCount = 50_000,
  departmentCount = 2_000,
  rules = 500,
): AccessFixture {
  const rng = createRng(42);
  const tree = departments(departmentCount, rng);
  const users: DirectoryUser[] = [];
  const groupMembers = Array.from({ length: WORKGROUPS }, (_, i) => ({
    groupId: i + 1,
    owners: [] as number[],
    moderators: [] as number[],
    members: [] as number[],
  }));
  for (let id = 1; id <= userCount; id += 1) {
    const extranet = rng.chance(0.03);
    const own = extranet ? [] : [rng.int(1, departmentCount)];
    if (!extranet && rng.chance(0.2)) own.push(rng.int(1, departmentCount));
    users.push({
      id,
      // Portal admins (every 100th user) are active: a fired admin cannot open the app at all.
      active: id % 100 === 0 || !rng.chance(0.02),
      type: extranet ? 'extranet' : 'employee',
      name: `User ${id}`,
      lastName: '',
      email: null,
      position: '',
      departments: own,
      photo: null,
    });
    for (let g = 0; g < 4; g += 1) {
      const group = groupMembers[rng.int(0, WORKGROUPS - 1)];
      const roll = rng.next();
      if (roll < 0.01) group?.owners.push(id);
      else if (roll < 0.1) group?.moderators.push(id);
      else group?.members.push(id);
    }
  }
  for (const department of tree) if (rng.chance(0.8)) department.head = rng.int(1, userCount);
  const members: GroupMembers[] = groupMembers;
  const snapshot = buildSnapshot({
    memberId: 'bench',
    generation: 1,
    refreshedAt: 0,
    workgroups: { available: true },
    users,
    departments: tree,
    groups: groupMembers.map(({ groupId }) => ({ id: groupId, name: `Group ${groupId}`, project: false })),
    members,
  });

  const warehouses = Array.from({ length: WAREHOUSES }, (_, i) => `wh${i + 1}`);
  const features = manifest.features.filter((feature) => !feature.adminOnly);
  const roles: Role[] = [];
  for (let r = 0; r < 40; r += 1) {
    const grants: Role['grants'] = {};
    for (const feature of features) {
      if (!rng.chance(0.6)) continue;
      const level = rng.pick(feature.levels);
      // Half of the resource-scoped grants name one to three warehouses instead of all of them.
      const limited = feature.resource !== undefined && rng.chance(0.5);
      grants[feature.key] = limited
        ? { level, resources: Array.from({ length: rng.int(1, 3) }, () => rng.pick(warehouses)) }
        : { level };
    }
    roles.push({ key: `role${r}`, title: `Role ${r}`, builtIn: false, grants });
  }
  const base = defaultPolicy(manifest);
  const allRoles = [...base.roles, ...roles];
  const randomCode = (): string => {
    const roll = rng.next();
    if (roll < 0.4) return `U${rng.int(1, userCount)}`;
    if (roll < 0.5) return `IU${rng.int(1, userCount)}`;
    if (roll < 0.65) return `D${rng.int(1, departmentCount)}`;
    if (roll < 0.85) return `DR${rng.int(1, departmentCount)}`;
    if (roll < 0.995) return `SG${rng.int(1, WORKGROUPS)}_${rng.pick(['K', 'K', 'E', 'A'])}`;
    return 'AU';
  };
  const seen = new Set<string>();
  const assignments: Policy['assignments'] = [];
  while (assignments.length < rules - ALLOW_LIST) {
    const assignment = { code: randomCode(), role: rng.pick(allRoles).key };
    const id = `${assignment.code} ${assignment.role}`;
    if (seen.has(id)) continue;
    seen.add(id);
    assignments.push(assignment);
  }
  // Top-level departments admit most users; the rest of the list is people and small departments.
  const topLevel = tree.filter((department) => department.parent === 1).slice(0, 4);
  const allowList = [
    ...new Set([...topLevel.map(({ id }) => `DR${id}`), ...Array.from({ length: ALLOW_LIST }, randomCode)]),
  ].slice(0, ALLOW_LIST);
  const delegates = Array.from({ length: DELEGATES }, randomCode);
  const policy: Policy = { ...base, roles: allRoles, assignments, allowList, delegates };

  const requests: AccessRequest[] = [];
  const levels = manifest.levels.map((level) => level.key);
  for (const feature of [...manifest.features, { key: ACCESS_MANAGE, levels, resource: undefined }]) {
    for (const level of feature.levels) {
      requests.push({ feature: feature.key, level });
      if (feature.resource !== undefined)
        for (const resource of warehouses) requests.push({ feature: feature.key, level, resource });
    }
  }
  const isAdmin = (userId: number): boolean | null => (userId % 100 === 0 ? true : userId % 97 === 0 ? null : false);
  return { snapshot, policy, isAdmin, requests, warehouses };
}
