import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildIndex } from '../../server/access/access-index.js';
import { evaluate } from '../../server/access/evaluate.js';
import { canOpen } from '../../server/access/gate.js';
import type { Policy, Role } from '../../server/access/policy.js';
import type { Subject } from '../../server/access/subject.js';
import { manifest, policy } from './access-fixtures.js';

const CODES = ['AU', 'U1', 'U2', 'U3', 'D1', 'D2', 'DR1', 'DR2', 'SG1_K', 'SG1_E'];
const WAREHOUSES = ['north', 'south', 'east'];
const requests = manifest.features.flatMap((feature) =>
  feature.levels.flatMap((level) => [
    { feature: feature.key, level },
    ...(feature.resource ? WAREHOUSES.map((resource) => ({ feature: feature.key, level, resource })) : []),
  ]),
);

// Resource-scoped features sometimes limit a grant to some warehouses; others never do.
const grant = (feature: (typeof manifest.features)[number]) =>
  feature.resource === undefined
    ? fc.record({ level: fc.constantFrom(...feature.levels) })
    : fc.record(
        { level: fc.constantFrom(...feature.levels), resources: fc.subarray(WAREHOUSES) },
        { requiredKeys: ['level'] },
      );
const roleArb = (key: string): fc.Arbitrary<Role> =>
  fc
    .record(Object.fromEntries(manifest.features.map((feature) => [feature.key, grant(feature)])), { requiredKeys: [] })
    .map((grants) => ({
      key,
      title: key,
      builtIn: false,
      grants: Object.fromEntries(
        Object.entries(grants).flatMap(([feature, value]) => (value === undefined ? [] : [[feature, value]])),
      ),
    }));
const policyArb: fc.Arbitrary<Policy> = fc
  .record({
    roles: fc.tuple(roleArb('r1'), roleArb('r2'), roleArb('r3')),
    assignments: fc.uniqueArray(
      fc.record({
        code: fc.constantFrom(...CODES),
        role: fc.constantFrom('r1', 'r2', 'r3', 'manager', 'administrator'),
      }),
      {
        selector: (a) => `${a.code} ${a.role}`,
        maxLength: 12,
      },
    ),
    allowList: fc.uniqueArray(fc.constantFrom(...CODES), { maxLength: 4 }),
    delegates: fc.uniqueArray(fc.constantFrom(...CODES), { maxLength: 2 }),
  })
  .map(({ roles, ...rest }) => policy({ ...rest, extraRoles: roles }));
const subjectArb: fc.Arbitrary<Subject> = fc.record({
  userId: fc.integer({ min: 1, max: 3 }),
  active: fc.boolean(),
  isAdmin: fc.constantFrom(true, false, null),
  codes: fc.subarray(CODES),
});

function decisions(p: Policy, subject: Subject) {
  const index = buildIndex(p, manifest);
  return requests.map((request) => {
    const decision = evaluate(index, subject, request);
    return { allowed: decision.allowed, level: decision.level };
  });
}

describe('access properties', () => {
  it('most-permissive merge is order-independent (assignments and roles shuffled)', () => {
    fc.assert(
      fc.property(policyArb, subjectArb, fc.infiniteStream(fc.nat()), (p, subject, seeds) => {
        const shuffle = <T>(items: T[]): T[] =>
          items
            .map((item) => ({ item, key: seeds.next().value as number }))
            .sort((a, b) => a.key - b.key)
            .map((x) => x.item);
        const shuffled = {
          ...p,
          roles: shuffle(p.roles),
          assignments: shuffle(p.assignments),
          allowList: shuffle(p.allowList),
        };
        expect(decisions(shuffled, subject)).toEqual(decisions(p, subject));
      }),
    );
  });

  it('an empty allow-list admits every active user', () => {
    fc.assert(
      fc.property(policyArb, subjectArb, (p, subject) => {
        const index = buildIndex({ ...p, allowList: [] }, manifest);
        expect(canOpen(index, subject).allowed).toBe(subject.active);
      }),
    );
  });

  it('fired users never pass anything', () => {
    fc.assert(
      fc.property(policyArb, subjectArb, (p, subject) => {
        const fired = { ...subject, active: false };
        const index = buildIndex(p, manifest);
        expect(canOpen(index, fired).allowed).toBe(false);
        for (const request of [...requests, { feature: 'access.manage', level: 'edit' }])
          expect(evaluate(index, fired, request).allowed).toBe(false);
      }),
    );
  });

  it('removing an assignment, a grant, a delegate or an allow-list entry (list stays non-empty) never grants more', () => {
    fc.assert(
      fc.property(policyArb, subjectArb, fc.nat(), (p, subject, pick) => {
        const without = <T>(items: T[]): T[] => items.filter((_, i) => i !== pick % Math.max(1, items.length));
        const role = p.roles[pick % p.roles.length];
        const smaller: Policy[] = [
          { ...p, assignments: without(p.assignments) },
          { ...p, delegates: without(p.delegates) },
          ...(p.allowList.length > 1 ? [{ ...p, allowList: without(p.allowList) }] : []),
          ...(role === undefined
            ? []
            : [
                {
                  ...p,
                  roles: p.roles.map((r) =>
                    r === role ? { ...r, grants: Object.fromEntries(without(Object.entries(r.grants))) } : r,
                  ),
                },
              ]),
        ];
        const before = decisions(p, subject);
        const checks = [...requests, { feature: 'access.manage', level: 'edit' }];
        for (const q of smaller) {
          const after = decisions(q, subject);
          after.forEach((decision, i) => {
            if (decision.allowed) expect(before[i]?.allowed, JSON.stringify(checks[i])).toBe(true);
          });
          const beforeIndex = buildIndex(p, manifest);
          const afterIndex = buildIndex(q, manifest);
          if (canOpen(afterIndex, subject).allowed) expect(canOpen(beforeIndex, subject).allowed).toBe(true);
          const manage = { feature: 'access.manage', level: 'edit' };
          if (evaluate(afterIndex, subject, manage).allowed)
            expect(evaluate(beforeIndex, subject, manage).allowed).toBe(true);
        }
      }),
    );
  });
});
