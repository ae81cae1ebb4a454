/**
 * `npm run bench:access`: Keycard's `evaluate()` against node-casbin on the same policy — 50k users, 2k
 * departments (depth 8), 500 rules. Casbin runs an RBAC-with-domains model (domain = portal) in which
 * users link to their department and workgroup codes, `D{id}` to `DR{id}`, `DR{child}` to `DR{parent}`,
 * codes to roles, and allow-listed codes to `@open`; the matcher requires both the role permission and
 * `@open`. Both engines are first checked for identical answers on a sample.
 */
import { DefaultRoleManager, newEnforcer, newModelFromString, StringAdapter } from 'casbin';
import { fileURLToPath } from 'node:url';
import { buildIndex } from '../../server/access/access-index.js';
import { evaluate } from '../../server/access/evaluate.js';
import { expandGrant } from '../../server/access/levels.js';
import { loadManifest } from '../../server/manifest.js';
import { accessFixture, type AccessFixture } from './access-fixture.js';
import { measure, printTable } from './measure.js';

const DOMAIN = 'portal';
const MODEL = `
[request_definition]
r = sub, dom, obj, act
[policy_definition]
p = sub, dom, obj, act
[role_definition]
g = _, _, _
[policy_effect]
e = some(where (p.eft == allow))
[matchers]
m = r.dom == p.dom && r.obj == p.obj && r.act == p.act && g(r.sub, p.sub, r.dom) && g(r.sub, "@open", r.dom)
`;

function casbinLines(fixture: AccessFixture, manifest: ReturnType<typeof loadManifest>): string {
  const lines: string[] = [];
  const features = new Map(manifest.features.map((feature) => [feature.key, feature]));
  for (const role of fixture.policy.roles) {
    for (const [key, grant] of Object.entries(role.grants)) {
      const feature = features.get(key);
      if (feature === undefined || feature.adminOnly) continue;
      const expanded = expandGrant(manifest, feature.levels, grant.level);
      if (expanded.ok)
        for (const level of expanded.levels) lines.push(`p, role:${role.key}, ${DOMAIN}, ${key}, ${level}`);
    }
  }
  for (const [id, parent] of fixture.parents) {
    lines.push(`g, D${id}, DR${id}, ${DOMAIN}`);
    if (parent !== null) lines.push(`g, DR${id}, DR${parent}, ${DOMAIN}`);
  }
  for (const [id, link] of fixture.links) {
    lines.push(`g, U${id}, AU, ${DOMAIN}`);
    for (const department of link.departments) lines.push(`g, U${id}, D${department}, ${DOMAIN}`);
    for (const group of link.groups) lines.push(`g, U${id}, ${group}, ${DOMAIN}`);
  }
  for (const assignment of fixture.policy.assignments)
    lines.push(`g, ${assignment.code}, role:${assignment.role}, ${DOMAIN}`);
  const allowList = fixture.policy.allowList.length === 0 ? ['AU'] : fixture.policy.allowList;
  for (const code of allowList) lines.push(`g, ${code}, @open, ${DOMAIN}`);
  return lines.join('\n');
}

export async function run(): Promise<void> {
  const manifest = loadManifest(fileURLToPath(new URL('../../manifest/keycard.json', import.meta.url)));
  const fixture = accessFixture(manifest);
  const { subjects, requests } = fixture;

  let started = performance.now();
  const index = buildIndex(fixture.policy, manifest);
  const keycardBuildMs = performance.now() - started;

  started = performance.now();
  const enforcer = await newEnforcer(newModelFromString(MODEL), new StringAdapter(casbinLines(fixture, manifest)));
  enforcer.setRoleManager(new DefaultRoleManager(20)); // U → D → DR ×8 → role is deeper than the default 10
  await enforcer.buildRoleLinks();
  const casbinBuildMs = performance.now() - started;

  // The same (subject, feature, level) triples for both engines, drawn deterministically.
  const sample = Array.from({ length: 20_000 }, (_, i) => ({
    subject: subjects[(i * 7919) % subjects.length] ?? subjects[0],
    request: requests[(i * 31) % requests.length] ?? requests[0],
  }));
  let mismatches = 0;
  let allowed = 0;
  const checked = 2_000;
  for (const { subject, request } of sample.slice(0, checked)) {
    if (subject === undefined || request === undefined) continue;
    const ours = evaluate(index, subject, request).allowed;
    const theirs = enforcer.enforceSync(`U${subject.userId}`, DOMAIN, request.feature, request.level);
    if (ours !== theirs) mismatches += 1;
    if (ours) allowed += 1;
  }
  process.stdout.write(
    `users ${subjects.length}, departments ${fixture.parents.size}, rules ${fixture.policy.assignments.length + fixture.policy.allowList.length}, ` +
      `codes/user ${(subjects.reduce((sum, s) => sum + s.codes.length, 0) / subjects.length).toFixed(1)}; ` +
      `equivalence: ${checked - mismatches}/${checked} identical (${allowed} allowed)\n`,
  );
  if (mismatches > 0) throw new Error(`keycard and casbin disagree on ${mismatches} of ${checked} decisions`);

  let i = 0;
  const keycard = await measure(200_000, () => {
    const item = sample[i++ % sample.length];
    if (item?.subject !== undefined && item.request !== undefined) evaluate(index, item.subject, item.request);
  });
  let j = 0;
  const casbin = await measure(20_000, () => {
    const item = sample[j++ % sample.length];
    if (item?.subject !== undefined && item.request !== undefined)
      enforcer.enforceSync(`U${item.subject.userId}`, DOMAIN, item.request.feature, item.request.level);
  });
  printTable([
    {
      engine: 'keycard evaluate()',
      'build ms': keycardBuildMs,
      'decisions/s': Math.round(keycard.opsPerSecond),
      'p50 µs': keycard.p50Micros,
      'p99 µs': keycard.p99Micros,
    },
    {
      engine: 'node-casbin enforceSync',
      'build ms': casbinBuildMs,
      'decisions/s': Math.round(casbin.opsPerSecond),
      'p50 µs': casbin.p50Micros,
      'p99 µs': casbin.p99Micros,
    },
  ]);
  const ratio = keycard.opsPerSecond / casbin.opsPerSecond;
  process.stdout.write(
    `throughput ratio keycard/casbin: ${ratio.toFixed(1)}× (target ≥ 10×); keycard p99 ${keycard.p99Micros.toFixed(2)} µs (target ≤ 50 µs)\n`,
  );
}
