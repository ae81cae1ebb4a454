import { onBeforeUnmount, watch, type Ref } from 'vue';

/**
 * While `dirty` is true, asks the browser to confirm leaving the page: a reload of the portal page, or a
 * portal link that loads another page. A navigation of the top page runs `beforeunload` in the app's
 * iframe too (WPT `html/browsers/browsing-the-web/unloading-documents/beforeunload-on-navigation-of-parent.html`),
 * but the browser shows the prompt only if the user has interacted with the frame (sticky activation,
 * `beforeunload-sticky-activation-iframe.html`) — an edit always is one. What the platform does not
 * allow: closing a Bitrix24 slider removes the iframe without unloading it, and B24Frame has no
 * "before close" hook (research-issues-13-14.md A4), so no prompt is possible there.
 */
export function useBeforeUnloadGuard(dirty: Readonly<Ref<boolean>>, win: Window = window): void {
  const guard = (event: BeforeUnloadEvent) => {
    event.preventDefault();
    // Older Chromium and Safari still need returnValue set.
    event.returnValue = true;
  };
  // Only while dirty: a beforeunload listener keeps the page out of the back/forward cache.
  const stop = watch(
    dirty,
    (isDirty) => {
      if (isDirty) win.addEventListener('beforeunload', guard);
      else win.removeEventListener('beforeunload', guard);
    },
    { immediate: true },
  );
  onBeforeUnmount(() => {
    stop();
    win.removeEventListener('beforeunload', guard);
  });
}
