import { computed, inject, shallowRef, type ComputedRef, type InjectionKey } from 'vue';

/**
 * Whether the session token from the bootstrap still works. The API client marks it expired on a
 * 401; the app root then replaces every page with the "reopen the app" notice.
 */
export interface SessionState {
  readonly expired: ComputedRef<boolean>;
  markExpired(): void;
}

export const sessionKey: InjectionKey<SessionState> = Symbol('keycard.session');

export function createSessionState(): SessionState {
  const expired = shallowRef(false);
  return {
    expired: computed(() => expired.value),
    markExpired() {
      expired.value = true;
    },
  };
}

export function useSession(): SessionState {
  const session = inject(sessionKey);
  if (!session) throw new Error('useSession() needs createSessionState() provided under sessionKey');
  return session;
}
