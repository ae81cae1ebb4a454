import { flushPromises } from '@vue/test-utils';
import { defineComponent, h } from 'vue';
import { RouterView } from 'vue-router';
import type { ApiClient } from '../../../client/api/client';
import type { AccessState } from '../../../client/composables/useAccess';
import type { B24 } from '../../../client/composables/useB24';
import type { Lang } from '../../../client/i18n';
import { createKeycardRouter } from '../../../client/router';
import { fakeB24 } from './fakes';
import { mountKeycard } from './mount';

// Pages with tabs render their tab through a nested RouterView, so they are mounted under a root
// RouterView at a route, as the shell does.
const Root = defineComponent({ name: 'TestRoot', render: () => h(RouterView) });

export interface PageMountOptions {
  api: ApiClient;
  b24?: B24;
  access?: AccessState;
  lang?: Lang;
}

export async function mountAt(path: string, options: PageMountOptions) {
  const router = createKeycardRouter();
  await router.push(path);
  const wrapper = mountKeycard(Root, {
    api: options.api,
    b24: options.b24 ?? fakeB24().b24,
    access: options.access,
    lang: options.lang,
    router,
  });
  await flushPromises();
  return { wrapper, router };
}
