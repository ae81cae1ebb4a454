import { defaultPolicy, type Policy, type Role } from '../../server/access/policy.js';
import { validatePolicy } from '../../server/access/validate.js';
import type { Manifest } from '../../server/manifest.js';
import type { Company, CompanyUser } from '../emulator/company.js';
import { createRng } from '../emulator/random.js';

/** Size of the benchmark's policy: what a company of a few thousand people that uses roles might keep. */
const CUSTOM_ROLES = 20;
const ASSIGNMENTS = 300;
const ALLOW_LIST = 20;
const DELEGATES = 5;

/**
 * A non-trivial access policy over the codes of `company` (so every code names something in the mirror):
 * the built-in roles plus 20 custom ones, 300 assignments to users, departments (with and without
 * sub-departments) and workgroup members, a 20-entry allow-list led by the top-level departments, and a
 * few delegates. `user` is let in through their top-level department and holds roles through their own
 * department chain and their user code, so their `/api/me` evaluates real grants.
 */
export function benchPolicy(company: Company, manifest: Manifest, user: CompanyUser): Omit<Policy, 'version'> {
  const rng = createRng(11);
  const features = manifest.features.filter((feature) => !feature.adminOnly);
  const roles: Role[] = [];
  for (let r = 0; r < CUSTOM_ROLES; r += 1) {
    const grants: Role['grants'] = {};
    for (const feature of features) if (rng.chance(0.6)) grants[feature.key] = { level: rng.pick(feature.levels) };
    roles.push({ key: `bench-role-${r}`, title: `Bench role ${r}`, builtIn: false, grants });
  }
  const base = defaultPolicy(manifest);
  const allRoles = [...base.roles, ...roles];

  const parents = new Map(company.departments.map((department) => [department.id, department.parent]));
  const chain = (id: number): number[] => {
    const out: number[] = [];
    for (let at: number | null | undefined = id; at !== null && at !== undefined; at = parents.get(at)) out.push(at);
    return out;
  };
  const active = company.users.filter((candidate) => candidate.active);
  const departmentIds = company.departments.map((department) => department.id);
  const randomCode = (): string => {
    const roll = rng.next();
    if (roll < 0.5) return `U${rng.pick(active).id}`;
    if (roll < 0.7) return `D${rng.pick(departmentIds)}`;
    if (roll < 0.9 || company.groups.length === 0) return `DR${rng.pick(departmentIds)}`;
    return `SG${rng.pick(company.groups).id}_K`;
  };

  const own = user.departments.flatMap(chain);
  const seen = new Set<string>();
  const assignments: Policy['assignments'] = [];
  const assign = (code: string, role: string) => {
    const pair = `${code} ${role}`;
    if (seen.has(pair)) return;
    seen.add(pair);
    assignments.push({ code, role });
  };
  assign(`U${user.id}`, rng.pick(roles).key);
  for (const department of own.slice(0, 3)) assign(`DR${department}`, rng.pick(allRoles).key);
  while (assignments.length < ASSIGNMENTS) assign(randomCode(), rng.pick(allRoles).key);

  // The root (DR1) would let everyone in and make the list trivial; its children are what admins pick.
  const topLevel = company.departments
    .filter((department) => department.parent === 1)
    .map((department) => `DR${department.id}`);
  const userTop = own.filter((department) => department !== 1).at(-1);
  const allowList = [
    ...new Set([
      ...(userTop === undefined ? [] : [`DR${userTop}`]),
      ...topLevel.slice(0, 4),
      ...Array.from({ length: ALLOW_LIST * 2 }, randomCode),
    ]),
  ].slice(0, ALLOW_LIST);
  const delegates = [...new Set(Array.from({ length: DELEGATES }, () => `U${rng.pick(active).id}`))];

  const content = { ...base, roles: allRoles, assignments, allowList, delegates };
  const problems = validatePolicy(content, manifest);
  if (problems.length > 0)
    throw new Error(
      `the bench policy is invalid: ${problems.map((problem) => `${problem.path}: ${problem.message}`).join('; ')}`,
    );
  const { version: _version, ...rest } = content;
  return rest;
}
