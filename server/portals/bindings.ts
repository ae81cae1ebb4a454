import { BitrixError, TransportError } from '../bitrix/bitrix-error.js';
import { eventBindingsSchema, placementBindingsSchema } from '../bitrix/schemas.js';
import type { BitrixClient } from '../bitrix/sdk-client.js';
import type { Manifest } from '../manifest.js';
import type { Installation } from './installation-record.js';

/** Without these the app cannot learn it was uninstalled or updated, so installation fails without them. */
export const requiredEvents = ['ONAPPUNINSTALL', 'ONAPPUPDATE'] as const;
/** Useful but not vital: ONUSERADD needs the `user` scope on some portals; the hourly reconcile covers it. */
export const optionalEvents = ['ONUSERADD'] as const;

export type Bindings = Installation['bindings'];

/**
 * Binds our events and placements (the left menu, `REST_APP_URI`, each feature's) idempotently: reads what is bound
 * first, binds only what is missing, and reports what failed with Bitrix24's error code (ERROR_PLACEMENT_NOT_FOUND when
 * the portal did not grant a placement's scope) instead of aborting on the first failure. Bitrix24 drops event
 * bindings on every app update, so this runs on install and on ONAPPUPDATE.
 * @see https://apidocs.bitrix24.com/api-reference/events/event-bind.html
 */
export async function bindPortal(
  client: BitrixClient,
  urls: { events: string; app: string },
  manifest: Pick<Manifest, 'title' | 'features'>,
): Promise<Bindings> {
  const bound: string[] = [];
  const failed: Bindings['failed'] = [];
  const attempt = async (name: string, work: () => Promise<unknown>) => {
    try {
      await work();
      bound.push(name);
    } catch (error: unknown) {
      failed.push(failureOf(name, error));
    }
  };

  const existing = eventBindingsSchema.parse(await client.call('event.get'));
  for (const event of [...requiredEvents, ...optionalEvents]) {
    const present = existing.some(
      (binding) => binding.event.toUpperCase() === event && binding.handler === urls.events,
    );
    await attempt(event, async () =>
      present ? undefined : client.call('event.bind', { event, handler: urls.events }),
    );
  }

  // One read of what is bound serves every placement; a failed read is recorded under each of them.
  let placements: { placement: string; handler: string }[] | undefined;
  const boundPlacements = async () =>
    (placements ??= placementBindingsSchema.parse(await client.call('placement.get')));
  for (const wanted of placementsOf(manifest)) {
    await attempt(wanted.code, async () => {
      const present = await boundPlacements();
      if (present.some((binding) => binding.placement === wanted.code && binding.handler === urls.app)) return;
      await client.call('placement.bind', {
        PLACEMENT: wanted.code,
        HANDLER: urls.app,
        TITLE: wanted.title.en,
        LANG_ALL: { en: { TITLE: wanted.title.en }, ru: { TITLE: wanted.title.ru } },
      });
    });
  }
  await unbindDropped(client, urls.app, placements, placementsOf(manifest), failed);
  return { bound, failed };
}

/**
 * Unbinds our handler from placements an update took out of the manifest: Bitrix24 would go on showing a tab that
 * Keycard refuses to open. A failed unbind is recorded like a failed bind (`<code> (unbind)`).
 * @see https://apidocs.bitrix24.com/api-reference/widgets/placement-unbind.html
 */
async function unbindDropped(
  client: BitrixClient,
  handler: string,
  present: { placement: string; handler: string }[] | undefined,
  wanted: readonly WantedPlacement[],
  failed: Bindings['failed'],
): Promise<void> {
  const codes = new Set(wanted.map((placement) => placement.code));
  for (const binding of present ?? []) {
    if (binding.handler !== handler || codes.has(binding.placement)) continue;
    try {
      await client.call('placement.unbind', { PLACEMENT: binding.placement, HANDLER: handler });
    } catch (error: unknown) {
      failed.push(failureOf(`${binding.placement} (unbind)`, error));
    }
  }
}

/**
 * A refused bind or unbind, recorded with Bitrix24's error code (or Keycard's own transport code); anything else is a
 * defect and is thrown on.
 */
function failureOf(name: string, error: unknown): Bindings['failed'][number] {
  if (error instanceof BitrixError) return { name, code: error.bitrixCode };
  if (error instanceof TransportError) return { name, code: error.code };
  throw error;
}

/** A placement Keycard binds, with its title in both languages. */
export interface WantedPlacement {
  code: string;
  title: { en: string; ru: string };
}

/**
 * The placements Keycard binds, in order: the left-menu item (titled after the app); `REST_APP_URI`, so links such
 * as `https://<portal>/marketplace/view/<CODE>/?params[view]=requests&params[id]=42` open the app in a slider with
 * the params in PLACEMENT_OPTIONS (needs only `placement`; one handler per app); then every feature's placements.
 * @see https://apidocs.bitrix24.com/api-reference/widgets/universal/app-url.html
 * @see https://apidocs.bitrix24.com/api-reference/widgets/placement-bind.html
 */
export function placementsOf(manifest: Pick<Manifest, 'title' | 'features'>): WantedPlacement[] {
  return [
    { code: 'LEFT_MENU', title: manifest.title },
    { code: 'REST_APP_URI', title: manifest.title },
    ...manifest.features.flatMap((feature) => feature.placements ?? []),
  ];
}

/** True when every event the app cannot live without is bound. */
export function hasRequiredBindings(bindings: Bindings): boolean {
  return requiredEvents.every((event) => bindings.bound.includes(event));
}
