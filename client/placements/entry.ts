import type { RouteLocationRaw, Router } from 'vue-router';
import type { Bootstrap } from '../bootstrap';

/** Where each view a link into the app (REST_APP_URI `params[view]`) may name lives in the router. */
const ENTRY_PATHS: Readonly<Record<string, string>> = { requests: '/access/requests' };

/**
 * The page a link into the app opens (`https://<portal>/marketplace/view/<CODE>/?params[view]=requests&params[id]=42`,
 * which Bitrix24 opens in a slider with PLACEMENT=REST_APP_URI), or null for the usual landing: a view this build has
 * no page for falls back to the landing rather than to the catch-all.
 */
export function entryLocation(router: Router, entry: Bootstrap['entry']): RouteLocationRaw | null {
  if (entry === undefined) return null;
  const path = ENTRY_PATHS[entry.view];
  if (path === undefined) return null;
  const resolved = router.resolve(path);
  const known = resolved.matched.length > 0 && resolved.matched.every((record) => !record.path.includes(':unknown'));
  if (!known) return null;
  return { path, query: entry.id === undefined ? {} : { id: entry.id }, replace: true };
}
