import { describe, expect, it } from 'vitest';
import { buildIndex } from '../../server/access/access-index.js';
import { narrowerIn } from '../../server/access/conflict-report.js';
import { conflicts } from '../../server/access/conflicts.js';
import type { Role } from '../../server/access/policy.js';
import { buildSnapshot } from '../../server/directory/snapshot.js';
import { manifest, policy, user } from './access-fixtures.js';

// Bitrix24 help "Access Permissions in CRM": a conflict is a rule that gives someone a level they do not end up
// with. The most permissive level wins, so only a narrower rule giving less than a broader one surprises.

const role = (key: string, grants: Role['grants']): Role => ({ key, title: key, builtIn: false, grants });

// Company (1) > Sales (10) > Sales east (11); Support (20) beside it.
const snapshot = buildSnapshot({
  memberId: 'm',
  generation: 1,
  refreshedAt: 0,
  workgroups: { available: true },
  users: [],
  departments: [
    { id: 1, name: 'Company', parent: null, head: null, sort: 1 },
    { id: 10, name: 'Sales', parent: 1, head: null, sort: 1 },
    { id: 11, name: 'Sales east', parent: 10, head: null, sort: 1 },
    { id: 20, name: 'Support', parent: 1, head: null, sort: 1 },
  ],
  groups: [],
  members: [],
});
const narrower = narrowerIn(snapshot);

const roles = [
  role('viewer', { reports: { level: 'read' } }),
  role('editor', { reports: { level: 'edit' } }),
  role('stockRead', { stock: { level: 'read', resources: ['1'] } }),
  role('stockEdit', { stock: { level: 'edit', resources: ['2'] } }),
];
const salesEast = (id: number) => user(id, ['D11', 'DR11', 'DR10', 'DR1']);

describe('code nesting for one person', () => {
  it.each([
    ['U5', 'D11', true],
    ['IU5', 'AU', true],
    ['D11', 'DR11', true],
    ['DR11', 'DR10', true],
    ['D11', 'DR1', true],
    ['DR10', 'DR11', false],
    ['D11', 'D20', false],
    ['DR11', 'DR20', false],
    ['SG3_A', 'SG3_K', true],
    ['SG3_E', 'SG3', true],
    ['SG3_K', 'SG3_A', false],
    ['SG3_A', 'SG4_K', false],
    ['D11', 'SG3_K', false],
    ['U5', 'U5', false],
    ['U5', 'IU5', false],
    ['AU', 'AU', false],
  ])('%s inside %s: %s', (a, b, expected) => {
    expect(narrower(a, b)).toBe(expected);
  });
});

describe('conflicts', () => {
  it('an elevated role on top of everyone’s default role is not a conflict (the old report listed every such user)', () => {
    const index = buildIndex(
      policy({
        extraRoles: roles,
        assignments: [
          { code: 'AU', role: 'viewer' },
          { code: 'U3', role: 'editor' },
          { code: 'DR10', role: 'editor' },
        ],
      }),
      manifest,
    );
    const found = conflicts(index, [user(3), salesEast(4), user(5)], narrower);
    expect(found).toEqual({ groups: [], people: 0 });
  });

  it('a narrower rule giving less than a broader one is reported, grouped by the pair with a count', () => {
    const index = buildIndex(
      policy({
        extraRoles: roles,
        assignments: [
          { code: 'DR10', role: 'editor' },
          { code: 'D11', role: 'viewer' },
          { code: 'U7', role: 'viewer' },
        ],
      }),
      manifest,
    );
    const found = conflicts(
      index,
      [salesEast(4), salesEast(5), salesEast(7), user(8, ['D20', 'DR20', 'DR1'])],
      narrower,
    );
    expect(found.people).toBe(3);
    expect(
      found.groups.map((group) => [
        `${group.overridden.code}:${group.overridden.role}`,
        `${group.winner.code}:${group.winner.role}`,
        group.feature,
        group.count,
        group.sample,
      ]),
    ).toEqual([
      ['D11:viewer', 'DR10:editor', 'reports', 3, [4, 5, 7]],
      ['U7:viewer', 'DR10:editor', 'reports', 1, [7]],
    ]);
  });

  it('rules of the same breadth (two departments of one person) are not reported', () => {
    const index = buildIndex(
      policy({
        extraRoles: roles,
        assignments: [
          { code: 'D11', role: 'editor' },
          { code: 'D20', role: 'viewer' },
        ],
      }),
      manifest,
    );
    expect(conflicts(index, [user(4, ['D11', 'D20'])], narrower).groups).toEqual([]);
  });

  it('resource-limited grants conflict only where their resources overlap', () => {
    const index = buildIndex(
      policy({
        extraRoles: [...roles, role('stockEditOne', { stock: { level: 'edit', resources: ['1'] } })],
        assignments: [
          { code: 'U4', role: 'stockRead' },
          { code: 'AU', role: 'stockEdit' },
        ],
      }),
      manifest,
    );
    expect(conflicts(index, [user(4)], narrower).groups).toEqual([]);
    const overlapping = buildIndex(
      policy({
        extraRoles: [...roles, role('stockEditOne', { stock: { level: 'edit', resources: ['1'] } })],
        assignments: [
          { code: 'U4', role: 'stockRead' },
          { code: 'AU', role: 'stockEditOne' },
        ],
      }),
      manifest,
    );
    expect(conflicts(overlapping, [user(4)], narrower).groups).toHaveLength(1);
  });
});
