import { computed, inject, shallowRef, type ComputedRef, type InjectionKey } from 'vue';
import { createMemoryHistory, type HistoryState, type RouterHistory } from 'vue-router';

/** The key of the app's entries in the frame's session history. */
const POSITION_KEY = 'keycardPosition';

/** A router history that also lets the browser's Back and Forward buttons step through the app's pages. */
export interface FrameHistory extends RouterHistory {
  /** There is an earlier page of the app to go back to (the in-app Back button). */
  readonly canGoBack: ComputedRef<boolean>;
}

/** What the shell's Back button needs; absent outside the app (tests mount without it). */
export const frameHistoryKey: InjectionKey<Pick<FrameHistory, 'canGoBack'>> = Symbol('keycard.frameHistory');

export function useFrameHistory(): Pick<FrameHistory, 'canGoBack'> | null {
  return inject(frameHistoryKey, null);
}

function positionOf(state: unknown): number | null {
  if (typeof state !== 'object' || state === null || !(POSITION_KEY in state)) return null;
  const value: unknown = state[POSITION_KEY];
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : null;
}

/**
 * Memory history (the iframe's address never changes: Bitrix24 POSTs the app into it, and a reload of
 * the frame alone would re-POST nothing), mirrored as same-address entries in the frame's session history.
 *
 * B24Frame has no history command and the portal's address does not follow the app (research A3). But
 * an iframe's `history.pushState` joins the tab's joint session history, so the browser's Back first
 * steps through the app's pages (a `popstate` in the frame) before it leaves the portal page. Pages
 * pushed here always follow a click, so Chromium does not skip them as entries "added without a user
 * gesture". Going back past the app's first page leaves it: that one is the portal's, the app cannot
 * stop it (the leave guard may still ask). The router's own `back()` never goes past the first page.
 */
export function createFrameHistory(win: Window = window): FrameHistory {
  const memory = createMemoryHistory();
  const position = shallowRef(0);
  /** Pops caused by the router undoing a refused navigation: it wants them silent. */
  let silentPops = 0;
  let session: History | null = win.history;
  try {
    session.replaceState({ ...(session.state as object | null), [POSITION_KEY]: 0 }, '');
  } catch {
    // A sandbox or a throttled history: stay a plain memory history.
    session = null;
  }

  const onPopState = (event: PopStateEvent) => {
    const target = positionOf(event.state);
    if (target === null) return;
    const delta = target - position.value;
    position.value = target;
    if (delta === 0) return;
    const trigger = silentPops === 0;
    if (!trigger) silentPops--;
    memory.go(delta, trigger);
  };
  if (session) win.addEventListener('popstate', onPopState);

  function mirror(kind: 'push' | 'replace'): void {
    if (!session) return;
    try {
      if (kind === 'push') session.pushState({ [POSITION_KEY]: position.value }, '');
      else session.replaceState({ [POSITION_KEY]: position.value }, '');
    } catch {
      // Chromium throttles pushState floods; the memory history is still right.
    }
  }

  return {
    get base() {
      return memory.base;
    },
    get location() {
      return memory.location;
    },
    get state() {
      return memory.state;
    },
    canGoBack: computed(() => position.value > 0),
    createHref: (location: string) => memory.createHref(location),
    listen: (callback) => memory.listen(callback),
    push(to: string, data?: HistoryState) {
      memory.push(to, data);
      position.value++;
      mirror('push');
    },
    replace(to: string, data?: HistoryState) {
      memory.replace(to, data);
      mirror('replace');
    },
    go(delta: number, triggerListeners = true) {
      // Never out of the app from in-app code: stop at its first page.
      const bounded = Math.max(delta, -position.value);
      if (bounded === 0) return;
      if (!session) {
        position.value += bounded;
        memory.go(bounded, triggerListeners);
        return;
      }
      if (!triggerListeners) silentPops++;
      // The browser traverses and answers with popstate, which moves the memory history.
      session.go(bounded);
    },
    destroy() {
      win.removeEventListener('popstate', onPopState);
      memory.destroy();
    },
  };
}
