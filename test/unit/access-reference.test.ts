import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildIndex } from '../../server/access/access-index.js';
import { allowedResources, evaluate } from '../../server/access/evaluate.js';
import { canOpen } from '../../server/access/gate.js';
import { ACCESS_MANAGE, type Policy, type Role } from '../../server/access/policy.js';
import type { AccessRequest, Subject } from '../../server/access/subject.js';
import { SharedSubject } from '../../server/access/shared-subject.js';
import { parseManifest } from '../../server/manifest.js';
import { manifest, policy } from './access-fixtures.js';
import { referenceDecision, referenceOpen, referenceResources } from './access-reference.js';

/** What users hold; policies also name a plain `SG1` (stored by older versions) that users never hold. */
const HELD = ['AU', 'U1', 'IU1', 'U2', 'D1', 'D2', 'DR1', 'DR2', 'SG1_K', 'SG1_E', 'SG1_A'];
const NAMED = [...HELD, 'SG1', 'U3'];
const WAREHOUSES = ['north', 'south', 'east'];
const generous = parseManifest({ ...manifest, adminsGetEverything: true });

const requests: AccessRequest[] = [
  ...[...manifest.features, { key: ACCESS_MANAGE, levels: ['read', 'edit'], resource: undefined }].flatMap((feature) =>
    feature.levels.flatMap((level) => [
      { feature: feature.key, level },
      // A resource on a feature that has none is ignored.
      ...[...WAREHOUSES, 'west'].map((resource) => ({ feature: feature.key, level, resource })),
    ]),
  ),
  { feature: 'reports', level: 'delete' },
  { feature: 'nothing', level: 'read' },
  { feature: 'directory', level: 'edit' },
];

const grantArb = fc.record(
  { level: fc.constantFrom('read', 'edit'), resources: fc.subarray(WAREHOUSES) },
  { requiredKeys: ['level'] },
);
const roleArb = (key: string): fc.Arbitrary<Role> =>
  fc
    .dictionary(fc.constantFrom(...manifest.features.map((feature) => feature.key)), grantArb, { maxKeys: 4 })
    .map((grants) => ({ key, title: `Role ${key}`, builtIn: false, grants }));
const policyArb: fc.Arbitrary<Policy> = fc
  .record({
    roles: fc.tuple(roleArb('r1'), roleArb('r2'), roleArb('r3')),
    assignments: fc.array(
      fc.record({ code: fc.constantFrom(...NAMED), role: fc.constantFrom('r1', 'r2', 'r3', 'manager', 'gone') }),
      { maxLength: 14 },
    ),
    allowList: fc.array(fc.constantFrom(...NAMED), { maxLength: 4 }),
    delegates: fc.array(fc.constantFrom(...NAMED), { maxLength: 3 }),
  })
  .map(({ roles, ...rest }) => policy({ ...rest, extraRoles: roles }));
const subjectArb: fc.Arbitrary<Subject> = fc.record({
  userId: fc.constant(1),
  active: fc.boolean(),
  isAdmin: fc.constantFrom(true, false, null),
  codes: fc.shuffledSubarray(HELD),
});

describe('evaluate() against the rules read straight from the policy', () => {
  it('gives the same decisions, levels and reasons (in order), open decisions and resource sets', () => {
    fc.assert(
      fc.property(policyArb, subjectArb, fc.boolean(), (p, subject, everything) => {
        const used = everything ? generous : manifest;
        const index = buildIndex(p, used);
        // The same subject shared, as subjectOf() makes it: its decisions are remembered, asked twice.
        const shared = new SharedSubject(subject);
        expect(canOpen(index, subject)).toEqual(referenceOpen(p, subject));
        expect(canOpen(index, shared)).toEqual(referenceOpen(p, subject));
        for (const request of [...requests, ...requests]) {
          const expected = referenceDecision(p, used, subject, request);
          expect(evaluate(index, subject, request), JSON.stringify(request)).toEqual(expected);
          expect(evaluate(index, shared, request), JSON.stringify(request)).toEqual(expected);
          if (request.resource === undefined)
            expect(allowedResources(index, subject, request.feature, request.level)).toEqual(
              referenceResources(p, used, subject, request.feature, request.level),
            );
        }
      }),
      { numRuns: 400 },
    );
  });
});
