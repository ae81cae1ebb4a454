import { computed, watch, type Ref } from 'vue';
import { useRoute } from 'vue-router';
import type { B24 } from '../composables/useB24';
import { useI18n } from '../i18n';
import { appPages } from '../router';

/**
 * Puts the current page's name in the portal's page title (`setTitle` → the portal's `#pagetitle`, the
 * heading above the app; the browser tab keeps the portal's own title, bx24-set-title.md). Sent once the
 * frame connects and on every page change.
 */
export function usePortalTitle(b24: B24, installing: Readonly<Ref<boolean>>): void {
  const { t } = useI18n();
  const route = useRoute();
  const title = computed(() => {
    const app = t('app.name');
    if (installing.value) return t('frame.title.page', { app, page: t('frame.title.install') });
    const page = appPages.find((candidate) => candidate.name === route.meta.page);
    return page === undefined ? app : t('frame.title.page', { app, page: t(page.labelKey) });
  });
  watch(
    [title, b24.ready],
    ([text, ready]) => {
      if (!ready) return;
      b24.setTitle(text).catch(() => {
        // Best effort: the portal denies setTitle outside the app's own page.
      });
    },
    { immediate: true },
  );
}
