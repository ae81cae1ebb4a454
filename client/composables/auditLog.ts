import { computed, onBeforeUnmount, shallowRef, type ComputedRef } from 'vue';
import type { AuditEntry, Names } from '../api/accessSchemas';
import type { ApiClient } from '../api/client';

/** Who made the changes shown; the name is only for display. */
export interface AuditActor {
  id: string;
  name: string;
}

export interface AuditFilter {
  actor: AuditActor | null;
  code: string | null;
}

/** The audit log as the page shows it: loaded page by page, newest first, under one filter. */
export interface AuditLog {
  readonly entries: ComputedRef<readonly AuditEntry[]>;
  /** Names of the codes in every page loaded so far. */
  readonly names: ComputedRef<Names>;
  readonly filter: ComputedRef<AuditFilter>;
  readonly hasMore: ComputedRef<boolean>;
  readonly loading: ComputedRef<boolean>;
  readonly error: ComputedRef<unknown>;
  /** Starts again from the newest entry under `filter`. */
  setFilter(filter: AuditFilter): Promise<void>;
  /** The next page (`nextCursor`), appended. */
  loadMore(): Promise<void>;
  /** Repeats the request that failed. */
  retry(): Promise<void>;
}

/** Created in a component's setup: a newer request or unmounting cancels the one in flight. */
export function useAuditLog(api: Pick<ApiClient, 'audit'>): AuditLog {
  const entries = shallowRef<readonly AuditEntry[]>([]);
  const names = shallowRef<Names>({});
  const filter = shallowRef<AuditFilter>({ actor: null, code: null });
  const cursor = shallowRef<string | null>(null);
  const started = shallowRef(false);
  const loading = shallowRef(false);
  const error = shallowRef<unknown>(null);
  let controller: AbortController | null = null;

  async function fetchPage(from: string | null): Promise<void> {
    controller?.abort();
    const current = new AbortController();
    controller = current;
    loading.value = true;
    error.value = null;
    try {
      const { actor, code } = filter.value;
      const page = await api.audit({ actor: actor?.id ?? null, code, cursor: from }, { signal: current.signal });
      entries.value = from === null ? page.entries : [...entries.value, ...page.entries];
      names.value = from === null ? page.names : { ...names.value, ...page.names };
      cursor.value = page.nextCursor;
      started.value = true;
    } catch (err: unknown) {
      if (!current.signal.aborted) error.value = err;
    } finally {
      if (controller === current) loading.value = false;
    }
  }

  onBeforeUnmount(() => controller?.abort());

  return {
    entries: computed(() => entries.value),
    names: computed(() => names.value),
    filter: computed(() => filter.value),
    hasMore: computed(() => started.value && cursor.value !== null),
    loading: computed(() => loading.value),
    error: computed(() => error.value),

    setFilter(next) {
      filter.value = next;
      entries.value = [];
      cursor.value = null;
      started.value = false;
      return fetchPage(null);
    },
    loadMore: () => (cursor.value === null ? Promise.resolve() : fetchPage(cursor.value)),
    retry: () => fetchPage(started.value ? cursor.value : null),
  };
}
