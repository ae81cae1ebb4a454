import { onBeforeUnmount, onMounted, watch, type Ref } from 'vue';
import type { B24 } from '../composables/useB24';

/** Room above and below an open dialog (b24ui keeps 1rem, plus its shadow). */
const DIALOG_MARGIN_PX = 32;

/** The natural height of a dialog: what it shows plus what its scrolling body hides. */
function dialogHeight(dialog: HTMLElement): number {
  let hidden = 0;
  for (const body of dialog.querySelectorAll<HTMLElement>('[data-slot="body"]')) {
    hidden += Math.max(0, body.scrollHeight - body.clientHeight);
  }
  return dialog.offsetHeight + hidden;
}

/** Open dialogs: b24ui teleports them to <body>, outside the app's root element. */
function openDialogs(doc: Document): HTMLElement[] {
  return [...doc.querySelectorAll<HTMLElement>('[role="dialog"], [role="alertdialog"]')];
}

/**
 * The height the frame needs: the app's content, or an open dialog when that is taller (a dialog in a
 * frame shorter than itself would be cut off).
 */
export function neededHeight(content: HTMLElement, doc: Document = content.ownerDocument): number {
  const view = doc.defaultView;
  let height = content.getBoundingClientRect().bottom + (view?.scrollY ?? 0);
  for (const dialog of openDialogs(doc)) height = Math.max(height, dialogHeight(dialog) + 2 * DIALOG_MARGIN_PX);
  return Math.ceil(height);
}

/**
 * Keeps the portal's iframe as tall as the app's content, growing and shrinking with it.
 *
 * `B24Frame.parent.fitWindow()` measures `documentElement.scrollHeight`, which is never below the frame's
 * own height, so the frame only ever grew (6,438 px after a long Directory page, then stayed there). The
 * old BX24 docs said so: "the method can only increase the frame size … calculate the dimensions of the
 * container … using BX24.resizeWindow" (b24restdocs `sdk/bx24-js-sdk/additional-functions/bx24-fit-window.md`
 * before e9e7b7ec). So the content element is measured instead, and its height sent as it is.
 */
export function useFrameSize(b24: B24, target: Readonly<Ref<HTMLElement | null>>): void {
  let request = 0;
  let sent = 0;
  const send = () => {
    cancelAnimationFrame(request);
    request = requestAnimationFrame(() => {
      const element = target.value;
      if (!element || !b24.ready.value) return;
      const height = neededHeight(element);
      if (height === sent || height <= 0) return;
      sent = height;
      b24.resizeFrame(height).catch(() => {
        // Best effort: a missed resize leaves a scrollbar or a gap, never an error for the user.
        sent = 0;
      });
    });
  };

  const sizes = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(send);
  // Dialogs are added to <body> directly; their own size changes (tabs, lists) are watched too.
  const portals =
    typeof MutationObserver === 'undefined'
      ? null
      : new MutationObserver(() => {
          for (const dialog of openDialogs(document)) sizes?.observe(dialog);
          send();
        });

  watch(
    target,
    (element, previous) => {
      if (previous) sizes?.unobserve(previous);
      if (element) sizes?.observe(element);
      send();
    },
    { immediate: true },
  );
  watch(b24.ready, (ready) => {
    if (ready) {
      sent = 0;
      send();
    }
  });
  onMounted(() => portals?.observe(document.body, { childList: true }));
  onBeforeUnmount(() => {
    sizes?.disconnect();
    portals?.disconnect();
    cancelAnimationFrame(request);
  });
}
