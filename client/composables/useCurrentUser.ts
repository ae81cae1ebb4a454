import { inject, type InjectionKey } from 'vue';
import type { Bootstrap } from '../bootstrap';

/** The signed-in user from the bootstrap. */
export type CurrentUser = Bootstrap['user'];

export const currentUserKey: InjectionKey<CurrentUser> = Symbol('keycard.currentUser');

/** The user provided by the app root (tests provide one). */
export function useCurrentUser(): CurrentUser {
  const user = inject(currentUserKey);
  if (!user) throw new Error('useCurrentUser() needs the bootstrap user provided under currentUserKey');
  return user;
}

/**
 * Whether to offer admin-only actions. An unknown admin status (`null`) is not an admin
 * (DESIGN.md: unknown is a deny); the server enforces it either way.
 */
export function isPortalAdmin(user: CurrentUser): boolean {
  return user.isAdmin === true;
}
