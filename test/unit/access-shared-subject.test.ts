import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildIndex } from '../../server/access/access-index.js';
import { evaluate } from '../../server/access/evaluate.js';
import { canOpen } from '../../server/access/gate.js';
import type { Role } from '../../server/access/policy.js';
import { SharedSubject } from '../../server/access/shared-subject.js';
import type { AccessRequest, Subject } from '../../server/access/subject.js';
import { manifest, policy, user } from './access-fixtures.js';

const role = (key: string, grants: Role['grants']): Role => ({ key, title: key, builtIn: false, grants });
const reader = role('reader', { reports: { level: 'read' }, stock: { level: 'read', resources: ['north'] } });
const granting = policy({ extraRoles: [reader], assignments: [{ code: 'D5', role: 'reader' }] });
const withholding = policy({ extraRoles: [reader], assignments: [{ code: 'D6', role: 'reader' }] });
const requests: AccessRequest[] = [
  { feature: 'reports', level: 'read' },
  { feature: 'reports', level: 'edit' },
  { feature: 'stock', level: 'read', resource: 'north' },
  { feature: 'stock', level: 'read', resource: 'south' },
  { feature: 'settings', level: 'read' },
];

/** A plain copy: decided afresh every time, the answer a remembered decision must equal. */
const fresh = (subject: Subject): Subject => ({ ...subject });

describe('decisions remembered by a shared subject', () => {
  it('follow the index they are asked under: a new policy (a new index object) is never answered from memory', () => {
    const subject = new SharedSubject(user(3, ['D5', 'DR5']));
    const indexes = [buildIndex(granting, manifest), buildIndex(withholding, manifest), buildIndex(granting, manifest)];
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.nat(indexes.length - 1), fc.nat(requests.length - 1)), { minLength: 1, maxLength: 30 }),
        (steps) => {
          for (const [which, asked] of steps) {
            const index = indexes[which] ?? indexes[0];
            const request = requests[asked] ?? requests[0];
            if (index === undefined || request === undefined) return;
            expect(evaluate(index, subject, request)).toEqual(evaluate(index, fresh(subject), request));
            expect(canOpen(index, subject)).toEqual(canOpen(index, fresh(subject)));
          }
        },
      ),
    );
  });

  it('answer a repeated question from memory, with a decision nobody can change', () => {
    const index = buildIndex(granting, manifest);
    const subject = new SharedSubject(user(3, ['D5', 'DR5']));
    const first = evaluate(index, subject, { feature: 'reports', level: 'read' });
    expect(first).toMatchObject({ allowed: true, level: 'read' });
    expect(evaluate(index, subject, { feature: 'reports', level: 'read' })).toBe(first);
    expect(Object.isFrozen(first) && Object.isFrozen(first.reasons)).toBe(true);
    expect(Object.isFrozen(subject) && Object.isFrozen(subject.codes)).toBe(true);
  });

  it('are not carried by a copy of the subject with other codes', () => {
    const index = buildIndex(granting, manifest);
    const subject = new SharedSubject(user(3, ['D5', 'DR5']));
    expect(evaluate(index, subject, { feature: 'reports', level: 'read' }).allowed).toBe(true);
    expect(canOpen(index, subject).allowed).toBe(true);
    const moved = { ...subject, codes: ['U3', 'D6', 'DR6', 'AU'] };
    expect(evaluate(index, moved, { feature: 'reports', level: 'read' }).allowed).toBe(false);
    expect(canOpen(index, { ...subject, active: false }).allowed).toBe(false);
  });

  it('stay right past the number of questions a subject remembers (many distinct resources)', () => {
    const index = buildIndex(granting, manifest);
    const subject = new SharedSubject(user(3, ['D5', 'DR5']));
    for (let i = 0; i < 600; i += 1) {
      const request = { feature: 'stock', level: 'read', resource: i % 7 === 0 ? 'north' : `w${i}` };
      expect(evaluate(index, subject, request)).toEqual(evaluate(index, fresh(subject), request));
    }
  });
});
