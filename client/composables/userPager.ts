import { markRaw, shallowRef, triggerRef, type ShallowRef } from 'vue';
import { MAX_USERS_PAGE, type ActiveFilter } from '../api/client';
import type { DirectoryUser, UsersPage } from '../api/schemas';

/** What the directory list shows; a change starts the list over. */
export interface UserFilter {
  q: string;
  department: number | null;
  subdepartments: boolean;
  active: ActiveFilter;
}

/** Loads one page: `cursor` null for the first. */
export type FetchUsersPage = (
  filter: UserFilter,
  page: { cursor: string | null; limit: number },
  signal: AbortSignal,
) => Promise<UsersPage>;

export interface UserPagerOptions {
  fetchPage: FetchUsersPage;
  /** Rows per request while the user scrolls (200). */
  pageSize?: number;
  /** Rows per request while catching up after a jump far down the list (the API's maximum). */
  catchUpPageSize?: number;
}

/**
 * The rows of the directory list, loaded page by page by cursor as the user scrolls. Pages already
 * loaded are kept; `total` comes with the first page, so the list has its full height at once.
 */
export interface UserPager {
  /**
   * Loaded rows, in order. A raw array (never deep-reactive, 50,000 objects would each get a
   * proxy) in a shallowRef that is triggered when pages are appended.
   */
  readonly rows: Readonly<ShallowRef<readonly DirectoryUser[]>>;
  /** Number of matching users; `null` until the first page arrived. */
  readonly total: Readonly<ShallowRef<number | null>>;
  /** Snapshot the rows come from; `null` before the first sync. */
  readonly generation: Readonly<ShallowRef<number | null>>;
  readonly loading: Readonly<ShallowRef<boolean>>;
  /** The last page request failed; loading stops until `retry()`. */
  readonly error: Readonly<ShallowRef<unknown>>;
  /** Increases on every `reset()`: the list scrolls back to the top. */
  readonly epoch: Readonly<ShallowRef<number>>;
  /** Starts over with `filter`: drops the rows, cancels the request in flight, loads page one. */
  reset(filter: UserFilter): void;
  /** Makes sure rows up to `index` get loaded (pages are fetched in order: cursors are sequential). */
  ensure(index: number): void;
  /** Requests the page that failed again. */
  retry(): void;
  /** Cancels the request in flight (unmount). */
  dispose(): void;
}

export const USERS_PAGE_SIZE = 200;

export function createUserPager(options: UserPagerOptions): UserPager {
  const { fetchPage, pageSize = USERS_PAGE_SIZE, catchUpPageSize = MAX_USERS_PAGE } = options;
  const rows = shallowRef<DirectoryUser[]>(markRaw([]));
  const total = shallowRef<number | null>(null);
  const generation = shallowRef<number | null>(null);
  const loading = shallowRef(false);
  const error = shallowRef<unknown>(null);
  const epoch = shallowRef(0);

  let filter: UserFilter | null = null;
  let firstLoaded = false;
  let cursor: string | null = null;
  let wanted = 0;
  let controller: AbortController | null = null;

  function startOver(): void {
    rows.value = markRaw([]);
    total.value = null;
    generation.value = null;
    firstLoaded = false;
    cursor = null;
  }

  function needsMore(): boolean {
    if (!firstLoaded) return true;
    return cursor !== null && wanted >= rows.value.length;
  }

  async function pump(): Promise<void> {
    if (filter === null || loading.value || error.value !== null || !needsMore()) return;
    const myEpoch = epoch.value;
    const current = new AbortController();
    controller = current;
    loading.value = true;
    try {
      while (filter !== null && needsMore()) {
        // A jump far past the loaded rows (dragging the scrollbar) catches up in larger pages.
        const behind = wanted - rows.value.length;
        const limit = firstLoaded && behind >= pageSize ? catchUpPageSize : pageSize;
        const page = await fetchPage(filter, { cursor, limit }, current.signal);
        if (epoch.value !== myEpoch) return;
        if (firstLoaded && page.generation !== generation.value) {
          // The mirror was refreshed while the user scrolled: the cursor belongs to the old
          // snapshot, so read the new one from the start. `total` stays until the new first page
          // replaces it, so the list keeps its height and the scroll position.
          rows.value = markRaw([]);
          firstLoaded = false;
          cursor = null;
          continue;
        }
        if (!firstLoaded) {
          firstLoaded = true;
          total.value = page.total;
          generation.value = page.generation;
        }
        rows.value.push(...page.users);
        triggerRef(rows);
        cursor = page.nextCursor;
      }
    } catch (err: unknown) {
      if (epoch.value === myEpoch && !current.signal.aborted) error.value = err;
    } finally {
      if (epoch.value === myEpoch) {
        loading.value = false;
        controller = null;
      }
    }
  }

  return {
    rows,
    total,
    generation,
    loading,
    error,
    epoch,

    reset(next) {
      controller?.abort();
      controller = null;
      filter = { ...next };
      wanted = 0;
      startOver();
      loading.value = false;
      error.value = null;
      epoch.value += 1;
      void pump();
    },

    ensure(index) {
      if (index > wanted) wanted = index;
      void pump();
    },

    retry() {
      error.value = null;
      void pump();
    },

    dispose() {
      controller?.abort();
      controller = null;
      filter = null;
      epoch.value += 1;
      loading.value = false;
    },
  };
}
