import { describe, expect, it } from 'vitest';
import { buildIndex } from '../../server/access/access-index.js';
import { conflicts } from '../../server/access/conflicts.js';
import { allowedResources, evaluate, filterByResource } from '../../server/access/evaluate.js';
import { effectiveAccess } from '../../server/access/explain.js';
import { canOpen } from '../../server/access/gate.js';
import type { Policy, Role } from '../../server/access/policy.js';
import { loadManifest as loadShipped, parseManifest } from '../../server/manifest.js';
import { manifest, policy, user } from './access-fixtures.js';

const role = (key: string, grants: Role['grants']): Role => ({ key, title: key, builtIn: false, grants });

describe('app access (Bitrix24 Market: "If no users are listed, the application will be available to all employees")', () => {
  const listed = buildIndex(policy({ allowList: ['U1', 'D5', 'DR10'] }), manifest);
  const open = buildIndex(policy(), manifest);

  it.each([
    ['empty list, any active user', open, user(7), true, 'allowListEmpty'],
    ['listed personally', listed, user(1), true, 'allowList'],
    ['member of a listed department', listed, user(2, ['D5', 'DR5']), true, 'allowList'],
    ['in a sub-department of a DR-listed department', listed, user(3, ['D11', 'DR11', 'DR10']), true, 'allowList'],
    [
      'D-listed department does not cover sub-departments',
      listed,
      user(4, ['D6', 'DR6', 'DR5']),
      false,
      'notInAllowList',
    ],
    ['not listed', listed, user(9), false, 'notInAllowList'],
    ['portal admin, not listed', listed, user(9, [], { isAdmin: true }), true, 'admin'],
    ['unknown admin status gets no bypass', listed, user(9, [], { isAdmin: null }), false, 'notInAllowList'],
    ['unknown admin status, listed', listed, user(1, [], { isAdmin: null }), true, 'allowList'],
    ['fired, listed', listed, user(1, [], { active: false }), false, 'fired'],
    ['fired admin, empty list', open, user(1, [], { active: false, isAdmin: true }), false, 'fired'],
  ])('%s', (_name, index, subject, allowed, kind) => {
    const decision = canOpen(index, subject);
    expect(decision.allowed).toBe(allowed);
    expect(decision.reasons.map((rule) => rule.kind)).toEqual([kind]);
  });

  it('features are closed to users the allow-list keeps out, whatever their roles', () => {
    const index = buildIndex(
      policy({ allowList: ['U1'], assignments: [{ code: 'U9', role: 'administrator' }] }),
      manifest,
    );
    expect(evaluate(index, user(9), { feature: 'reports', level: 'read' })).toMatchObject({
      allowed: false,
      reasons: [{ kind: 'notInAllowList' }],
    });
  });
});

describe('roles (CRM and widget access permissions)', () => {
  const index = buildIndex(
    policy({
      extraRoles: [role('viewer', { reports: { level: 'read' } }), role('editor', { reports: { level: 'edit' } })],
      assignments: [
        { code: 'DR10', role: 'viewer' },
        { code: 'U3', role: 'editor' },
        { code: 'D20', role: 'manager' },
        { code: 'U4', role: 'administrator' },
      ],
    }),
    manifest,
  );

  it.each([
    ['department (DR) viewer reads', user(1, ['D11', 'DR11', 'DR10']), 'reports', 'read', true, 'read'],
    ['department viewer cannot edit', user(1, ['D11', 'DR11', 'DR10']), 'reports', 'edit', false, 'read'],
    ['personal editor edits', user(3), 'reports', 'edit', true, 'edit'],
    ['edit implies read', user(3), 'reports', 'read', true, 'edit'],
    ['built-in Manager reads stock', user(5, ['D20', 'DR20']), 'stock', 'read', true, 'read'],
    ['built-in Manager cannot edit reports', user(5, ['D20', 'DR20']), 'reports', 'edit', false, 'read'],
    ['built-in Administrator role edits reports', user(4), 'reports', 'edit', true, 'edit'],
    ['no role, no access', user(8), 'directory', 'read', false, null],
    // Issue 13: portal admins hold the Administrator role implicitly, as in Bitrix24's CRM access permissions.
    [
      'portal admin without a role holds Administrator',
      user(8, [], { isAdmin: true }),
      'reports',
      'read',
      true,
      'edit',
    ],
  ])('%s', (_name, subject, feature, level, allowed, effective) => {
    const decision = evaluate(index, subject, { feature, level });
    expect(decision.allowed).toBe(allowed);
    expect(decision.level).toBe(effective);
  });

  it('most permissive wins and both rules are cited; a narrower rule giving more is no conflict', () => {
    const subject = user(3, ['D11', 'DR11', 'DR10']); // viewer via department, editor personally
    const decision = evaluate(index, subject, { feature: 'reports', level: 'read' });
    expect(decision).toMatchObject({ allowed: true, level: 'edit' });
    expect(
      decision.reasons.map((rule) => (rule.kind === 'role' ? `${rule.code}:${rule.role}` : rule.kind)).sort(),
    ).toEqual(['DR10:viewer', 'U3:editor']);
    // Personally more than the department: what the admin asked for, not a conflict (see access-conflicts.test.ts).
    expect(
      conflicts(index, [subject, user(1, ['DR10'])], (narrow, wide) => narrow.startsWith('U') && !wide.startsWith('U'))
        .groups,
    ).toEqual([]);
  });

  it('a denial cites the lower grant the user does hold', () => {
    const decision = evaluate(index, user(1, ['DR10']), { feature: 'reports', level: 'edit' });
    expect(decision.reasons).toEqual([
      expect.objectContaining({ kind: 'role', code: 'DR10', role: 'viewer', level: 'read' }),
      { kind: 'noGrant', feature: 'reports', level: 'edit' },
    ]);
  });

  it('unknown features and levels are denied, never guessed', () => {
    expect(evaluate(index, user(4), { feature: 'billing', level: 'read' }).reasons).toEqual([
      { kind: 'unknown', feature: 'billing', level: 'read' },
    ]);
    expect(evaluate(index, user(4), { feature: 'directory', level: 'edit' }).allowed).toBe(false);
  });
});

describe('"edit without read" is no access (widget permissions)', () => {
  const widgets = parseManifest({
    ...manifest,
    features: [
      ...manifest.features,
      { key: 'widgets', title: { en: 'W', ru: 'В' }, levels: ['edit'], adminOnly: false, scopes: [] },
    ],
  });
  it('a grant whose required level the feature lacks confers nothing', () => {
    const index = buildIndex(
      policy({ extraRoles: [role('w', { widgets: { level: 'edit' } })], assignments: [{ code: 'AU', role: 'w' }] }),
      widgets,
    );
    expect(evaluate(index, user(1), { feature: 'widgets', level: 'edit' })).toMatchObject({
      allowed: false,
      level: null,
    });
  });
});

describe('workgroup roles (SG codes: owner _A, moderators _E, members _K)', () => {
  const index = buildIndex(
    policy({
      extraRoles: [role('editor', { reports: { level: 'edit' } })],
      assignments: [
        { code: 'SG5_K', role: 'manager' },
        { code: 'SG5_E', role: 'editor' },
      ],
    }),
    manifest,
  );
  it.each([
    ['member reads', ['SG5_K'], 'read'],
    ['moderator edits', ['SG5_K', 'SG5_E'], 'edit'],
    ['owner holds the moderator code too', ['SG5_K', 'SG5_E', 'SG5_A'], 'edit'],
    ['other group', ['SG6_K', 'SG6_E'], null],
  ])('%s', (_name, codes, level) => {
    expect(evaluate(index, user(1, codes), { feature: 'reports', level: 'read' }).level).toBe(level);
  });

  it('reads a plain SG rule saved by an older version as all members (users never hold a plain SG code)', () => {
    const legacy = buildIndex(
      policy({ allowList: ['SG5'], assignments: [{ code: 'SG5', role: 'manager' }] }),
      manifest,
    );
    const member = user(1, ['SG5_K']);
    const decision = evaluate(legacy, member, { feature: 'reports', level: 'read' });
    expect(decision.allowed).toBe(true);
    expect(decision.reasons).toEqual([expect.objectContaining({ kind: 'role', code: 'SG5' })]);
    expect(evaluate(legacy, user(2, ['SG6_K']), { feature: 'reports', level: 'read' }).allowed).toBe(false);
  });
});

describe('warehouses (inventory: "view and select only chosen warehouses")', () => {
  const index = buildIndex(
    policy({
      extraRoles: [
        role('north-clerk', { stock: { level: 'edit', resources: ['north'] } }),
        role('south-viewer', { stock: { level: 'read', resources: ['south'] } }),
        role('nothing', { stock: { level: 'edit', resources: [] } }),
      ],
      assignments: [
        { code: 'U1', role: 'north-clerk' },
        { code: 'D7', role: 'south-viewer' },
        { code: 'U2', role: 'manager' },
        { code: 'U3', role: 'nothing' },
      ],
    }),
    manifest,
  );
  const clerk = user(1, ['D7', 'DR7']);

  it.each([
    ['edits its own warehouse', clerk, 'edit', 'north', true],
    ['reads its own warehouse (edit implies read)', clerk, 'read', 'north', true],
    ['reads the department warehouse', clerk, 'read', 'south', true],
    ['cannot edit the department warehouse', clerk, 'edit', 'south', false],
    ['sees no other warehouse', clerk, 'read', 'east', false],
    ['may open the page (some warehouse)', clerk, 'read', undefined, true],
    ['manager (no limit) reads any warehouse', user(2), 'read', 'east', true],
    ['an empty warehouse list confers nothing', user(3), 'read', undefined, false],
  ])('%s', (_name, subject, level, resource, allowed) => {
    expect(
      evaluate(
        index,
        subject,
        resource === undefined ? { feature: 'stock', level } : { feature: 'stock', level, resource },
      ).allowed,
    ).toBe(allowed);
  });

  it('a document mixing warehouses shows only the allowed lines', () => {
    const lines = [
      { sku: 'A', warehouse: 'north' },
      { sku: 'B', warehouse: 'south' },
      { sku: 'C', warehouse: 'east' },
    ];
    expect(
      filterByResource(index, clerk, 'stock', 'read', lines, (line) => line.warehouse).map((line) => line.sku),
    ).toEqual(['A', 'B']);
    expect(
      filterByResource(index, clerk, 'stock', 'edit', lines, (line) => line.warehouse).map((line) => line.sku),
    ).toEqual(['A']);
    expect(allowedResources(index, user(2), 'stock', 'read')).toBe('all');
    expect(allowedResources(index, user(9), 'stock', 'read')).toEqual(new Set());
  });

  it('check-a-user lists levels with their warehouses', () => {
    const stock = effectiveAccess(index, clerk).features.find((feature) => feature.feature === 'stock');
    expect(stock).toMatchObject({
      level: 'edit',
      levels: [
        { level: 'read', resources: ['north', 'south'] },
        { level: 'edit', resources: ['north'] },
      ],
    });
  });
});

describe('admin-only features and access.manage', () => {
  const index = buildIndex(
    policy({
      delegates: ['DR10'],
      extraRoles: [role('settings', { settings: { level: 'edit' } })],
      assignments: [{ code: 'U5', role: 'settings' }],
    }),
    manifest,
  );
  it.each([
    ['portal admin', user(1, [], { isAdmin: true }), true, 'admin'],
    ['delegate (department)', user(2, ['D11', 'DR11', 'DR10']), true, 'delegate'],
    ['unknown admin status, even a delegate', user(2, ['DR10'], { isAdmin: null }), false, 'adminUnknown'],
    ['a role grant does not open an admin-only feature', user(5), false, 'adminOnly'],
    ['fired admin', user(1, [], { isAdmin: true, active: false }), false, 'fired'],
  ])('%s', (_name, subject, allowed, kind) => {
    for (const feature of ['settings', 'access.manage']) {
      const decision = evaluate(index, subject, { feature, level: 'edit' });
      expect(decision.allowed).toBe(allowed);
      expect(decision.reasons.map((rule) => rule.kind)).toEqual([kind]);
    }
  });

  it('admins get everything only when the manifest says so', () => {
    const generous = buildIndex(policy(), parseManifest({ ...manifest, adminsGetEverything: true }));
    const admin = user(1, [], { isAdmin: true });
    expect(evaluate(generous, admin, { feature: 'stock', level: 'edit', resource: 'any' })).toMatchObject({
      allowed: true,
      level: 'edit',
    });
    // Without it they hold what the policy's Administrator role gives (issue 13), not every level of every feature.
    expect(evaluate(buildIndex(policy(), manifest), admin, { feature: 'stock', level: 'read' })).toMatchObject({
      allowed: true,
      reasons: [{ kind: 'admin' }],
    });
  });
});

describe('a feature added after the portal stored its policy (issue 14: group_access)', () => {
  const shipped = loadShipped('manifest/keycard.json');
  // The policy as stored before the update: the Administrator and Manager roles without group_access.
  const stored: Policy = {
    allowList: [],
    roles: [
      {
        key: 'administrator',
        title: 'Administrator',
        builtIn: true,
        grants: { directory: { level: 'read' }, stock: { level: 'edit' } },
      },
      {
        key: 'manager',
        title: 'Manager',
        builtIn: true,
        grants: { directory: { level: 'read' }, stock: { level: 'read' } },
      },
    ],
    assignments: [
      { code: 'AU', role: 'manager' },
      { code: 'U7', role: 'administrator' },
    ],
    delegates: [],
    version: 3,
  };
  const index = buildIndex(stored, shipped);
  const request = { feature: 'group_access', level: 'read' };

  it('portal admins hold it through the shipped Administrator grant', () => {
    expect(evaluate(index, { userId: 1, active: true, isAdmin: true, codes: ['U1', 'AU'] }, request).allowed).toBe(
      true,
    );
  });

  it('employees get nothing until an admin grants it, even one assigned the stored Administrator role', () => {
    expect(evaluate(index, { userId: 5, active: true, isAdmin: false, codes: ['U5', 'AU'] }, request).allowed).toBe(
      false,
    );
    expect(evaluate(index, { userId: 7, active: true, isAdmin: false, codes: ['U7', 'AU'] }, request).allowed).toBe(
      false,
    );
  });

  it('an explicit stored Administrator grant still wins over the shipped one', () => {
    const limited = buildIndex(
      {
        ...stored,
        roles: stored.roles.map((role) => ({ ...role, grants: { ...role.grants, stock: { level: 'read' } } })),
      },
      shipped,
    );
    const admin = { userId: 1, active: true, isAdmin: true, codes: ['U1', 'AU'] };
    expect(evaluate(limited, admin, { feature: 'stock', level: 'edit' }).allowed).toBe(false);
  });

  it('on a policy saved before features were recorded, a grant removed from Administrator stays removed', () => {
    // `stock` existed then (Manager names it): the Administrator role without it is an admin's "no access".
    const removed = buildIndex(
      {
        ...stored,
        roles: stored.roles.map((role) =>
          role.key === 'administrator' ? { ...role, grants: { directory: { level: 'read' } } } : role,
        ),
      },
      shipped,
    );
    const admin = { userId: 1, active: true, isAdmin: true, codes: ['U1', 'AU'] };
    expect(evaluate(removed, admin, { feature: 'stock', level: 'edit' }).allowed).toBe(false);
    expect(evaluate(removed, admin, request).allowed).toBe(true);
  });

  it('a save that knew the feature and left it out of the Administrator role is "no access", for admins too', () => {
    const savedSince = buildIndex({ ...stored, features: ['directory', 'stock', 'group_access'] }, shipped);
    const admin = { userId: 1, active: true, isAdmin: true, codes: ['U1', 'AU'] };
    expect(evaluate(savedSince, admin, request).allowed).toBe(false);
  });
});
