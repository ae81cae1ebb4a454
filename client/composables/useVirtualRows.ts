import { computed, onBeforeUnmount, shallowRef, watch, type ComputedRef, type Ref } from 'vue';

/** Rows `[start, end)` to render. */
export interface RowRange {
  start: number;
  end: number;
}

/**
 * The rows a viewport shows, plus `overscan` rows either side. Rows have a fixed height, so this is
 * arithmetic: no row is measured and the cost does not depend on the number of rows.
 */
export function visibleRange(params: {
  scrollTop: number;
  viewportHeight: number;
  rowHeight: number;
  count: number;
  overscan: number;
}): RowRange {
  const { scrollTop, viewportHeight, rowHeight, count, overscan } = params;
  if (count <= 0 || rowHeight <= 0) return { start: 0, end: 0 };
  // A scroll position past the end (the list just got shorter) shows the last rows, not nothing.
  const top = Math.min(Math.max(0, scrollTop), Math.max(0, count * rowHeight - viewportHeight));
  const first = Math.floor(top / rowHeight);
  const last = Math.ceil((top + Math.max(0, viewportHeight)) / rowHeight);
  const start = Math.min(count, Math.max(0, first - overscan));
  const end = Math.min(count, Math.max(start, last + overscan));
  return { start, end };
}

/** A rendered row: `index` in the list, shown by the component instance under `key`. */
export interface RowSlot {
  key: number;
  index: number;
}

/**
 * Rows `[start, end)` in order, each with a key from a pool of `poolSize` (at least the window
 * size). The key of the row that scrolled out is the key of the row that scrolled in, so Vue
 * updates that component with the new row instead of unmounting one and mounting another.
 */
export function recycledSlots(start: number, end: number, poolSize: number): RowSlot[] {
  const slots: RowSlot[] = [];
  for (let index = start; index < end; index += 1) slots.push({ key: index % poolSize, index });
  return slots;
}

export interface VirtualRowsOptions {
  count: Readonly<Ref<number>>;
  rowHeight: number;
  /** Rows rendered above and below the viewport, so a fast wheel does not show blanks. */
  overscan?: number;
  /** Used until the container is measured (and where layout is not computed, as in tests). */
  initialViewportHeight: number;
}

export interface VirtualRows {
  readonly start: ComputedRef<number>;
  readonly end: ComputedRef<number>;
  /** The rows to render, in order, with recycled keys (see {@link recycledSlots}). */
  readonly slots: ComputedRef<RowSlot[]>;
  /** Height of the whole list in pixels (count × rowHeight). */
  readonly totalHeight: ComputedRef<number>;
  /** Bind to the container's `scroll` event. */
  onScroll(): void;
  scrollToTop(): void;
}

/**
 * Windowing for a scroll container of fixed-height rows: only the rows in view (and `overscan`)
 * are rendered, absolutely positioned inside a spacer of the full height.
 */
export function useVirtualRows(container: Readonly<Ref<HTMLElement | null>>, options: VirtualRowsOptions): VirtualRows {
  const { count, rowHeight, overscan = 6, initialViewportHeight } = options;
  const scrollTop = shallowRef(0);
  const viewportHeight = shallowRef(initialViewportHeight);

  const measure = () => {
    const element = container.value;
    if (!element) return;
    scrollTop.value = element.scrollTop;
    if (element.clientHeight > 0) viewportHeight.value = element.clientHeight;
  };
  const observer = typeof ResizeObserver === 'undefined' ? null : new ResizeObserver(measure);
  watch(
    container,
    (element, previous) => {
      if (previous) observer?.unobserve(previous);
      if (element) {
        observer?.observe(element);
        measure();
      }
    },
    { immediate: true },
  );
  onBeforeUnmount(() => observer?.disconnect());

  // Separate computeds of plain numbers: a scroll inside the same rows changes neither, so nothing
  // re-renders.
  const range = () =>
    visibleRange({
      scrollTop: scrollTop.value,
      viewportHeight: viewportHeight.value,
      rowHeight,
      count: count.value,
      overscan,
    });
  const start = computed(() => range().start);
  const end = computed(() => range().end);
  // The largest window visibleRange can return for this viewport: no two rows in view share a key.
  const poolSize = computed(() => Math.ceil(viewportHeight.value / rowHeight) + 1 + 2 * overscan);
  const slots = computed(() => recycledSlots(start.value, end.value, poolSize.value));

  return {
    start,
    end,
    slots,
    totalHeight: computed(() => count.value * rowHeight),
    onScroll: measure,
    scrollToTop() {
      if (container.value) container.value.scrollTop = 0;
      scrollTop.value = 0;
    },
  };
}
