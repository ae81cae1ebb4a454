// Small DOM helpers for the portal page. Every piece of data goes into the DOM as a text node or an
// attribute value: nothing here ever assigns innerHTML, so hostile names stay inert text.

/**
 * Creates an element. Props: `class`, `test` (→ data-test), `text` (→ textContent), `dataset`,
 * `on<Event>` functions, boolean/other non-string values as DOM properties (`disabled: true`),
 * everything else as attributes. null/undefined/false props are skipped. Children: nodes or text.
 */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'test') el.setAttribute('data-test', String(value));
    else if (key === 'text') el.textContent = String(value);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key === 'style' && typeof value === 'object') {
      for (const [prop, v] of Object.entries(value)) {
        if (prop.startsWith('--')) el.style.setProperty(prop, String(v));
        else el.style[prop] = v;
      }
    } else if (key.startsWith('on') && typeof value === 'function')
      el.addEventListener(key.slice(2).toLowerCase(), value);
    else if (typeof value !== 'string' && key in el) el[key] = value;
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

/** Appends nodes or strings (as text nodes); nested arrays, null and false are allowed. */
export function append(el, ...children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

/** Replaces all children of `el`. */
export function replace(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

const SVG_NS = 'http://www.w3.org/2000/svg';

// 24×24 stroke icons (constant path data, drawn with createElementNS).
const ICONS = {
  feed: ['M4 5h16', 'M4 10h16', 'M4 15h10', 'M4 20h7'],
  chat: ['M4 5h16v11H9l-5 4z'],
  tasks: [
    'M9 6h11',
    'M9 12h11',
    'M9 18h11',
    'M3.5 6l1.5 1.5L7.5 5',
    'M3.5 12l1.5 1.5 2.5-2.5',
    'M3.5 18l1.5 1.5 2.5-2.5',
  ],
  crm: ['M4 20V10', 'M10 20V4', 'M16 20v-7', 'M22 20H2'],
  calendar: ['M4 6h16v14H4z', 'M4 10h16', 'M8 3v5', 'M16 3v5'],
  drive: ['M3 7h7l2 2h9v10H3z'],
  company: [
    'M9 11a3.5 3.5 0 1 0 0-7 3.5 3.5 0 0 0 0 7z',
    'M2.5 20c.6-3.6 3.2-6 6.5-6s5.9 2.4 6.5 6',
    'M16 4.5a3.2 3.2 0 0 1 0 6.2',
    'M18.5 14.3c1.7.9 2.8 2.8 3 5.7',
  ],
  market: ['M4 9l1.5-5h13L20 9', 'M4 9h16v11H4z', 'M9 13h6'],
  key: ['M7.5 20.5a4.5 4.5 0 1 0 0-9 4.5 4.5 0 0 0 0 9z', 'M10.7 12.8L20 3.5', 'M16.5 7l3 3', 'M14 9.5l2 2'],
  close: ['M6 6l12 12', 'M18 6L6 18'],
  search: ['M10.5 17a6.5 6.5 0 1 0 0-13 6.5 6.5 0 0 0 0 13z', 'M15.5 15.5L20 20'],
  check: ['M5 12.5l4.5 4.5L19 7.5'],
  reload: ['M20 11a8 8 0 1 0-2.3 5.7', 'M20 4v7h-7'],
  info: ['M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18z', 'M12 11v6', 'M12 7.5h.01'],
  warning: ['M12 3l10 18H2z', 'M12 10v5', 'M12 18h.01'],
  lock: ['M6 11h12v9H6z', 'M8.5 11V8a3.5 3.5 0 0 1 7 0v3'],
  log: ['M5 4h14v16H5z', 'M8 8h8', 'M8 12h8', 'M8 16h5'],
  user: ['M12 12a4 4 0 1 0 0-8 4 4 0 0 0 0 8z', 'M4 21c.8-4 4-6.5 8-6.5s7.2 2.5 8 6.5'],
  department: ['M9 3h6v5H9z', 'M3 16h6v5H3z', 'M15 16h6v5h-6z', 'M12 8v4', 'M6 16v-4h12v4'],
  globe: [
    'M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18z',
    'M3 12h18',
    'M12 3c2.5 2.6 3.7 5.6 3.7 9s-1.2 6.4-3.7 9c-2.5-2.6-3.7-5.6-3.7-9S9.5 5.6 12 3z',
  ],
  trash: ['M4 7h16', 'M9 7V4h6v3', 'M6 7l1 13h10l1-13'],
  plus: ['M12 5v14', 'M5 12h14'],
  'chevron-down': ['M6 9l6 6 6-6'],
  'chevron-up': ['M6 15l6-6 6 6'],
};

/** An inline SVG icon (decorative: aria-hidden). */
export function icon(name, size = 20) {
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('width', String(size));
  svg.setAttribute('height', String(size));
  svg.setAttribute('fill', 'none');
  svg.setAttribute('stroke', 'currentColor');
  svg.setAttribute('stroke-width', '1.8');
  svg.setAttribute('stroke-linecap', 'round');
  svg.setAttribute('stroke-linejoin', 'round');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  svg.classList.add('icon');
  for (const d of ICONS[name] ?? ICONS.info) {
    const path = document.createElementNS(SVG_NS, 'path');
    path.setAttribute('d', d);
    svg.append(path);
  }
  return svg;
}

/** Up to two initials from the letters/digits of a name ("?" when there are none). */
export function initials(name) {
  const words = String(name ?? '')
    .split(/\s+/)
    .map((word) => word.match(/[\p{L}\p{N}]/u)?.[0])
    .filter(Boolean);
  if (words.length === 0) return '?';
  return (words[0] + (words.length > 1 ? words[words.length - 1] : '')).toUpperCase();
}

/**
 * A round avatar: the photo when `photo` is an http(s) URL (initials if it fails to load), else initials
 * on a colour derived from the id so users are easy to tell apart.
 */
export function avatar(name, id, size = 'md', photo = '') {
  const hue = (Number.parseInt(String(id ?? '0').replace(/\D/g, '') || '0', 10) * 67) % 360;
  const fallback = h(
    'span',
    { class: `avatar avatar--${size}`, style: { '--avatar-hue': String(hue) }, 'aria-hidden': 'true' },
    initials(name),
  );
  let url = null;
  try {
    url = photo ? new URL(String(photo), location.href) : null;
  } catch {
    url = null;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) return fallback;
  const img = h('img', {
    class: `avatar avatar--${size} avatar--photo`,
    src: url.href,
    alt: '',
    loading: 'lazy',
    'aria-hidden': 'true',
  });
  img.addEventListener('error', () => img.replaceWith(fallback), { once: true });
  return img;
}

let modalSeq = 0;
let activeModal = null;

/**
 * Opens a native modal <dialog>. Escape, the cross and `close('cancel')` call `onCancel` once.
 * Only one modal is open at a time: opening another cancels the current one first.
 * Returns { el, body, footer, close(reason) }.
 */
export function openModal({ test, title, subtitle, wide = false, onCancel }) {
  if (activeModal) activeModal.close('cancel');
  const titleId = `modal-title-${++modalSeq}`;
  const body = h('div', { class: 'modal__body' });
  const footer = h('div', { class: 'modal__footer' });
  const dialog = h(
    'dialog',
    { class: `modal${wide ? ' modal--wide' : ''}`, test, 'aria-labelledby': titleId },
    h(
      'div',
      { class: 'modal__header' },
      h(
        'div',
        null,
        h('h2', { id: titleId, class: 'modal__title', text: title }),
        subtitle ? h('p', { class: 'modal__subtitle', text: subtitle }) : null,
      ),
      h(
        'button',
        {
          type: 'button',
          class: 'icon-button',
          test: 'modal-close',
          'aria-label': 'Close',
          onClick: () => modal.close('cancel'),
        },
        icon('close'),
      ),
    ),
    body,
    footer,
  );
  let closed = false;
  const modal = {
    el: dialog,
    body,
    footer,
    get closed() {
      return closed;
    },
    close(reason = 'done') {
      if (closed) return;
      closed = true;
      if (activeModal === modal) activeModal = null;
      if (dialog.open) dialog.close();
      dialog.remove();
      if (reason === 'cancel') onCancel?.();
    },
  };
  dialog.addEventListener('cancel', (event) => {
    event.preventDefault();
    modal.close('cancel');
  });
  document.body.append(dialog);
  dialog.showModal();
  activeModal = modal;
  return modal;
}

/** Closes the open modal (if any) without calling its onCancel. */
export function dismissModal() {
  activeModal?.close('dismiss');
}

/** A simple debounce. */
export function debounce(fn, ms) {
  let timer = 0;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}
