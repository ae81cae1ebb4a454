import { watch } from 'vue';
import type { RouteLocationNormalizedLoaded, RouteLocationRaw, Router } from 'vue-router';
import type { AccessState } from './composables/useAccess';
import { appPages, NO_ACCESS_ROUTE, type AppPage } from './router';

// The guard hides pages, it does not protect them: the server checks the same policy on every /api
// request. Its job is that a user never lands on a page whose every request would be refused.

/** Whether every record of the route (a page and its tab) lets the user in. */
export function routeAllowed(route: Pick<RouteLocationNormalizedLoaded, 'matched'>, access: AccessState): boolean {
  return route.matched.every((record) => access.allows(record.meta.requires));
}

/** The pages the navigation shows: the ones the user may use. */
export function allowedPages(access: AccessState, pages: readonly AppPage[] = appPages): AppPage[] {
  return pages.filter((page) => access.allows(page.requires));
}

/** Where a user who may not see `to` goes: the first page they may use, saying which one was refused. */
export function deniedLocation(
  to: Pick<RouteLocationNormalizedLoaded, 'meta'>,
  access: AccessState,
  pages: readonly AppPage[] = appPages,
): RouteLocationRaw {
  const fallback = allowedPages(access, pages)[0];
  if (fallback === undefined) return { name: NO_ACCESS_ROUTE };
  return { path: fallback.path, query: to.meta.page === undefined ? {} : { denied: to.meta.page } };
}

const needsAccess = (route: Pick<RouteLocationNormalizedLoaded, 'matched'>) =>
  route.matched.some((record) => (record.meta.requires?.length ?? 0) > 0);

/**
 * Checks each navigation against the user's access (waiting for /api/me the first time), and checks
 * the current page again whenever the access changes (after a save, or a reload of /api/me).
 */
export function installAccessGuard(router: Router, access: AccessState): void {
  router.beforeEach(async (to) => {
    if (!needsAccess(to)) return true;
    await access.load();
    // Unknown access: the shell shows the error with a retry and no page; the watch below decides later.
    if (access.status.value !== 'ready') return true;
    return routeAllowed(to, access) ? true : deniedLocation(to, access);
  });

  watch(access.me, () => {
    const current = router.currentRoute.value;
    if (access.status.value !== 'ready' || routeAllowed(current, access)) return;
    void router.replace(deniedLocation(current, access));
  });
}
