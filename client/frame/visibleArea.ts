/** The part of the frame the user can see, in the frame's own CSS px (top from the frame's top). */
export interface VisibleArea {
  top: number;
  height: number;
  /** From the bottom of what is seen to the bottom of the frame. */
  bottom: number;
}

/** CSS custom properties set on <html>; frame.css places dialogs and the save bar with them. */
export const VISIBLE_AREA_VARS = {
  top: '--kc-visible-top',
  height: '--kc-visible-height',
  bottom: '--kc-visible-bottom',
} as const;

/** Height of one band: the observer reports when a band's visible share crosses a step of it. */
const BAND_PX = 200;
/** Steps per band: 50 → the area is known to within 4 px. */
const STEPS = 50;

/**
 * The visible part of the app's frame within the portal window, kept in CSS variables.
 *
 * The app's iframe is as tall as its content, and the portal window scrolls it: a `position: fixed`
 * dialog centred in the iframe's viewport lands in the middle of the *frame*, thousands of px below what
 * the user sees. Bitrix24 offers no way to ask: the B24Frame command list has no getter for the
 * portal's scroll position or window size (b24jssdk `frame/message/commands.mjs`; `getScrollSize()` is
 * the frame's own content size, `tools/scroll-size.mjs`). The browser does tell: an IntersectionObserver
 * with the implicit root, inside a cross-origin iframe, reports each target clipped by every ancestor
 * viewport and scroller (WPT `intersection-observer/nested-cross-origin-iframe.sub.html`). Only the
 * visible *share* of a target triggers a report, so the frame is covered with bands whose shares change
 * whenever the visible area moves.
 *
 * Returns a function that stops watching. Does nothing where IntersectionObserver is missing (the CSS
 * falls back to the frame's own viewport).
 */
export function watchVisibleArea(
  win: Window & typeof globalThis = window,
  onChange?: (area: VisibleArea) => void,
): () => void {
  const { document: doc } = win;
  if (typeof win.IntersectionObserver === 'undefined' || !doc.body) return () => {};
  const root = doc.documentElement;
  const layer = doc.createElement('div');
  layer.setAttribute('aria-hidden', 'true');
  layer.dataset.frameVisibleArea = '';
  // Fixed: covers the frame's viewport, which is the whole frame while the frame fits its content.
  layer.style.cssText = 'position:fixed;inset:0 auto 0 0;width:1px;pointer-events:none;visibility:hidden;';
  doc.body.append(layer);

  const seen = new Map<Element, DOMRectReadOnly | null>();
  const thresholds = Array.from({ length: STEPS + 1 }, (_, index) => index / STEPS);
  const observer = new win.IntersectionObserver(
    (entries) => {
      for (const entry of entries) seen.set(entry.target, entry.isIntersecting ? entry.intersectionRect : null);
      publish();
    },
    { threshold: thresholds },
  );

  function publish(): void {
    let top = Number.POSITIVE_INFINITY;
    let bottom = Number.NEGATIVE_INFINITY;
    for (const rect of seen.values()) {
      if (rect === null || rect.height <= 0) continue;
      top = Math.min(top, rect.top);
      bottom = Math.max(bottom, rect.bottom);
    }
    const frameHeight = win.innerHeight;
    // Nothing of the frame is visible: fall back to its own viewport.
    const area =
      bottom > top
        ? { top: Math.round(top), height: Math.round(bottom - top), bottom: Math.round(frameHeight - bottom) }
        : { top: 0, height: frameHeight, bottom: 0 };
    root.style.setProperty(VISIBLE_AREA_VARS.top, `${area.top}px`);
    root.style.setProperty(VISIBLE_AREA_VARS.height, `${area.height}px`);
    root.style.setProperty(VISIBLE_AREA_VARS.bottom, `${Math.max(0, area.bottom)}px`);
    onChange?.(area);
  }

  function layout(): void {
    const count = Math.max(1, Math.ceil(win.innerHeight / BAND_PX));
    while (layer.childElementCount > count) {
      const last = layer.lastElementChild;
      if (last === null) break;
      observer.unobserve(last);
      seen.delete(last);
      last.remove();
    }
    while (layer.childElementCount < count) {
      const band = doc.createElement('div');
      band.style.cssText = `position:absolute;left:0;width:1px;top:${layer.childElementCount * BAND_PX}px;height:${BAND_PX}px;`;
      layer.append(band);
      observer.observe(band);
    }
  }

  // The portal resizes the iframe (resizeWindow): more or fewer bands, and a new distance from what is seen to the
  // frame's bottom. The observer may not report that: when the frame grows below what the user sees, no band's
  // visible share changes, and the bar placed with the old distance would sit below the visible part.
  function resize(): void {
    layout();
    if (seen.size > 0) publish();
  }

  layout();
  win.addEventListener('resize', resize);
  return () => {
    win.removeEventListener('resize', resize);
    observer.disconnect();
    layer.remove();
    for (const name of Object.values(VISIBLE_AREA_VARS)) root.style.removeProperty(name);
  };
}
