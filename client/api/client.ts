import {
  accessCheckSchema,
  groupAccessSchema,
  auditFiltersSchema,
  auditPageSchema,
  conflictsSchema,
  invalidPolicyBodySchema,
  policyChangedBodySchema,
  policyImpactSchema,
  policyResponseSchema,
  stockSchema,
  type AccessCheck,
  type GroupAccess,
  type AuditFilters,
  type AuditPage,
  type Conflicts,
  type Policy,
  type PolicyImpact,
  type PolicyProblem,
  type PolicyResponse,
  type Stock,
} from './accessSchemas';
import type { Decoder } from './decode';
import {
  approvedSchema,
  declinedSchema,
  requestCountSchema,
  requestListSchema,
  type AccessRequestItem,
  type Approved,
  type RequestList,
} from './requestSchemas';
import { ApiError, createHttp, parseBody, type RequestOptions } from './http';
import { AUDIT_PAGE_SIZE, MAX_USERS_PAGE, type ActiveFilter, type ApiClientOptions, type UsersQuery } from './queries';
import {
  departmentsResponseSchema,
  meSchema,
  scopesReportSchema,
  syncStartSchema,
  syncStatusSchema,
  usersPageSchema,
  type DepartmentsResponse,
  type Me,
  type ScopesReport,
  type SyncStart,
  type SyncStatus,
  type UsersPage,
} from './schemas';

export { ApiError, APP_ACCESS_DENIED, CLIENT_ERROR_CODES, type RequestOptions } from './http';
export { AUDIT_PAGE_SIZE, MAX_USERS_PAGE, type ActiveFilter, type ApiClientOptions, type UsersQuery } from './queries';

/** Typed access to the Keycard server; the only module that calls `fetch`. */
export interface ApiClient {
  me(options?: RequestOptions): Promise<Me>;
  scopes(options?: RequestOptions): Promise<ScopesReport>;
  /** State of the directory mirror (GET /api/sync). */
  syncStatus(options?: RequestOptions): Promise<SyncStatus>;
  /** Starts a sync (POST /api/sync); admins only, others get a 403 `ADMIN_REQUIRED`. */
  startSync(options?: RequestOptions): Promise<SyncStart>;
  departments(options?: RequestOptions): Promise<DepartmentsResponse>;
  users(query: UsersQuery, options?: RequestOptions): Promise<UsersPage>;
  /** The access policy with its ETag, the manifest and the names of its codes (access.manage). */
  policy(options?: RequestOptions): Promise<PolicyResponse>;
  /**
   * Saves the policy if nobody saved since `etag` (If-Match). An invalid policy and a lost race are
   * answers, not failures; anything else (428, 403 DELEGATES_ADMIN_ONLY, network) throws an ApiError.
   */
  savePolicy(etag: string, policy: PolicyInput, options?: RequestOptions): Promise<SavePolicyResult>;
  /** Who would lose what if the draft were saved (nothing is saved). */
  policyImpact(policy: PolicyInput, options?: RequestOptions): Promise<PolicyImpact>;
  /** Back to the fresh-install default (portal admins), if nobody saved since `etag`. */
  resetPolicy(etag: string, options?: RequestOptions): Promise<PolicyResponse>;
  /** Why a user may or may not open the app and use each feature (access.manage). */
  checkUser(userId: string, options?: RequestOptions): Promise<AccessCheck>;
  /** The workgroup tab: the group's people and their access, explained (the feature on SONET_GROUP_DETAIL_TAB). */
  groupAccess(groupId: string, options?: RequestOptions): Promise<GroupAccess>;
  /** Users reached by rules with different levels (access.manage). */
  conflicts(options?: RequestOptions): Promise<Conflicts>;
  /** One page of the audit log, newest first (access.manage). */
  audit(query: AuditQuery, options?: RequestOptions): Promise<AuditPage>;
  /** Who made changes and which codes the log cites, by name: what the audit filters offer (access.manage). */
  auditFilters(options?: RequestOptions): Promise<AuditFilters>;
  /** Access requests of the portal: open first, then decided (access.manage). */
  accessRequests(options?: RequestOptions): Promise<RequestList>;
  /** How many requests wait for a decision (access.manage). */
  accessRequestCount(options?: RequestOptions): Promise<{ open: number }>;
  /**
   * Approves a request to the allow-list or a role, if nobody saved the access settings since `etag` (If-Match);
   * a lost race is an answer (`changed`), anything else (409 REQUEST_DECIDED, 400, network) throws an ApiError.
   */
  approveRequest(id: string, etag: string, as: ApproveAs, options?: RequestOptions): Promise<ApproveResult>;
  /** Declines a request with a reason (required). */
  declineRequest(id: string, reason: string, options?: RequestOptions): Promise<AccessRequestItem>;
  /** The sample resource-scoped feature (stock:read). */
  stock(options?: RequestOptions): Promise<Stock>;
  /** Sets one item's count in one warehouse (stock:edit on that warehouse); answers the stock as now seen. */
  setStockCount(sku: string, warehouse: string, quantity: number, options?: RequestOptions): Promise<Stock>;
}

/** The body of PUT /api/access/policy (the server ignores a `version`); roles it deletes must be confirmed. */
export type PolicyInput = Omit<Policy, 'version'> & { confirmDeletedRoles?: string[] };

/** How a save ended when the server answered as the contract says. */
export type SavePolicyResult =
  | { outcome: 'saved'; response: PolicyResponse }
  /** 400 INVALID_POLICY: every problem at once; nothing was saved. */
  | { outcome: 'invalid'; problems: PolicyProblem[] }
  /** 409 POLICY_CHANGED: someone saved first; `current` is what they saved. */
  | { outcome: 'changed'; current: PolicyResponse };

/** How an approval lets the person in. */
export type ApproveAs = { as: 'allowList' } | { as: 'role'; role: string };

/** How an approval ended: saved, or 409 POLICY_CHANGED (someone saved the settings first; reload them). */
export type ApproveResult = { outcome: 'approved'; approved: Approved } | { outcome: 'changed' };

/** Query of GET /api/audit; empty fields are left out of the URL. */
export interface AuditQuery {
  /** Only saves by this user id. */
  actor?: string | null;
  /** Only changes naming this access code. */
  code?: string | null;
  cursor?: string | null;
  limit?: number;
}

const ACTIVE_PARAM: Record<ActiveFilter, string> = { active: 'true', fired: 'false', all: 'all' };

/** The path with the query string of GET /api/directory/users. */
export function usersPath(query: UsersQuery): string {
  const params = new URLSearchParams();
  const q = query.q?.trim() ?? '';
  if (q !== '') params.set('q', q);
  if (query.department !== undefined && query.department !== null) {
    params.set('department', String(query.department));
    if (query.subdepartments !== undefined) params.set('subdepartments', String(query.subdepartments));
  }
  if (query.active !== undefined) params.set('active', ACTIVE_PARAM[query.active]);
  if (query.cursor !== undefined && query.cursor !== null) params.set('cursor', query.cursor);
  if (query.limit !== undefined)
    params.set('limit', String(Math.min(Math.max(1, Math.floor(query.limit)), MAX_USERS_PAGE)));
  const search = params.toString();
  return search === '' ? '/api/directory/users' : `/api/directory/users?${search}`;
}

/** The path with the query string of GET /api/audit. */
export function auditPath(query: AuditQuery): string {
  const params = new URLSearchParams({ limit: String(query.limit ?? AUDIT_PAGE_SIZE) });
  if (query.cursor) params.set('cursor', query.cursor);
  if (query.actor) params.set('actor', query.actor);
  if (query.code) params.set('code', query.code);
  return `/api/audit?${params.toString()}`;
}

export function createApiClient(options: ApiClientOptions): ApiClient {
  const http = createHttp({ ...options, baseUrl: options.baseUrl ?? '' });
  const get = <T>(path: string, schema: Decoder<T, unknown>, request: RequestOptions = {}) =>
    http.json({ method: 'GET', path, signal: request.signal }, schema);

  async function savePolicy(
    etag: string,
    policy: PolicyInput,
    request: RequestOptions = {},
  ): Promise<SavePolicyResult> {
    const path = '/api/access/policy';
    const body: PolicyInput = {
      allowList: policy.allowList,
      roles: policy.roles,
      assignments: policy.assignments,
      delegates: policy.delegates,
      ...(policy.confirmDeletedRoles === undefined ? {} : { confirmDeletedRoles: policy.confirmDeletedRoles }),
    };
    try {
      const response = await http.json(
        { method: 'PUT', path, body, headers: { 'If-Match': etag }, signal: request.signal },
        policyResponseSchema,
      );
      return { outcome: 'saved', response };
    } catch (err: unknown) {
      if (!(err instanceof ApiError)) throw err;
      if (err.status === 400 && err.code === 'INVALID_POLICY') {
        return {
          outcome: 'invalid',
          problems: parseBody(`PUT ${path}`, 400, err.body, invalidPolicyBodySchema).problems,
        };
      }
      if (err.status === 409 && err.code === 'SAVE_LOCKS_YOU_OUT') {
        // Refused so the saver keeps access management: shown by the control it concerns, like any problem.
        return {
          outcome: 'invalid',
          problems: parseBody(`PUT ${path}`, 409, err.body, invalidPolicyBodySchema).problems,
        };
      }
      if (err.status === 409) {
        return {
          outcome: 'changed',
          current: parseBody(`PUT ${path}`, 409, err.body, policyChangedBodySchema).current,
        };
      }
      throw err;
    }
  }

  async function approveRequest(
    id: string,
    etag: string,
    as: ApproveAs,
    request: RequestOptions = {},
  ): Promise<ApproveResult> {
    const path = `/api/access-requests/${encodeURIComponent(id)}/approve`;
    try {
      const approved = await http.json(
        { method: 'POST', path, body: as, headers: { 'If-Match': etag }, signal: request.signal },
        approvedSchema,
      );
      return { outcome: 'approved', approved };
    } catch (err: unknown) {
      if (err instanceof ApiError && err.status === 409 && err.code === 'POLICY_CHANGED') return { outcome: 'changed' };
      throw err;
    }
  }

  return {
    accessRequests: (request) => get('/api/access-requests', requestListSchema, request),
    accessRequestCount: (request) => get('/api/access-requests/count', requestCountSchema, request),
    approveRequest,
    declineRequest: async (id, reason, request) =>
      (
        await http.json(
          {
            method: 'POST',
            path: `/api/access-requests/${encodeURIComponent(id)}/decline`,
            body: { reason },
            signal: request?.signal,
          },
          declinedSchema,
        )
      ).request,
    me: (request) => get('/api/me', meSchema, request),
    scopes: (request) => get('/api/scopes', scopesReportSchema, request),
    syncStatus: (request) => get('/api/sync', syncStatusSchema, request),
    startSync: (request) => http.json({ method: 'POST', path: '/api/sync', signal: request?.signal }, syncStartSchema),
    departments: (request) => get('/api/directory/departments', departmentsResponseSchema, request),
    users: (query, request) => get(usersPath(query), usersPageSchema, request),
    policy: (request) => get('/api/access/policy', policyResponseSchema, request),
    savePolicy,
    policyImpact: (policy, request) =>
      http.json(
        {
          method: 'POST',
          path: '/api/access/policy/impact',
          body: {
            allowList: policy.allowList,
            roles: policy.roles,
            assignments: policy.assignments,
            delegates: policy.delegates,
          },
          signal: request?.signal,
        },
        policyImpactSchema,
      ),
    resetPolicy: (etag, request) =>
      http.json(
        { method: 'POST', path: '/api/access/policy/reset', headers: { 'If-Match': etag }, signal: request?.signal },
        policyResponseSchema,
      ),
    checkUser: (userId, request) =>
      get(`/api/access/check?user=${encodeURIComponent(userId)}`, accessCheckSchema, request),
    groupAccess: (groupId, request) =>
      get(`/api/placements/group-access/${encodeURIComponent(groupId)}`, groupAccessSchema, request),
    conflicts: (request) => get('/api/access/conflicts', conflictsSchema, request),
    audit: (query, request) => get(auditPath(query), auditPageSchema, request),
    auditFilters: (request) => get('/api/audit/filters', auditFiltersSchema, request),
    stock: (request) => get('/api/stock', stockSchema, request),
    setStockCount: (sku, warehouse, quantity, request) =>
      http.json(
        {
          method: 'PUT',
          path: `/api/stock/${encodeURIComponent(sku)}/${encodeURIComponent(warehouse)}`,
          body: { quantity },
          signal: request?.signal,
        },
        stockSchema,
      ),
  };
}
