import fc from 'fast-check';
import { manifest, normalizeCode, type PolicyContent } from './fuzz-rules.js';

/*
 * Random policy saves for the fuzz, as recipes applied to the policy the model holds when the step runs: edits
 * that keep a policy valid (so saves can succeed and change who may do what), and breakages that each make it
 * invalid for a reason DESIGN.md names (400 INVALID_POLICY listing every problem). A recipe is plain data, so a
 * failing step prints what it sent and fast-check can shrink it.
 */

/** Codes the edits use: syntactically valid (the fuzz's mirror has no generation, so none is checked against it). */
const CODES = [
  'AU',
  'U1',
  'U2',
  'U10',
  'IU10',
  'U20',
  'U21',
  'U30',
  'U40',
  'D1',
  'DR1',
  'D2',
  'DR2',
  'D3',
  'SG3',
  'U999',
];
const CUSTOM_ROLES = ['r1', 'r2', 'r3'];
const TITLES = ['Viewer', '  Padded title  ', 'Склад', 'Editors <b>&amp;</b>', 'x'.repeat(200)];

/** A grant the manifest allows: a level the feature offers (with what it requires), resources only on `stock`. */
const validGrant = fc.oneof(
  fc.constantFrom('directory', 'menu', 'workgroups').map((feature) => ({ feature, level: 'read' })),
  fc.record({ feature: fc.constantFrom('reports', 'settings'), level: fc.constantFrom('read', 'edit') }),
  fc.record({
    feature: fc.constant('stock'),
    level: fc.constantFrom('read', 'edit'),
    resources: fc.option(fc.subarray(['1', '2', '3']), { nil: undefined }),
  }),
);

export type Edit =
  /** Adds the code to the list (`on`) or removes it (codes compared as stored: `SG3` is `SG3_K`). */
  | { op: 'allow' | 'delegate'; code: string; on: boolean }
  | { op: 'clearAllow' }
  | { op: 'reorder' }
  | { op: 'addRole'; key: string; title: string }
  | { op: 'dropRole'; key: string }
  | { op: 'rename'; role: number; title: string }
  | { op: 'grant'; role: number; feature: string; level: string; resources?: string[] | undefined }
  | { op: 'ungrant'; role: number; feature: string }
  | { op: 'assign'; code: string; role: number };

const edit: fc.Arbitrary<Edit> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant('allow' as const),
      // `AU` often: a list without it shuts most users out, and the fuzz wants them in as often as out.
      code: fc.oneof(fc.constant('AU'), fc.constantFrom(...CODES)),
      on: fc.boolean(),
    }),
  },
  {
    weight: 5,
    arbitrary: fc.record({
      op: fc.constant('delegate' as const),
      // Mostly codes user 10 holds (once mirrored: IU10, D2, DR2), so delegates do save.
      code: fc.oneof(fc.constantFrom('U10', 'IU10', 'D2', 'DR2'), fc.constantFrom(...CODES)),
      on: fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
    }),
  },
  { weight: 1, arbitrary: fc.constant({ op: 'clearAllow' as const }) },
  { weight: 1, arbitrary: fc.constant({ op: 'reorder' as const }) },
  {
    weight: 2,
    arbitrary: fc.record({
      op: fc.constant('addRole' as const),
      key: fc.constantFrom(...CUSTOM_ROLES),
      title: fc.constantFrom(...TITLES),
    }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('dropRole' as const), key: fc.constantFrom(...CUSTOM_ROLES) }) },
  {
    weight: 1,
    arbitrary: fc.record({ op: fc.constant('rename' as const), role: fc.nat(4), title: fc.constantFrom(...TITLES) }),
  },
  {
    weight: 3,
    arbitrary: fc.tuple(fc.nat(4), validGrant).map(([role, grant]): Edit => ({ op: 'grant', role, ...grant })),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      op: fc.constant('ungrant' as const),
      role: fc.nat(4),
      feature: fc.constantFrom(...manifest.features.map((feature) => feature.key)),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({ op: fc.constant('assign' as const), code: fc.constantFrom(...CODES), role: fc.nat(4) }),
  },
);

/** Ways to make a policy invalid, each named after the rule it breaks; `path` is where the 400 must point. */
export const BREAKAGES = {
  unknownCodeSyntax: { path: 'allowList' },
  userZero: { path: 'allowList' },
  duplicateCode: { path: 'allowList' },
  codeTooLong: { path: 'allowList' },
  emptyCode: { path: 'allowList' },
  delegateSyntax: { path: 'delegates' },
  unknownRole: { path: 'assignments' },
  duplicateAssignment: { path: 'assignments' },
  unknownFeature: { path: 'roles' },
  grantsAccessManage: { path: 'roles' },
  levelNotOffered: { path: 'roles' },
  unknownLevel: { path: 'roles' },
  unknownWarehouse: { path: 'roles' },
  resourcesOnPlainFeature: { path: 'roles' },
  fakeBuiltIn: { path: 'roles' },
  missingBuiltIn: { path: 'roles' },
  duplicateRoleKey: { path: 'roles' },
  blankTitle: { path: 'roles' },
  allowListNotArray: { path: 'allowList' },
  delegatesMissing: { path: 'delegates' },
  notAnObject: { path: 'policy' },
} as const;
export type Breakage = keyof typeof BREAKAGES;

/** What a save sends: edits to the current policy, then breakages (none: a valid policy), and hostile extra keys. */
export interface Recipe {
  edits: Edit[];
  breakages: readonly Breakage[];
  /** Adds keys a save must ignore: another portal's member id, a version, fields the schema does not know. */
  noise: boolean;
  /** Lists the roles the draft deletes in `confirmDeletedRoles` (without it, deleting a role is refused). */
  confirm: boolean;
}

export const recipe: fc.Arbitrary<Recipe> = fc.record({
  edits: fc.array(edit, { minLength: 0, maxLength: 5 }),
  breakages: fc.oneof(
    { weight: 3, arbitrary: fc.constant<Breakage[]>([]) },
    {
      weight: 1,
      arbitrary: fc.uniqueArray(fc.constantFrom(...(Object.keys(BREAKAGES) as Breakage[])), {
        minLength: 1,
        maxLength: 2,
      }),
    },
  ),
  noise: fc.boolean(),
  confirm: fc.oneof({ weight: 3, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) }),
});

/**
 * A recipe that certainly changes something (for the concurrent-save race), confirming what it deletes. It may
 * still be refused by what it meets: a role name taken, a grant limited to no warehouse.
 */
export const changingRecipe: fc.Arbitrary<Recipe> = fc.record({
  edits: fc
    .record({ code: fc.constantFrom(...CODES), on: fc.boolean() })
    .chain(({ code, on }) =>
      fc.array(edit, { maxLength: 2 }).map((rest): Edit[] => [{ op: 'allow', code, on }, ...rest]),
    ),
  breakages: fc.constant<Breakage[]>([]),
  noise: fc.boolean(),
  confirm: fc.constant(true),
});

type Role = PolicyContent['roles'][number];

/** A deep copy, so applying a recipe never touches the model's own policy. */
function copy(policy: PolicyContent): PolicyContent {
  return structuredClone(policy);
}

function setListed(list: string[], code: string, on: boolean): string[] {
  const present = list.some((item) => normalizeCode(item) === normalizeCode(code));
  if (on) return present ? list : [...list, code];
  return list.filter((item) => normalizeCode(item) !== normalizeCode(code));
}

function applyEdit(policy: PolicyContent, change: Edit): void {
  const role = (index: number): Role | undefined => policy.roles[index % policy.roles.length];
  switch (change.op) {
    case 'allow':
      policy.allowList = setListed(policy.allowList, change.code, change.on);
      return;
    case 'delegate':
      policy.delegates = setListed(policy.delegates, change.code, change.on);
      return;
    case 'clearAllow':
      policy.allowList = [];
      return;
    case 'reorder':
      policy.allowList.reverse();
      policy.delegates.reverse();
      policy.roles.reverse();
      policy.assignments.reverse();
      return;
    case 'addRole':
      if (!policy.roles.some((item) => item.key === change.key))
        policy.roles.push({ key: change.key, title: change.title, builtIn: false, grants: {} });
      return;
    case 'dropRole':
      policy.roles = policy.roles.filter((item) => item.key !== change.key);
      policy.assignments = policy.assignments.filter((item) => item.role !== change.key);
      return;
    case 'rename': {
      const target = role(change.role);
      if (target !== undefined) target.title = change.title;
      return;
    }
    case 'grant': {
      const target = role(change.role);
      if (target !== undefined)
        target.grants[change.feature] =
          change.resources === undefined
            ? { level: change.level }
            : { level: change.level, resources: change.resources };
      return;
    }
    case 'ungrant': {
      const target = role(change.role);
      if (target !== undefined) delete target.grants[change.feature];
      return;
    }
    case 'assign': {
      const target = role(change.role);
      if (target === undefined) return;
      const code = normalizeCode(change.code);
      const present = policy.assignments.some((item) => normalizeCode(item.code) === code && item.role === target.key);
      policy.assignments = present
        ? policy.assignments.filter((item) => !(normalizeCode(item.code) === code && item.role === target.key))
        : [...policy.assignments, { code: change.code, role: target.key }];
      return;
    }
  }
}

/** Breaks `policy` in place; the shape breakages (not an object, a list that is a string) come last, in `shape`. */
function applyBreakage(policy: PolicyContent, breakage: Breakage): void {
  const first = policy.roles[0];
  const grantOnFirst = (feature: string, grant: object) => {
    if (first !== undefined) first.grants[feature] = grant as Role['grants'][string];
  };
  switch (breakage) {
    case 'unknownCodeSyntax':
      policy.allowList.push('X1');
      return;
    case 'userZero':
      policy.allowList.push('U0');
      return;
    case 'duplicateCode':
      policy.allowList.push(...(policy.allowList.length === 0 ? ['AU', 'AU'] : [policy.allowList[0] ?? 'AU']));
      return;
    case 'codeTooLong':
      policy.allowList.push(`U${'1'.repeat(40)}`);
      return;
    case 'emptyCode':
      policy.allowList.push('');
      return;
    case 'delegateSyntax':
      policy.delegates.push('G1');
      return;
    case 'unknownRole':
      policy.assignments.push({ code: 'AU', role: 'boss' });
      return;
    case 'duplicateAssignment': {
      const pair = policy.assignments[0] ?? { code: 'AU', role: 'manager' };
      policy.assignments.push({ ...pair }, { ...pair });
      return;
    }
    case 'unknownFeature':
      grantOnFirst('payroll', { level: 'read' });
      return;
    case 'grantsAccessManage':
      grantOnFirst('access.manage', { level: 'edit' });
      return;
    case 'levelNotOffered':
      grantOnFirst('directory', { level: 'edit' });
      return;
    case 'unknownLevel':
      grantOnFirst('reports', { level: 'admin' });
      return;
    case 'unknownWarehouse':
      grantOnFirst('stock', { level: 'read', resources: ['42'] });
      return;
    case 'resourcesOnPlainFeature':
      grantOnFirst('reports', { level: 'read', resources: ['1'] });
      return;
    case 'fakeBuiltIn':
      policy.roles.push({ key: 'ghost', title: 'Ghost', builtIn: true, grants: {} });
      return;
    case 'missingBuiltIn':
      policy.roles = policy.roles.filter((item) => item.key !== 'manager');
      return;
    case 'duplicateRoleKey':
      if (first !== undefined) policy.roles.push(structuredClone(first));
      return;
    case 'blankTitle':
      if (first !== undefined) first.title = '   ';
      return;
    case 'allowListNotArray':
    case 'delegatesMissing':
    case 'notAnObject':
      return;
  }
}

/** The breakages that change the body's shape rather than its content. */
function shape(body: Record<string, unknown>, breakages: readonly Breakage[]): unknown {
  if (breakages.includes('notAnObject')) return [body];
  const { delegates, ...rest } = body;
  return {
    ...rest,
    ...(breakages.includes('delegatesMissing') ? {} : { delegates }),
    ...(breakages.includes('allowListNotArray') ? { allowList: 'everyone' } : {}),
  };
}

/** What a recipe sends, and what the store must hold if the save goes through (undefined: it must be refused). */
export interface PreparedSave {
  /** The JSON text of the body. */
  json: string;
  /**
   * The policy as stored after a successful save: codes normalized, titles trimmed, unknown keys dropped. Undefined
   * when the draft itself is invalid (400 INVALID_POLICY before anything else is looked at).
   */
  expected: PolicyContent | undefined;
  breakages: readonly Breakage[];
  /**
   * Where the cross-checks find problems the breakages do not name (reported with them, unless the schema already
   * refused the body): a role name used twice, a grant limited to no warehouse.
   */
  problems: string[];
  /** Roles of the current policy the draft deletes without listing them in `confirmDeletedRoles`. */
  unconfirmed: string[];
}

/** Problems the server's cross-checks report that no breakage stands for, at their paths (roles in body order). */
function crossProblems(roles: readonly Role[]): string[] {
  const problems: string[] = [];
  const titles = new Set<string>();
  roles.forEach((role, r) => {
    // Role names are unique, ignoring case and the spaces a save trims.
    const title = role.title.trim().toLocaleLowerCase();
    if (titles.has(title)) problems.push(`roles.${r}.title`);
    titles.add(title);
    // "Limited to no warehouse" gives nothing: refused, not stored.
    if (Array.isArray(role.grants['stock']?.resources) && role.grants['stock'].resources.length === 0)
      problems.push(`roles.${r}.grants.stock.resources`);
  });
  return problems;
}

/**
 * Keys a save must ignore: another portal's member id, a version and an ETag of its own, an unknown field, and a
 * `__proto__` key (JSON.parse makes it an own property; it must not become the policy's prototype).
 */
function noisy(json: string, otherMemberId: string): string {
  const noise = JSON.stringify({ memberId: otherMemberId, version: 987_654, etag: '"0-default"', extra: 1 });
  return json.startsWith('{') ? `{"__proto__":{"allowList":["AU"]},${noise.slice(1, -1)},${json.slice(1)}` : json;
}

export function prepareSave(current: PolicyContent, otherMemberId: string, plan: Recipe): PreparedSave {
  const edited = copy(current);
  for (const change of plan.edits) applyEdit(edited, change);
  const kept = new Set(edited.roles.map((role) => role.key));
  const deleted = current.roles.map((role) => role.key).filter((key) => !kept.has(key));
  const valid = plan.breakages.length === 0 && crossProblems(edited.roles).length === 0;
  const expected: PolicyContent | undefined = !valid
    ? undefined
    : {
        allowList: edited.allowList.map(normalizeCode),
        roles: edited.roles.map((role) => ({ ...role, title: role.title.trim() })),
        assignments: edited.assignments.map((item) => ({ ...item, code: normalizeCode(item.code) })),
        delegates: edited.delegates.map(normalizeCode),
        // A body without companyRoles keeps the stored ones (issue 13).
        ...(current.companyRoles === undefined ? {} : { companyRoles: current.companyRoles }),
      };
  for (const breakage of plan.breakages) applyBreakage(edited, breakage);
  const body = { ...edited, ...(plan.confirm ? { confirmDeletedRoles: deleted } : {}) };
  const json = JSON.stringify(shape(body, plan.breakages));
  return {
    json: plan.noise ? noisy(json, otherMemberId) : json,
    expected,
    breakages: plan.breakages,
    problems: crossProblems(edited.roles),
    unconfirmed: plan.confirm ? [] : deleted,
  };
}
