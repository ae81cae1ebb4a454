import { watch } from 'vue';
import type { RouteLocationRaw, Router } from 'vue-router';
import { allowedPages } from '../accessGuard';
import type { AccessState } from '../composables/useAccess';
import { LANDING_ROUTE, NO_ACCESS_ROUTE } from '../router';

/** The first page the user may use (the navigation's order), or the no-access notice. */
export function landingLocation(access: AccessState): RouteLocationRaw {
  const first = allowedPages(access)[0];
  // `replace`: the start is not a page to go back to.
  return first === undefined ? { name: NO_ACCESS_ROUTE, replace: true } : { path: first.path, replace: true };
}

/**
 * Sends the app's start (`/`) to the first page the user may use: an employee lands on a feature page,
 * an administrator on the scopes. Until /api/me answers nothing is shown; if it fails, the shell shows
 * the error with a retry, and the user lands once it answers.
 */
export function installLanding(router: Router, access: AccessState): void {
  router.beforeEach(async (to) => {
    if (to.name !== LANDING_ROUTE) return true;
    await access.load();
    if (access.status.value !== 'ready') return true;
    return landingLocation(access);
  });
  watch(access.me, () => {
    if (router.currentRoute.value.name !== LANDING_ROUTE || access.status.value !== 'ready') return;
    void router.replace(landingLocation(access));
  });
}
