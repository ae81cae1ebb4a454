import type { Manifest } from '../../server/manifest.js';
import { defaultPolicy, type Policy, type Role } from '../../server/access/policy.js';
import type { Subject } from '../../server/access/subject.js';
import { createRng } from '../emulator/random.js';

/**
 * A synthetic portal for the access benchmark: 50k users in 2k departments (depth 8), 300 workgroups, and
 * a policy of 500 rules (40 roles' assignments + allow-list entries) over the non-admin features.
 */
export interface AccessFixture {
  policy: Policy;
  subjects: Subject[];
  /** Department id → parent (null for the root), for the casbin model's DR hierarchy. */
  parents: Map<number, number | null>;
  /** User id → direct departments and workgroup codes, for the casbin model's user links. */
  links: Map<number, { departments: number[]; groups: string[] }>;
  /** (feature, level) pairs both engines are asked. */
  requests: { feature: string; level: string }[];
}

export function accessFixture(manifest: Manifest, users = 50_000, departments = 2_000, rules = 500): AccessFixture {
  const rng = createRng(42);
  const pick = <T>(items: readonly T[]): T => rng.pick(items);

  const parents = new Map<number, number | null>([[1, null]]);
  const depth = new Map<number, number>([[1, 1]]);
  const byDepth: number[][] = [[], [1]];
  for (let id = 2; id <= departments; id += 1) {
    // Fill every level so the deepest chains are 8 long.
    const want = Math.min(8, 2 + (id % 7));
    const parent = pick(byDepth[want - 1] ?? byDepth[1] ?? [1]);
    const d = (depth.get(parent) ?? 1) + 1;
    parents.set(id, parent);
    depth.set(id, d);
    (byDepth[d] ??= []).push(id);
  }
  const chain = (id: number): number[] => {
    const out: number[] = [];
    for (let at: number | null | undefined = id; at !== null && at !== undefined; at = parents.get(at)) out.push(at);
    return out;
  };

  const links = new Map<number, { departments: number[]; groups: string[] }>();
  const subjects: Subject[] = [];
  for (let id = 1; id <= users; id += 1) {
    const own = [1 + Math.floor(rng.next() * departments)];
    if (rng.next() < 0.2) own.push(1 + Math.floor(rng.next() * departments));
    const groups: string[] = [];
    for (let g = 0; g < 4; g += 1) {
      const group = 1 + Math.floor(rng.next() * 300);
      groups.push(`SG${group}`, `SG${group}_K`);
      if (rng.next() < 0.2) groups.push(`SG${group}_E`);
    }
    const codes = new Set<string>([`U${id}`]);
    for (const d of own) {
      codes.add(`D${d}`);
      for (const up of chain(d)) codes.add(`DR${up}`);
    }
    for (const code of groups) codes.add(code);
    codes.add('AU');
    links.set(id, { departments: own, groups });
    subjects.push({ userId: id, active: true, isAdmin: false, codes: [...codes] });
  }

  const features = manifest.features.filter((feature) => !feature.adminOnly);
  const roles: Role[] = [];
  for (let r = 0; r < 40; r += 1) {
    const grants: Role['grants'] = {};
    for (const feature of features) if (rng.next() < 0.6) grants[feature.key] = { level: pick(feature.levels) };
    roles.push({ key: `role${r}`, title: `Role ${r}`, builtIn: false, grants });
  }
  const base = defaultPolicy(manifest);
  const allRoles = [...base.roles, ...roles];
  const allowListSize = 20;
  const randomCode = (): string => {
    const roll = rng.next();
    if (roll < 0.5) return `U${1 + Math.floor(rng.next() * users)}`;
    if (roll < 0.7) return `D${1 + Math.floor(rng.next() * departments)}`;
    if (roll < 0.9) return `DR${1 + Math.floor(rng.next() * departments)}`;
    if (roll < 0.995) return `SG${1 + Math.floor(rng.next() * 300)}_K`;
    return 'AU';
  };
  const seen = new Set<string>();
  const assignments: Policy['assignments'] = [];
  while (assignments.length < rules - allowListSize) {
    const assignment = { code: randomCode(), role: pick(allRoles).key };
    const id = `${assignment.code} ${assignment.role}`;
    if (seen.has(id)) continue;
    seen.add(id);
    assignments.push(assignment);
  }
  // Top-level departments admit most users; the rest of the list is people and small departments.
  const allowList = [
    ...new Set([
      ...(byDepth[2] ?? []).slice(0, 4).map((d) => `DR${d}`),
      ...Array.from({ length: allowListSize }, randomCode),
    ]),
  ].slice(0, allowListSize);
  const policy: Policy = { ...base, roles: allRoles, assignments, allowList };
  const requests = features.flatMap((feature) => feature.levels.map((level) => ({ feature: feature.key, level })));
  return { policy, subjects, parents, links, requests };
}
