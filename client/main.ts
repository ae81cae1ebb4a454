import './style.css';
import './frame/frame.css';
import { createApp, defineAsyncComponent, type App as VueApp } from 'vue';
import b24UiPlugin from '@bitrix24/b24ui-nuxt/vue-plugin';
import { installAccessGuard } from './accessGuard';
import { createApiClient } from './api/client';
import { apiKey } from './api/useApi';
import App from './App.vue';
import { readBootstrap, type Bootstrap, type BootstrapProblem } from './bootstrap';
import { accessKey, createAccessState } from './composables/useAccess';
import { b24Key, connectB24 } from './composables/useB24';
import { createSessionState, sessionKey } from './composables/useSession';
import { createFrameHistory, frameHistoryKey } from './frame/frameHistory';
import { installLanding } from './frame/landing';
import { createI18n, i18nKey, loadMessages } from './i18n';
import { entryLocation } from './placements/entry';
import { createKeycardRouter } from './router';

function createKeycardApp(bootstrap: Bootstrap): VueApp {
  const session = createSessionState();
  const api = createApiClient({
    session: bootstrap.session,
    fetch: globalThis.fetch.bind(globalThis),
    onUnauthorized: () => session.markExpired(),
    onAccessDenied: () => access.markWithdrawn(),
  });
  const access = createAccessState({ fetchMe: (signal) => api.me({ signal }) });
  const b24 = connectB24();
  const history = createFrameHistory(window);
  const router = createKeycardRouter(history);
  installAccessGuard(router, access);
  installLanding(router, access);

  const app = createApp(App, { bootstrap });
  app.provide(sessionKey, session);
  app.provide(apiKey, api);
  app.provide(accessKey, access);
  app.provide(b24Key, b24);
  app.provide(frameHistoryKey, history);
  app.onUnmount(() => b24.destroy());
  app.use(router);
  // Memory history starts nowhere; the first navigation is ours to make (a link into the app names its page).
  void router.push(entryLocation(router, bootstrap.entry) ?? '/');
  return app;
}

function createErrorApp(problem: BootstrapProblem): VueApp {
  console.error(`[keycard] cannot start: ${problem.detail}`);
  // Only a broken page shows it: not part of every user's download.
  const BootstrapErrorPage = defineAsyncComponent(() => import('./pages/BootstrapErrorPage.vue'));
  const app = createApp(BootstrapErrorPage, { problem });
  return app;
}

const result = readBootstrap(document);
// The app is created at once, so /api/me and the frame handshake start now; it is mounted once the user's
// texts are there (preloaded with the page: see i18n/index.ts).
const lang = result.ok ? result.bootstrap.lang : 'en';
const app = result.ok ? createKeycardApp(result.bootstrap) : createErrorApp(result.problem);
app.use(b24UiPlugin);
loadMessages(lang).then(
  (messages) => {
    app.provide(i18nKey, createI18n(lang, messages));
    app.mount('#app');
  },
  (err: unknown) => console.error('[keycard] cannot load the texts', err),
);
