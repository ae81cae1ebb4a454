import type { AccessManifest, MeAccess, Policy, PolicyResponse } from '../../../client/api/accessSchemas';
import type { Me } from '../../../client/api/schemas';
import { createAccessState, type AccessState } from '../../../client/composables/useAccess';

/** Levels and features as in manifest/keycard.json, with three warehouses. */
export const manifest: AccessManifest = {
  levels: [
    { key: 'read', title: 'Read', requires: [] },
    { key: 'edit', title: 'Edit', requires: ['read'] },
  ],
  features: [
    { key: 'directory', title: 'Company directory', levels: ['read'], adminOnly: false },
    { key: 'reports', title: 'Reports', levels: ['read', 'edit'], adminOnly: false },
    // Offers edit without read: edit would confer nothing, so only read is grantable.
    { key: 'notes', title: 'Notes', levels: ['edit'], adminOnly: false },
    { key: 'settings', title: 'App settings', levels: ['read', 'edit'], adminOnly: true },
    { key: 'stock', title: 'Stock by warehouse', levels: ['read', 'edit'], adminOnly: false, resource: 'warehouse' },
  ],
  resourceTypes: [
    {
      key: 'warehouse',
      title: 'Warehouse',
      resources: [
        { id: '1', name: 'Main warehouse' },
        { id: '2', name: 'North' },
        { id: '3', name: 'South' },
      ],
    },
  ],
  builtInRoles: ['administrator', 'manager'],
};

export const basePolicy: Policy = {
  allowList: ['DR12', 'U7'],
  roles: [
    {
      key: 'administrator',
      title: 'Administrator',
      builtIn: true,
      grants: {
        directory: { level: 'read' },
        reports: { level: 'edit' },
        settings: { level: 'edit' },
        stock: { level: 'edit' },
      },
    },
    {
      key: 'manager',
      title: 'Manager',
      builtIn: true,
      grants: { directory: { level: 'read' }, reports: { level: 'read' }, stock: { level: 'read', resources: ['1'] } },
    },
  ],
  assignments: [{ code: 'D3', role: 'manager' }],
  delegates: ['U9'],
  version: 4,
};

/** GET /api/access/policy as the contract shows it. */
export function policyResponse(
  overrides: Partial<Policy> & { etag?: string; names?: PolicyResponse['names'] } = {},
): PolicyResponse {
  const { etag = '"v4"', names = {}, ...policy } = overrides;
  return {
    policy: { ...basePolicy, ...policy },
    etag,
    manifest,
    names: {
      DR12: { title: 'Sales', kind: 'departmentTree' },
      U7: { title: 'Ivan Petrov', kind: 'user' },
      D3: { title: 'Support', kind: 'department' },
      U9: { title: 'Olga Delegate', kind: 'user' },
      ...names,
    },
  };
}

/** An admin holding everything. */
export const fullAccess: MeAccess = {
  open: true,
  manage: true,
  features: {
    directory: { level: 'read', levels: { read: 'all' } },
    reports: { level: 'edit', levels: { read: 'all', edit: 'all' } },
    settings: { level: 'edit', levels: { read: 'all', edit: 'all' } },
    stock: { level: 'edit', levels: { read: 'all', edit: 'all' } },
  },
};

/** An employee with read on stock in warehouses 1 and 3 and nothing else. */
export const stockReaderAccess: MeAccess = {
  open: true,
  manage: false,
  features: {
    directory: { level: null, levels: {} },
    reports: { level: null, levels: {} },
    settings: { level: null, levels: {} },
    stock: { level: 'read', levels: { read: ['1', '3'] } },
  },
};

export function meWith(access: MeAccess, user: Partial<Me['user']> = {}): Me {
  return {
    user: { id: '1', name: 'Anna Smirnova', isAdmin: true, ...user },
    portal: { domain: 'acme.bitrix24.com', memberId: 'member-1' },
    lang: 'en',
    access,
  };
}

export const adminMe: Me = meWith(fullAccess);

/** An access state that answers `me` (loading starts at once; flush promises before asserting). */
export function accessFor(me: Me): AccessState {
  const state = createAccessState({ fetchMe: async () => me });
  void state.load();
  return state;
}
