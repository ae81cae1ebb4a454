import { computed, inject, shallowRef, type ComputedRef, type InjectionKey } from 'vue';
import type { MeAccess } from '../api/accessSchemas';
import type { Me } from '../api/schemas';

// Hiding is not protection. This state only decides what the UI offers (navigation, pages, buttons);
// every /api route checks the same policy on the server, which is what actually keeps people out. A
// page the user may not see would get 403s from the server even if they reached it.

/** What a page asks of the user: a feature at a level, or access management (`access.manage`). */
export type AccessRequirement = { feature: string; level: string } | 'manage';

export type AccessStatus = 'idle' | 'loading' | 'ready' | 'failed';

/** The signed-in user's access, from GET /api/me, shared by the router guard, the shell and pages. */
export interface AccessState {
  /** `ready` from the first answer on: a reload keeps the last answer (pages stay mounted, drafts kept). */
  readonly status: ComputedRef<AccessStatus>;
  /** A request to /api/me is in flight (the first or a reload). */
  readonly loading: ComputedRef<boolean>;
  readonly error: ComputedRef<unknown>;
  /** The last /api/me answer. */
  readonly me: ComputedRef<Me | null>;
  /** Holds access.manage (portal admin or delegate): the Access settings pages. */
  readonly manage: ComputedRef<boolean>;
  /** The user is a portal admin (only admins may change the delegates). */
  readonly isAdmin: ComputedRef<boolean>;
  /**
   * The user may no longer open the app: /api/me says so, or a route answered APP_ACCESS_DENIED
   * (the allow-list changed after the session was issued). The app then shows a notice instead.
   */
  readonly withdrawn: ComputedRef<boolean>;
  /** May the user use `level` of `feature` (on `resource`, for a resource-scoped feature)? */
  can(feature: string, level: string, resource?: string): boolean;
  /** Whether any of `requirements` holds; no requirements means any user who may open the app. */
  allows(requirements: readonly AccessRequirement[] | undefined): boolean;
  /** Loads /api/me once; later calls wait for the same answer. */
  load(): Promise<void>;
  /** Asks /api/me again (after a save changed the policy, or to retry). */
  reload(): Promise<void>;
  /** Called by the API client on a 403 APP_ACCESS_DENIED. */
  markWithdrawn(): void;
}

export const accessKey: InjectionKey<AccessState> = Symbol('keycard.access');

export interface AccessStateOptions {
  /** GET /api/me */
  fetchMe: (signal: AbortSignal) => Promise<Me>;
}

function levelCovers(access: MeAccess, feature: string, level: string, resource: string | undefined): boolean {
  const scope = access.features[feature]?.levels[level];
  if (scope === undefined) return false;
  return resource === undefined || scope === 'all' || scope.includes(resource);
}

export function createAccessState(options: AccessStateOptions): AccessState {
  const me = shallowRef<Me | null>(null);
  const status = shallowRef<AccessStatus>('idle');
  const loading = shallowRef(false);
  const error = shallowRef<unknown>(null);
  const deniedByServer = shallowRef(false);
  let pending: Promise<void> | null = null;
  let controller: AbortController | null = null;

  async function fetchNow(): Promise<void> {
    controller?.abort();
    const current = new AbortController();
    controller = current;
    if (me.value === null) status.value = 'loading';
    loading.value = true;
    error.value = null;
    try {
      const answer = await options.fetchMe(current.signal);
      if (current.signal.aborted) return;
      me.value = answer;
      // /api/me is answered even after access is withdrawn; its `open` is the truth from now on.
      deniedByServer.value = false;
      status.value = 'ready';
    } catch (err: unknown) {
      if (current.signal.aborted) return;
      error.value = err;
      status.value = me.value === null ? 'failed' : 'ready';
    } finally {
      if (controller === current) loading.value = false;
    }
  }

  function reload(): Promise<void> {
    pending = fetchNow();
    return pending;
  }

  const access = computed(() => me.value?.access ?? null);

  const state: AccessState = {
    status: computed(() => status.value),
    loading: computed(() => loading.value),
    error: computed(() => error.value),
    me: computed(() => me.value),
    manage: computed(() => access.value?.manage === true),
    isAdmin: computed(() => me.value?.user.isAdmin === true),
    withdrawn: computed(() => deniedByServer.value || access.value?.open === false),

    can(feature, level, resource) {
      const current = access.value;
      return current !== null && current.open && levelCovers(current, feature, level, resource);
    },

    allows(requirements) {
      if (requirements === undefined || requirements.length === 0) return true;
      return requirements.some((requirement) =>
        requirement === 'manage' ? state.manage.value : state.can(requirement.feature, requirement.level),
      );
    },

    load: () => pending ?? reload(),
    reload,

    markWithdrawn() {
      deniedByServer.value = true;
    },
  };
  return state;
}

/** The access state provided by the app root (tests provide one built from a fixed answer). */
export function useAccess(): AccessState {
  const access = inject(accessKey);
  if (!access) throw new Error('useAccess() needs createAccessState() provided under accessKey');
  return access;
}
