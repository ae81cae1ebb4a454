import { watch, type Ref } from 'vue';

/**
 * Gives focus back to whatever opened a dialog once it has closed (WCAG 2.4.3 focus order). b24ui's Modal blurs
 * the focused element when it opens (`useBlurOnOpen`), so Reka's own focus return finds nothing to return to;
 * the opener is noted synchronously, before that blur. Call `restore` when the dialog has left (`@after:leave`).
 */
export function useFocusReturn(open: Readonly<Ref<boolean>>): { restore(): void } {
  let opener: HTMLElement | null = null;
  watch(
    open,
    (isOpen) => {
      if (isOpen && typeof document !== 'undefined') {
        opener = document.activeElement instanceof HTMLElement ? document.activeElement : null;
      }
    },
    { flush: 'sync' },
  );
  return {
    restore() {
      const target = opener;
      opener = null;
      if (target?.isConnected && !open.value) target.focus();
    },
  };
}
