import { onBeforeUnmount, shallowRef, type ShallowRef } from 'vue';

/** The current time, updated every `intervalMs`, so "5 minutes ago" does not go stale. */
export function useNow(intervalMs = 30_000): Readonly<ShallowRef<number>> {
  const now = shallowRef(Date.now());
  const timer = setInterval(() => {
    now.value = Date.now();
  }, intervalMs);
  onBeforeUnmount(() => clearInterval(timer));
  return now;
}
