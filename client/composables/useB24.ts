import { computed, inject, shallowRef, type ComputedRef, type InjectionKey } from 'vue';

// Everything Keycard does with the Bitrix24 host page goes through this one module, so components
// get a small typed surface (provided under b24Key) and tests inject a fake instead of an iframe.

/**
 * The part of `B24Frame` (@bitrix24/b24jssdk) Keycard uses. `B24Frame` satisfies it structurally.
 * @see https://bitrix24.github.io/b24jssdk/docs/frame/
 */
export interface FrameHandle {
  readonly isInstallMode: boolean;
  installFinish(): Promise<unknown>;
  readonly parent: {
    reloadWindow(): Promise<unknown>;
    /** `B24Frame.parent.setTitle(title)`: sends `setTitle {title}`; the portal rewrites `#pagetitle`. */
    setTitle(title: string): Promise<unknown>;
    /**
     * The raw message channel (`B24Frame.parent.message`). Used for `resizeWindow` with width `'100%'`,
     * which `parent.resizeWindow(w, h)` refuses (numbers > 0 only) and `parent.fitWindow()` sends with
     * the document's scroll height, which never drops below the frame's own height.
     * @see node_modules/@bitrix24/b24jssdk/dist/esm/frame/parent.mjs (fitWindow, resizeWindow)
     */
    readonly message: {
      send(command: string, params: { width: string; height: number; isSafely: boolean }): Promise<unknown>;
    };
  };
  /** `B24Frame.placement.isSliderMode`: opened in a slider, where the portal ignores resizeWindow. */
  readonly placement: { readonly isSliderMode: boolean };
  readonly dialog: {
    /** `B24Frame.dialog.selectAccess(blockedAccessPermissions?: string[]): Promise<SelectedAccess[]>` */
    selectAccess(blocked?: string[]): Promise<readonly SelectedAccessCode[]>;
  };
  destroy(): void;
}

/** An item the native access dialog returns: an access code (`U1`, `D6`, `DR2`, `AU`, …) and its name. */
export interface SelectedAccessCode {
  id: string;
  name: string;
}

/** `connecting` until the postMessage handshake answers; `unavailable` when it failed or timed out. */
export type B24Status = 'connecting' | 'ready' | 'unavailable';

/** Why there is no connection to the Bitrix24 page. */
export interface B24ConnectionError {
  /** `not_in_frame`: not opened inside a portal; `timeout`: the portal did not answer in time. */
  code: 'not_in_frame' | 'timeout' | 'init_failed';
  message: string;
}

/** A refused or failed frame action (`installFinish`, `selectAccess`, …). */
export class B24ActionError extends Error {
  override readonly name = 'B24ActionError';
  readonly code: 'not_connected' | 'not_install_mode' | 'failed';

  constructor(code: B24ActionError['code'], message: string, cause?: unknown) {
    super(message, cause === undefined ? undefined : { cause });
    this.code = code;
  }
}

/** The Bitrix24 frame as components see it. */
export interface B24 {
  readonly status: ComputedRef<B24Status>;
  readonly ready: ComputedRef<boolean>;
  readonly error: ComputedRef<B24ConnectionError | null>;
  /** The portal opened the installer (false until connected). */
  readonly isInstallMode: ComputedRef<boolean>;
  /**
   * Tells Bitrix24 the installation is complete; the portal then reloads and opens the app.
   * Rejects with B24ActionError when not connected or not in install mode.
   * @see https://apidocs.bitrix24.com/sdk/bx24-js-sdk/system-functions/bx24-install-finish.html
   */
  installFinish(): Promise<void>;
  /**
   * Opens Bitrix24's own access dialog (users, departments with or without sub-departments, groups,
   * all authorized users); `blocked` codes are shown but cannot be chosen. Resolves with the chosen
   * codes, `[]` when cancelled; rejects with B24ActionError `not_connected` outside the portal.
   * Bitrix24 may never answer a dialog closed without choosing, so callers must not wait on it to
   * unlock anything.
   * @see https://apidocs.bitrix24.com/sdk/bx24-js-sdk/system-dialogues/bx24-select-access.html
   */
  selectAccess(blocked: string[]): Promise<SelectedAccessCode[]>;
  /**
   * Sets the frame's height to `height` px (width stays 100%), so the frame can shrink as well as grow.
   * Does nothing while not connected or in a slider (Bitrix24 ignores resizeWindow there).
   * @see https://apidocs.bitrix24.com/sdk/bx24-js-sdk/additional-functions/bx24-resize-window.html
   */
  resizeFrame(height: number): Promise<void>;
  /**
   * Sets the portal's page title above the app (`#pagetitle`, not the browser tab). Best effort: the
   * portal denies it outside the app's own page, and the SDK resolves anyway after its timeout.
   * @see https://apidocs.bitrix24.com/sdk/bx24-js-sdk/additional-functions/bx24-set-title.html
   */
  setTitle(title: string): Promise<void>;
  /**
   * Asks the portal to reload the page with the app, which POSTs fresh credentials to the app.
   * Resolves `false` when not connected (then only reopening the app from the menu helps).
   */
  reloadApp(): Promise<boolean>;
  /** Unsubscribes from the parent window (`B24Frame.destroy()`). */
  destroy(): void;
}

export const b24Key: InjectionKey<B24> = Symbol('keycard.b24');

/** Handshake wait before the UI says it is not connected; a late answer still connects. */
export const DEFAULT_CONNECT_TIMEOUT_MS = 5000;

export interface ConnectB24Options {
  /** Performs the handshake; defaults to `initializeB24Frame()` loaded on demand. */
  initialize?: () => Promise<FrameHandle>;
  timeoutMs?: number;
}

async function initializeDefault(): Promise<FrameHandle> {
  // Loaded on demand: the SDK is the largest dependency and the first paint does not need it.
  const { initializeB24Frame } = await import('@bitrix24/b24jssdk');
  return initializeB24Frame();
}

/**
 * Starts the B24Frame handshake and returns its reactive state at once. Outside a Bitrix24 page
 * the SDK throws at once or never answers; both end in `unavailable` within `timeoutMs`.
 */
export function connectB24(options: ConnectB24Options = {}): B24 {
  const { initialize = initializeDefault, timeoutMs = DEFAULT_CONNECT_TIMEOUT_MS } = options;
  const status = shallowRef<B24Status>('connecting');
  const error = shallowRef<B24ConnectionError | null>(null);
  const frame = shallowRef<FrameHandle | null>(null);
  let destroyed = false;

  const timer = setTimeout(() => {
    if (status.value !== 'connecting') return;
    status.value = 'unavailable';
    error.value = { code: 'timeout', message: `Bitrix24 did not answer within ${timeoutMs} ms` };
  }, timeoutMs);

  initialize().then(
    (handle) => {
      clearTimeout(timer);
      if (destroyed) {
        handle.destroy();
        return;
      }
      frame.value = handle;
      status.value = 'ready';
      error.value = null;
    },
    (err: unknown) => {
      clearTimeout(timer);
      if (destroyed) return;
      status.value = 'unavailable';
      error.value = toConnectionError(err);
    },
  );

  return {
    status: computed(() => status.value),
    ready: computed(() => status.value === 'ready'),
    error: computed(() => error.value),
    isInstallMode: computed(() => frame.value?.isInstallMode ?? false),

    async installFinish() {
      const handle = frame.value;
      if (!handle) throw new B24ActionError('not_connected', 'Not connected to Bitrix24');
      if (!handle.isInstallMode) {
        throw new B24ActionError('not_install_mode', 'Bitrix24 did not open the app as an installer');
      }
      try {
        await handle.installFinish();
      } catch (err: unknown) {
        throw new B24ActionError('failed', 'Bitrix24 did not accept installFinish', err);
      }
    },

    async selectAccess(blocked) {
      const handle = frame.value;
      if (!handle) throw new B24ActionError('not_connected', 'Not connected to Bitrix24');
      let selected: readonly SelectedAccessCode[];
      try {
        selected = await handle.dialog.selectAccess([...blocked]);
      } catch (err: unknown) {
        throw new B24ActionError('failed', 'Bitrix24 did not open the access dialog', err);
      }
      // The portal answers with whatever it has; keep only well-formed items.
      return (Array.isArray(selected) ? selected : [])
        .filter((item) => typeof item?.id === 'string' && item.id !== '')
        .map((item) => ({ id: item.id, name: typeof item.name === 'string' ? item.name : item.id }));
    },

    async resizeFrame(height) {
      const handle = frame.value;
      const rounded = Math.ceil(height);
      if (!handle || handle.placement.isSliderMode || !(rounded > 0)) return;
      // What fitWindow sends (width '100%'), with the height measured by the caller.
      await handle.parent.message.send('resizeWindow', { width: '100%', height: rounded, isSafely: true });
    },

    async setTitle(title) {
      await frame.value?.parent.setTitle(title);
    },

    async reloadApp() {
      const handle = frame.value;
      if (!handle) return false;
      await handle.parent.reloadWindow();
      return true;
    },

    destroy() {
      if (destroyed) return;
      destroyed = true;
      clearTimeout(timer);
      frame.value?.destroy();
      frame.value = null;
    },
  };
}

function toConnectionError(err: unknown): B24ConnectionError {
  const code = typeof err === 'object' && err !== null && 'code' in err ? err.code : undefined;
  const message = err instanceof Error ? err.message : String(err);
  // The SDK throws this when window.name carries no portal data, i.e. the page is not in a frame.
  if (code === 'JSSDK_CLIENT_SIDE_WARNING') return { code: 'not_in_frame', message };
  return { code: 'init_failed', message };
}

/** The Bitrix24 frame provided by the app root (tests provide a fake). */
export function useB24(): B24 {
  const b24 = inject(b24Key);
  if (!b24) throw new Error('useB24() needs connectB24() provided under b24Key');
  return b24;
}
