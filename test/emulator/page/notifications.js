// The notification centre of the emulated portal: a bell in the top bar with the current user's notifications
// (GET /_emulator/notifications), as Bitrix24's own bell lists what im.notify.* sent. Message text is BB code
// (api-reference/chats/messages/formatting.md): [URL=…]…[/URL], [B]…[/B], [BR] and the "#BR#" Bitrix24 puts
// after the app's name become a link, bold and line breaks; everything else stays text (built with
// textContent, never innerHTML).

import { h, replace } from './dom.js';

const TOKEN = /\[URL=([^\]]+)\]([\s\S]*?)\[\/URL\]|\[B\]([\s\S]*?)\[\/B\]|\[BR\]|#BR#/gi;

const SVG_NS = 'http://www.w3.org/2000/svg';

/** An outline bell (the font may have no bell glyph). */
function bellIcon() {
  const svg = document.createElementNS(SVG_NS, 'svg');
  for (const [name, value] of Object.entries({ viewBox: '0 0 24 24', width: '20', height: '20', fill: 'none' }))
    svg.setAttribute(name, value);
  svg.setAttribute('stroke', 'currentColor');
  svg.setAttribute('stroke-width', '1.8');
  svg.setAttribute('aria-hidden', 'true');
  for (const d of ['M6 16V11a6 6 0 0 1 12 0v5l1.5 2h-15z', 'M10 20a2 2 0 0 0 4 0']) {
    const path = document.createElementNS(SVG_NS, 'path');
    path.setAttribute('d', d);
    svg.append(path);
  }
  return svg;
}

/** A link of the portal itself opens on this page's origin (the emulator serves the portal over http). */
function portalHref(raw) {
  try {
    const url = new URL(raw, location.href);
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
    if (url.host === location.host) return `${location.origin}${url.pathname}${url.search}${url.hash}`;
    return url.href;
  } catch {
    return null;
  }
}

/** Nodes of one BB-code message. */
export function bbNodes(text) {
  const nodes = [];
  let last = 0;
  for (const match of text.matchAll(TOKEN)) {
    if (match.index > last) nodes.push(document.createTextNode(text.slice(last, match.index)));
    const [token, url, label, bold] = match;
    if (url !== undefined) {
      const href = portalHref(url);
      nodes.push(
        href === null ? document.createTextNode(label) : h('a', { href, test: 'notification-link', text: label }),
      );
    } else if (bold !== undefined) nodes.push(h('strong', { text: bold }));
    else nodes.push(h('br'));
    last = match.index + token.length;
  }
  if (last < text.length) nodes.push(document.createTextNode(text.slice(last)));
  return nodes;
}

/**
 * Draws the bell into `container` for the current user; asks the emulator again on every call (opening the
 * panel asks again too, so what the app sent since shows up).
 */
export async function renderNotifications(container, open = false) {
  let list = [];
  try {
    const res = await fetch('/_emulator/notifications', { credentials: 'same-origin' });
    if (res.ok) list = (await res.json()).notifications ?? [];
  } catch {
    list = [];
  }
  const panel = h(
    'div',
    { class: 'notifications__panel', test: 'notifications-panel', hidden: !open, role: 'dialog' },
    list.length === 0
      ? h('p', { class: 'notifications__empty', text: 'No notifications.' })
      : h(
          'ol',
          { class: 'notifications__list' },
          ...list.map((item) =>
            h(
              'li',
              { class: 'notifications__item', test: 'notification', dataset: { tag: item.tag ?? '' } },
              ...bbNodes(String(item.message ?? '')),
            ),
          ),
        ),
  );
  const bell = h(
    'button',
    {
      type: 'button',
      class: 'notifications__bell',
      test: 'notifications-bell',
      'aria-label': `Notifications: ${list.length}`,
      'aria-expanded': open ? 'true' : 'false',
      onclick: () => {
        if (panel.hidden) void renderNotifications(container, true);
        else panel.hidden = true;
      },
    },
    bellIcon(),
    list.length > 0
      ? h('span', { class: 'notifications__count', test: 'notifications-count', text: String(list.length) })
      : null,
  );
  replace(container, bell, panel);
}
