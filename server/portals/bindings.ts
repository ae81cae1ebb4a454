import { BitrixError, TransportError } from '../bitrix/bitrix-error.js';
import { eventBindingsSchema, placementBindingsSchema } from '../bitrix/schemas.js';
import type { BitrixClient } from '../bitrix/sdk-client.js';
import type { Installation } from './installation-record.js';

/** Without these the app cannot learn it was uninstalled or updated, so installation fails without them. */
export const requiredEvents = ['ONAPPUNINSTALL', 'ONAPPUPDATE'] as const;
/** Useful but not vital: ONUSERADD needs the `user` scope on some portals; the hourly reconcile covers it. */
export const optionalEvents = ['ONUSERADD'] as const;

export type Bindings = Installation['bindings'];

/**
 * Binds our events (and the left-menu placement) idempotently: reads what is bound first, binds only what is
 * missing, and reports what failed with Bitrix24's error code instead of aborting on the first failure.
 * Bitrix24 drops event bindings on every app update, so this runs on install and on ONAPPUPDATE.
 * @see https://apidocs.bitrix24.com/api-reference/events/event-bind.html
 */
export async function bindPortal(
  client: BitrixClient,
  urls: { events: string; app: string },
  menuTitle: { en: string; ru: string },
): Promise<Bindings> {
  const bound: string[] = [];
  const failed: Bindings['failed'] = [];
  const attempt = async (name: string, work: () => Promise<unknown>) => {
    try {
      await work();
      bound.push(name);
    } catch (error: unknown) {
      if (error instanceof BitrixError) failed.push({ name, code: error.bitrixCode });
      else if (error instanceof TransportError) failed.push({ name, code: error.code });
      else throw error;
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

  await attempt('LEFT_MENU', async () => {
    const placements = placementBindingsSchema.parse(await client.call('placement.get'));
    if (placements.some((binding) => binding.placement === 'LEFT_MENU' && binding.handler === urls.app)) return;
    await client.call('placement.bind', {
      PLACEMENT: 'LEFT_MENU',
      HANDLER: urls.app,
      TITLE: menuTitle.en,
      LANG_ALL: { en: { TITLE: menuTitle.en }, ru: { TITLE: menuTitle.ru } },
    });
  });
  return { bound, failed };
}

/** True when every event the app cannot live without is bound. */
export function hasRequiredBindings(bindings: Bindings): boolean {
  return requiredEvents.every((event) => bindings.bound.includes(event));
}
