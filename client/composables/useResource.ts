import { onBeforeUnmount, onMounted, shallowRef, type ShallowRef } from 'vue';

export interface ResourceState<T> {
  readonly data: Readonly<ShallowRef<T | null>>;
  readonly error: Readonly<ShallowRef<unknown>>;
  readonly loading: Readonly<ShallowRef<boolean>>;
  /** Loads again; the data already shown stays until the new answer arrives. */
  reload(): Promise<void>;
}

/**
 * Loads `load()` on mount; a newer load or unmounting cancels the one in flight. The data is kept
 * in a `shallowRef`: answers are replaced whole, never edited, so deep reactivity would only cost.
 */
export function useResource<T>(load: (signal: AbortSignal) => Promise<T>): ResourceState<T> {
  const data = shallowRef<T | null>(null);
  const error = shallowRef<unknown>(null);
  const loading = shallowRef(false);
  let controller: AbortController | null = null;

  async function reload(): Promise<void> {
    controller?.abort();
    const current = new AbortController();
    controller = current;
    loading.value = true;
    error.value = null;
    try {
      data.value = await load(current.signal);
    } catch (err: unknown) {
      if (!current.signal.aborted) error.value = err;
    } finally {
      if (controller === current) loading.value = false;
    }
  }

  onMounted(reload);
  onBeforeUnmount(() => controller?.abort());

  return { data, error, loading, reload };
}
