import { onBeforeUnmount, shallowRef, watch, type Ref, type ShallowRef } from 'vue';

/** Follows `source` once it has not changed for `delayMs` (typing in a search box). */
export function useDebounced<T>(source: Readonly<Ref<T>>, delayMs: number): Readonly<ShallowRef<T>> {
  const settled = shallowRef(source.value);
  let timer: ReturnType<typeof setTimeout> | undefined;
  watch(source, (value) => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      settled.value = value;
    }, delayMs);
  });
  onBeforeUnmount(() => clearTimeout(timer));
  return settled;
}
