import { shallowRef, type ShallowRef } from 'vue';
import type { ApiClient } from '../api/client';

/** How many access requests wait for a decision, shared by the shell's notice and the Requests tab's badge. */
export interface RequestCount {
  readonly open: Readonly<ShallowRef<number>>;
  /** Asks the server again (after a decision, or when a manager opens the app). Failures leave the count. */
  reload(): Promise<void>;
}

const counts = new WeakMap<ApiClient, RequestCount>();

/** One count per API client (one per app): the shell and the tabs see the same number. */
export function useRequestCount(api: ApiClient): RequestCount {
  const known = counts.get(api);
  if (known !== undefined) return known;
  const open = shallowRef(0);
  const made: RequestCount = {
    open,
    async reload() {
      try {
        open.value = (await api.accessRequestCount()).open;
      } catch {
        // The count is a hint; the Requests tab shows its own errors.
      }
    },
  };
  counts.set(api, made);
  return made;
}
