import type { ShallowRef } from 'vue';
import { useApi } from '../api/useApi';
import type { ScopesReport } from '../api/schemas';
import { useResource } from './useResource';

export interface ScopesReportState {
  readonly report: Readonly<ShallowRef<ScopesReport | null>>;
  readonly error: Readonly<ShallowRef<unknown>>;
  readonly loading: Readonly<ShallowRef<boolean>>;
  reload(): Promise<void>;
}

/** Loads GET /api/scopes on mount; a newer load or unmounting cancels the one in flight. */
export function useScopesReport(): ScopesReportState {
  const api = useApi();
  const { data, error, loading, reload } = useResource((signal) => api.scopes({ signal }));
  return { report: data, error, loading, reload };
}
