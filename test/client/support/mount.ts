import { mount } from '@vue/test-utils';
import type { Component } from 'vue';
import type { Router } from 'vue-router';
import b24UiPlugin from '@bitrix24/b24ui-nuxt/vue-plugin';
import type { ApiClient } from '../../../client/api/client';
import { apiKey } from '../../../client/api/useApi';
import { accessKey, type AccessState } from '../../../client/composables/useAccess';
import { b24Key, type B24 } from '../../../client/composables/useB24';
import { currentUserKey, type CurrentUser } from '../../../client/composables/useCurrentUser';
import { createSessionState, sessionKey, type SessionState } from '../../../client/composables/useSession';
import { i18nKey, type Lang } from '../../../client/i18n';
import { createKeycardRouter } from '../../../client/router';
import { accessFor, adminMe } from './access';
import { testI18n } from './i18n';

export interface KeycardMountOptions {
  api: ApiClient;
  b24: B24;
  lang?: Lang;
  session?: SessionState;
  router?: Router;
  /** The bootstrap user; an admin by default. */
  user?: CurrentUser;
  /** What /api/me says the user may do; an admin holding everything by default. */
  access?: AccessState;
  props?: Record<string, unknown>;
}

export const testUser: CurrentUser = { id: '1', name: 'Anna Smirnova', isAdmin: true };

/** Mounts a Keycard component with everything main.ts provides, from fakes. */
export function mountKeycard(component: Component, options: KeycardMountOptions) {
  // b24ui buttons render through vue-router's link, so a router is always installed.
  const router = options.router ?? createKeycardRouter();
  return mount(component, {
    props: options.props,
    attachTo: document.body,
    global: {
      plugins: [router, b24UiPlugin],
      provide: {
        [i18nKey]: testI18n(options.lang ?? 'en'),
        [apiKey]: options.api,
        [b24Key]: options.b24,
        [sessionKey]: options.session ?? createSessionState(),
        [currentUserKey]: options.user ?? testUser,
        [accessKey]: options.access ?? accessFor(adminMe),
      },
    },
  });
}
