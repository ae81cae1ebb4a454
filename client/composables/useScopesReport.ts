import { onBeforeUnmount, onMounted, shallowRef, type ShallowRef } from 'vue'
import { useApi } from '../api/useApi'
import type { ScopesReport } from '../api/schemas'

export interface ScopesReportState {
  readonly report: Readonly<ShallowRef<ScopesReport | null>>
  readonly error: Readonly<ShallowRef<unknown>>
  readonly loading: Readonly<ShallowRef<boolean>>
  reload(): Promise<void>
}

/** Loads GET /api/scopes on mount; a newer load or unmounting cancels the one in flight. */
export function useScopesReport(): ScopesReportState {
  const api = useApi()
  const report = shallowRef<ScopesReport | null>(null)
  const error = shallowRef<unknown>(null)
  const loading = shallowRef(false)
  let controller: AbortController | null = null

  async function reload(): Promise<void> {
    controller?.abort()
    const current = new AbortController()
    controller = current
    loading.value = true
    error.value = null
    try {
      report.value = await api.scopes({ signal: current.signal })
    } catch (err: unknown) {
      if (!current.signal.aborted) error.value = err
    } finally {
      if (controller === current) loading.value = false
    }
  }

  onMounted(reload)
  onBeforeUnmount(() => controller?.abort())

  return { report, error, loading, reload }
}
