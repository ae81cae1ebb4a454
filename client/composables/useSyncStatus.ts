import { onBeforeUnmount, onMounted, shallowRef, type ShallowRef } from 'vue';
import type { SyncStatus } from '../api/schemas';
import { useApi } from '../api/useApi';

/** How often the running sync is asked about (the brief: every second). */
export const SYNC_POLL_INTERVAL_MS = 1000;

export interface SyncStatusOptions {
  /** Asks again `intervalMs` after each answer for which this holds. */
  pollWhile(status: SyncStatus): boolean;
  intervalMs?: number;
}

export interface SyncStatusState {
  readonly status: Readonly<ShallowRef<SyncStatus | null>>;
  /** The last GET /api/sync failed; polling stopped until `reload()`. */
  readonly error: Readonly<ShallowRef<unknown>>;
  /** POST /api/sync in flight. */
  readonly starting: Readonly<ShallowRef<boolean>>;
  /** The last POST /api/sync failed (e.g. 403 `ADMIN_REQUIRED`). */
  readonly startError: Readonly<ShallowRef<unknown>>;
  reload(): Promise<void>;
  /** Starts a sync, then polls while `pollWhile` holds. */
  start(): Promise<void>;
}

/**
 * The directory mirror's sync state: GET /api/sync on mount, then again every `intervalMs` while
 * `pollWhile(status)` holds. One request at a time; unmounting stops everything.
 */
export function useSyncStatus(options: SyncStatusOptions): SyncStatusState {
  const api = useApi();
  const { pollWhile, intervalMs = SYNC_POLL_INTERVAL_MS } = options;
  const status = shallowRef<SyncStatus | null>(null);
  const error = shallowRef<unknown>(null);
  const starting = shallowRef(false);
  const startError = shallowRef<unknown>(null);
  let controller: AbortController | null = null;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let disposed = false;

  function accept(next: SyncStatus): void {
    status.value = next;
    error.value = null;
    clearTimeout(timer);
    if (!disposed && pollWhile(next)) timer = setTimeout(() => void reload(), intervalMs);
  }

  async function reload(): Promise<void> {
    clearTimeout(timer);
    controller?.abort();
    const current = new AbortController();
    controller = current;
    try {
      accept(await api.syncStatus({ signal: current.signal }));
    } catch (err: unknown) {
      if (!current.signal.aborted) error.value = err;
    } finally {
      if (controller === current) controller = null;
    }
  }

  async function start(): Promise<void> {
    if (starting.value || disposed) return;
    starting.value = true;
    startError.value = null;
    try {
      const result = await api.startSync();
      if (disposed) return;
      // The POST's answer is newer than a GET still in flight.
      controller?.abort();
      accept(result.status);
    } catch (err: unknown) {
      startError.value = err;
    } finally {
      starting.value = false;
    }
  }

  onMounted(reload);
  onBeforeUnmount(() => {
    disposed = true;
    clearTimeout(timer);
    controller?.abort();
  });

  return { status, error, starting, startError, reload, start };
}
