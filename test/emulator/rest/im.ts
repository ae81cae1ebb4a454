import type { Portal } from '../portal.js';
import { RestError } from './errors.js';
import { phpInt, text, upperKeys } from './params.js';
import type { MethodDefinition } from './types.js';

/** One notification in a user's notification centre. */
export interface EmulatedNotification {
  id: number;
  /** SYSTEM: from the app (no sender); USER: from the token's user. */
  type: 'SYSTEM' | 'USER';
  fromUserId: number;
  /** As stored: a SYSTEM notification from an app reads "<app name>#BR#<MESSAGE>". */
  message: string;
  tag: string | undefined;
  subTag: string | undefined;
  at: number;
}

/**
 * `im.notify.system.add` and `im.notify.personal.add` (scope `im`): USER_ID* and MESSAGE* (trimmed; BB codes kept
 * as sent), TAG, SUB_TAG, ATTACH; result the notification's id. Errors USER_ID_EMPTY (missing or <= 0) and
 * MESSAGE_EMPTY; a notification with a TAG already present for that user replaces the earlier ones ("When adding a
 * notification with an existing tag, other notifications will be removed").
 * @see api-reference/chats/notifications/im-notify-system-add.md (parameters, result, errors table)
 * @see api-reference/chats/notifications/im-notify-personal-add.md
 * A SYSTEM notification from an app is prefixed with the app's name and #BR# (research notes B9, im_rest.php
 * notifyAdd: not in the docs' text).
 */
function notify(type: EmulatedNotification['type']): MethodDefinition {
  return {
    scopes: ['im'],
    handler: ({ portal, user }, params) => {
      const query = upperKeys(params);
      const to = phpInt(query['USER_ID']);
      if (!(to > 0)) throw new RestError(400, 'USER_ID_EMPTY', "User ID can't be empty");
      const message = (text(query['MESSAGE']) ?? '').trim();
      if (message === '') throw new RestError(400, 'MESSAGE_EMPTY', "Message can't be empty");
      const tag = text(query['TAG']);
      const id = portal.notifications.nextId++;
      const list = (portal.notifications.byUser.get(to) ?? []).filter((item) => tag === undefined || item.tag !== tag);
      list.push({
        id,
        type,
        fromUserId: type === 'SYSTEM' ? 0 : user.id,
        message: type === 'SYSTEM' ? `${portal.app.title}#BR#${message}` : message,
        tag,
        subTag: text(query['SUB_TAG']),
        at: portal.clock.now(),
      });
      portal.notifications.byUser.set(to, list);
      return { result: id };
    },
  };
}

export const imMethods: Record<string, MethodDefinition> = {
  'im.notify.system.add': notify('SYSTEM'),
  'im.notify.personal.add': notify('USER'),
};

/** The notifications a user has, newest first (for the control API and the portal page's bell). */
export function notificationsOf(portal: Portal, userId: number): EmulatedNotification[] {
  return [...(portal.notifications.byUser.get(userId) ?? [])].reverse();
}
