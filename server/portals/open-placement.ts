import { BadRequestError } from '../errors.js';
import { lowestLevel, type Manifest } from '../manifest.js';

/**
 * Where the app was opened, as the frame POST says (`PLACEMENT`, `PLACEMENT_OPTIONS`), resolved against the
 * manifest before anything else is done: the app page (`DEFAULT`, `LEFT_MENU`), a link into the app
 * (`REST_APP_URI`), or a feature's placement. A placement Keycard does not bind is refused: Bitrix24 opens an app only
 * where it was bound, and an update unbinds what the manifest dropped (bindings.ts).
 * @see https://apidocs.bitrix24.com/api-reference/widgets/_includes/widget_data.html
 */
export type OpenPlace =
  | { kind: 'app'; entry?: Entry }
  | { kind: 'feature'; code: string; options: Record<string, string>; feature: string; level: string };

/** A view a link into the app may name, with the record it opens (`params[view]`, `params[id]`). */
export interface Entry {
  view: string;
  id?: string;
}

/** An id a link may carry: a request's UUID, a number — letters, digits and dashes, nothing to escape. */
const ENTRY_ID = /^[A-Za-z0-9-]{1,64}$/;

/** Views a `REST_APP_URI` link may open (`requests`: an access request, issue 14 part 2). */
const ENTRY_VIEWS: ReadonlySet<string> = new Set(['requests']);

/**
 * Resolves the placement. `REST_APP_URI` carries the link's `params[...]` as strings; only a known `view` and a
 * plain `id` (ENTRY_ID) pass through, anything else opens the app's landing page.
 * @see https://apidocs.bitrix24.com/api-reference/widgets/universal/app-url.html
 */
export function resolvePlacement(
  manifest: Pick<Manifest, 'features' | 'levels'>,
  placement: string,
  options: Record<string, string>,
): OpenPlace {
  if (placement === 'DEFAULT' || placement === 'LEFT_MENU') return { kind: 'app' };
  if (placement === 'REST_APP_URI') {
    const view = options['view'];
    if (view === undefined || !ENTRY_VIEWS.has(view)) return { kind: 'app' };
    const id = options['id'];
    return { kind: 'app', entry: id !== undefined && ENTRY_ID.test(id) ? { view, id } : { view } };
  }
  const feature = manifest.features.find((item) => item.placements?.some((bound) => bound.code === placement));
  if (feature === undefined)
    throw new BadRequestError('BAD_REQUEST', `The app was opened in placement ${placement}, which it does not bind.`);
  const level = lowestLevel(manifest, feature) ?? '';
  return { kind: 'feature', code: placement, options, feature: feature.key, level };
}
