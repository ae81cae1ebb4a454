import type { Portal } from '../portal.js';
import { RestError, restErrors } from './errors.js';
import { param, phpInt, text, upperKeys } from './params.js';
import type { MethodDefinition } from './types.js';

/** Events an app can bind here, with the scope each needs (empty: basic). */
function bindableEvents(portal: Portal): Map<string, readonly string[]> {
  return new Map<string, readonly string[]>([
    ['ONAPPINSTALL', []],
    ['ONAPPUNINSTALL', []],
    ['ONAPPUPDATE', []],
    ['ONAPPPAYMENT', []],
    ['ONAPPTEST', []],
    ['ONAPPMETHODCONFIRM', []],
    ['ONOFFLINEEVENT', []],
    // Docs list ONUSERADD under scope `user`; whether `user_brief` suffices is unconfirmed, hence the option.
    ['ONUSERADD', portal.onUserAddNeedsUserScope ? ['user'] : ['user', 'user_basic', 'user_brief']],
  ]);
}

function required(params: Record<string, unknown>, name: string): string {
  const value = text(params[name.toUpperCase()]);
  if (value === undefined || value === '') throw restErrors.argument(name);
  return value;
}

/**
 * `event.bind` / `event.get` / `event.unbind`. Binding the same event and handler twice fails with
 * ERROR_CORE "Handler already binded", as the portal's EventTable uniqueness check does; an event the
 * app's scopes do not cover is ERROR_EVENT_NOT_FOUND.
 * @see https://apidocs.bitrix24.com/api-reference/events/event-bind.html
 */
export const eventMethods: Record<string, MethodDefinition> = {
  'event.bind': {
    scopes: [],
    handler: ({ portal, user }, params) => {
      const query = upperKeys(params);
      const event = required(query, 'event').toUpperCase();
      const offline = text(query['EVENT_TYPE'])?.toLowerCase() === 'offline';
      const handler = offline ? '' : required(query, 'handler');
      const authType = query['AUTH_TYPE'] === undefined ? 0 : phpInt(query['AUTH_TYPE']);
      if (!user.admin && offline)
        throw restErrors.accessDenied('Access denied! Offline events binding requires administrator access rights');
      if (!user.admin && authType !== 0 && authType !== user.id) {
        throw restErrors.accessDenied(
          'Access denied! Event binding with AUTH_TYPE requires administrator access rights',
        );
      }
      const needs = bindableEvents(portal).get(event);
      if (needs === undefined || (needs.length > 0 && !portal.hasScope(...needs))) {
        throw new RestError(400, 'ERROR_EVENT_NOT_FOUND', 'Event not found');
      }
      const owner = user.admin ? authType : user.id;
      const bindings = portal.installation.events;
      if (
        bindings.some(
          (binding) =>
            binding.event === event &&
            binding.handler === handler &&
            binding.authType === owner &&
            binding.offline === offline,
        )
      ) {
        throw new RestError(400, 'ERROR_CORE', 'Unable to set event handler: Handler already binded');
      }
      bindings.push({ id: portal.nextBindingId(), event, handler, authType: owner, offline, ownerId: user.id });
      return { result: true };
    },
  },
  'event.get': {
    scopes: [],
    handler: ({ portal, user }) => ({
      result: portal.installation.events
        .filter((binding) => user.admin || binding.ownerId === user.id)
        .map((binding) => ({
          event: binding.event,
          handler: binding.handler,
          auth_type: String(binding.authType),
          offline: binding.offline ? 1 : 0,
        })),
    }),
  },
  'event.unbind': {
    scopes: [],
    handler: ({ portal, user }, params) => {
      const query = upperKeys(params);
      const event = required(query, 'event').toUpperCase();
      const offline = text(query['EVENT_TYPE'])?.toLowerCase() === 'offline';
      const handler = text(param(params, 'handler'));
      const authType = query['AUTH_TYPE'] === undefined ? undefined : phpInt(query['AUTH_TYPE']);
      const before = portal.installation.events;
      const kept = before.filter(
        (binding) =>
          !(
            binding.event === event &&
            binding.offline === offline &&
            (handler === undefined || binding.handler === handler) &&
            (authType === undefined || binding.authType === authType) &&
            (user.admin || binding.ownerId === user.id)
          ),
      );
      portal.installation.events = kept;
      return { result: { count: before.length - kept.length } };
    },
  },
};
