// Placements on the portal page: the workgroups section, whose group pages show the tabs apps bound to
// SONET_GROUP_DETAIL_TAB, and the `/marketplace/view/<CODE>/` address that opens an app's REST_APP_URI handler.
// Bitrix24 sources: docs api-reference/widgets/workgroups/detail-tab.md (the tab, PLACEMENT_OPTIONS
// {"GROUP_ID":"10","URI":"\/workgroups\/group\/10\/"}), widgets/universal/app-url.md (the link, `params[...]` as
// strings in PLACEMENT_OPTIONS, a slider), widgets/index.md (widgets hidden from users without app access: the
// emulator's state lists the bound placements only for them).

import { h, icon } from './dom.js';

/** The title Bitrix24 shows for a binding: its LANG_ALL entry in the portal's language, else TITLE. */
function titleOf(binding, lang) {
  return binding.langAll?.[lang]?.TITLE || binding.langAll?.en?.TITLE || binding.title || binding.placement;
}

/** The group id of `#/workgroups/<id>`, or null for the list. */
function groupIdFromHash() {
  const match = /^#\/workgroups\/(\d+)/.exec(location.hash);
  return match ? Number(match[1]) : null;
}

/**
 * The workgroups section. `ctx`: `{ state, getJson, pageHead, openPlacement(placement, options, title) }`.
 * A group's page has its own "About" tab and one tab per bound SONET_GROUP_DETAIL_TAB widget; choosing one opens
 * the app's frame with PLACEMENT=SONET_GROUP_DETAIL_TAB and the group's options, encoded as the portal does.
 */
export function renderWorkgroups(ctx) {
  const groupId = groupIdFromHash();
  const body = h('div', { class: 'card' }, h('p', { class: 'muted' }, 'Loading…'));
  const section = h('section', { class: 'page', test: 'workgroups-view' }, ctx.pageHead('Workgroups'), body);
  ctx.getJson('/_emulator/directory?q=').then(
    (directory) => {
      const groups = Array.isArray(directory.groups) ? directory.groups : [];
      const group = groups.find((item) => item.id === groupId);
      body.replaceChildren(group ? groupPage(ctx, group) : groupList(groups));
    },
    (err) => body.replaceChildren(h('p', { class: 'muted', text: `Could not load workgroups: ${err.message}` })),
  );
  return section;
}

function groupList(groups) {
  if (groups.length === 0) return h('p', { class: 'muted' }, 'There are no workgroups on this portal.');
  return h(
    'ul',
    { class: 'group-list', test: 'workgroup-list' },
    ...groups.map((group) =>
      h(
        'li',
        null,
        h('a', {
          href: `#/workgroups/${group.id}`,
          test: 'workgroup-link',
          dataset: { groupId: String(group.id) },
          text: `${group.name}${group.project ? ' (project)' : ''}`,
        }),
      ),
    ),
  );
}

function groupPage(ctx, group) {
  const lang = ctx.state.portal?.lang ?? 'en';
  const tabs = (ctx.state.app?.placements ?? []).filter((binding) => binding.placement === 'SONET_GROUP_DETAIL_TAB');
  const options = { GROUP_ID: String(group.id), URI: `/workgroups/group/${group.id}/` };
  return h(
    'div',
    { test: 'workgroup-page', dataset: { groupId: String(group.id) } },
    h('h2', { class: 'page__title', text: group.name }),
    h(
      'nav',
      { class: 'group-tabs', test: 'workgroup-tabs', 'aria-label': 'Workgroup tabs' },
      h('span', { class: 'group-tabs__tab group-tabs__tab--active' }, 'About'),
      ...tabs.map((binding) =>
        h(
          'button',
          {
            type: 'button',
            class: 'btn btn--light btn--small',
            test: 'workgroup-app-tab',
            onClick: () =>
              ctx.openPlacement('SONET_GROUP_DETAIL_TAB', options, `${group.name} — ${titleOf(binding, lang)}`),
          },
          icon('market', 16),
          titleOf(binding, lang),
        ),
      ),
    ),
    h('p', { class: 'muted' }, group.project ? 'A project.' : 'A workgroup.'),
  );
}

/**
 * `/marketplace/view/<CODE>/?params[view]=…&params[id]=…` (the server serves this page there only for the app's
 * CODE): the `params[...]` of the query, as strings; keys given directly in the query do not reach the app.
 */
export function appLinkParams(location) {
  if (!/^\/marketplace\/view\/[^/]+\/$/.test(location.pathname)) return null;
  const params = {};
  for (const [key, value] of new URLSearchParams(location.search)) {
    const match = /^params\[([^\]]+)\]$/.exec(key);
    if (match) params[match[1]] = value;
  }
  return params;
}
