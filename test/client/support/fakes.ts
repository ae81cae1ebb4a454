import { computed, shallowRef } from 'vue';
import { vi } from 'vitest';
import type { ApiClient } from '../../../client/api/client';
import type { SyncStatus, ScopesReport } from '../../../client/api/schemas';
import type { B24, B24Status, SelectedAccessCode } from '../../../client/composables/useB24';
import { adminMe, policyResponse } from './access';

/** A B24 whose status the test sets, with spies for the actions (no iframe, no postMessage). */
export function fakeB24(initial: { status?: B24Status; isInstallMode?: boolean } = {}) {
  const status = shallowRef<B24Status>(initial.status ?? 'ready');
  const isInstallMode = shallowRef(initial.isInstallMode ?? false);
  const b24 = {
    status: computed(() => status.value),
    ready: computed(() => status.value === 'ready'),
    error: computed(() => (status.value === 'unavailable' ? { code: 'timeout' as const, message: 'no answer' } : null)),
    isInstallMode: computed(() => isInstallMode.value),
    installFinish: vi.fn<() => Promise<void>>().mockResolvedValue(undefined),
    resizeFrame: vi.fn<(height: number) => Promise<void>>().mockResolvedValue(undefined),
    setTitle: vi.fn<(title: string) => Promise<void>>().mockResolvedValue(undefined),
    reloadApp: vi.fn<() => Promise<boolean>>().mockResolvedValue(true),
    selectAccess: vi.fn<(blocked: string[]) => Promise<SelectedAccessCode[]>>().mockResolvedValue([]),
    destroy: vi.fn<() => void>(),
  } satisfies B24;
  return { b24, status };
}

/** A finished sync of a small company, workgroups mirrored. */
export const idleSync: SyncStatus = {
  state: 'idle',
  generation: 3,
  refreshedAt: Date.UTC(2025, 4, 6, 12, 0),
  lastRun: {
    trigger: 'install',
    startedAt: Date.UTC(2025, 4, 6, 11, 59, 18),
    finishedAt: Date.UTC(2025, 4, 6, 12, 0),
    durationMs: 42_000,
    users: 50_000,
    departments: 1365,
    workgroups: 12,
    requests: 290,
  },
  workgroups: { available: true },
};

/** Every method of ApiClient as a spy. */
export type StubApi = {
  [K in keyof ApiClient]: ReturnType<typeof vi.fn<ApiClient[K]>>;
};

/**
 * An ApiClient answering from fixed data; each method is a spy that can be replaced per test. The
 * directory answers as before the first sync unless the test says otherwise.
 */
export function stubApi(report: ScopesReport): StubApi {
  return {
    me: vi.fn<ApiClient['me']>().mockResolvedValue(adminMe),
    scopes: vi.fn<ApiClient['scopes']>().mockResolvedValue(report),
    syncStatus: vi.fn<ApiClient['syncStatus']>().mockResolvedValue(idleSync),
    startSync: vi
      .fn<ApiClient['startSync']>()
      .mockResolvedValue({ started: true, status: { ...idleSync, state: 'running' } }),
    departments: vi.fn<ApiClient['departments']>().mockResolvedValue({ generation: null, refreshedAt: null, tree: [] }),
    users: vi.fn<ApiClient['users']>().mockResolvedValue({ generation: null, total: 0, nextCursor: null, users: [] }),
    policy: vi.fn<ApiClient['policy']>().mockResolvedValue(policyResponse()),
    // Saves whatever it is sent, as the server does when the policy is valid and nobody saved first.
    savePolicy: vi.fn<ApiClient['savePolicy']>().mockImplementation(async (_etag, policy) => ({
      outcome: 'saved',
      response: policyResponse({ ...policy, version: 5, etag: '"v5"' }),
    })),
    // A draft that takes nothing from anyone: the save goes straight on.
    policyImpact: vi
      .fn<ApiClient['policyImpact']>()
      .mockResolvedValue({ losses: [], locksYouOut: false, deletedRoles: [] }),
    resetPolicy: vi.fn<ApiClient['resetPolicy']>().mockRejectedValue(new Error('resetPolicy not stubbed')),
    checkUser: vi.fn<ApiClient['checkUser']>().mockRejectedValue(new Error('checkUser not stubbed')),
    conflicts: vi
      .fn<ApiClient['conflicts']>()
      .mockResolvedValue({ total: 0, people: 0, truncated: false, groups: [], names: {} }),
    audit: vi.fn<ApiClient['audit']>().mockResolvedValue({ entries: [], nextCursor: null, names: {} }),
    auditFilters: vi.fn<ApiClient['auditFilters']>().mockResolvedValue({ actors: [], codes: [] }),
    groupAccess: vi.fn<ApiClient['groupAccess']>().mockRejectedValue(new Error('not faked')),
    accessRequests: vi.fn<ApiClient['accessRequests']>().mockResolvedValue({ requests: [], open: 0 }),
    accessRequestCount: vi.fn<ApiClient['accessRequestCount']>().mockResolvedValue({ open: 0 }),
    approveRequest: vi.fn<ApiClient['approveRequest']>().mockRejectedValue(new Error('approveRequest not stubbed')),
    declineRequest: vi.fn<ApiClient['declineRequest']>().mockRejectedValue(new Error('declineRequest not stubbed')),
    stock: vi.fn<ApiClient['stock']>().mockResolvedValue({ warehouses: [], items: [] }),
    setStockCount: vi.fn<ApiClient['setStockCount']>().mockResolvedValue({ warehouses: [], items: [] }),
  };
}

/** Two granted scopes, one missing that turns off the directory. */
export const partlyGranted: ScopesReport = {
  source: 'portal',
  scopes: [
    {
      code: 'user_brief',
      title: 'Employees (brief profile)',
      description: 'Reads employees’ names, positions and departments.',
      granted: true,
      features: [{ key: 'directory', title: 'Company directory' }],
    },
    {
      code: 'department',
      title: 'Company structure',
      description: 'Reads departments and their heads.',
      granted: false,
      features: [
        { key: 'directory', title: 'Company directory' },
        { key: 'access', title: 'Access by department' },
      ],
    },
    {
      code: 'placement',
      title: 'Menu item and widgets',
      description: 'Adds the app to the left menu.',
      granted: true,
      features: [],
    },
  ],
  unavailableFeatures: [
    { key: 'directory', title: 'Company directory', missingScopes: ['department'] },
    { key: 'access', title: 'Access by department', missingScopes: ['department'] },
  ],
};
