// Modal dialogs of the portal: the user picker (selectUser/selectUsers), the access chooser used by
// the app's "User access" setting and by the selectAccess command, and the uninstall confirmation.
// All names are inserted as text (h() never uses innerHTML).

import { h, icon, avatar, openModal, replace, append, debounce } from './dom.js';

/** Directory cache over GET /_emulator/directory?q= (users and departments merged by id). */
export function createDirectory(getJson) {
  const users = new Map();
  const departments = new Map();
  const groups = new Map();
  async function load(q = '', departmentId = null) {
    const scope = departmentId === null ? '' : `&department=${encodeURIComponent(departmentId)}`;
    const data = await getJson(`/_emulator/directory?q=${encodeURIComponent(q)}${scope}`);
    for (const user of Array.isArray(data?.users) ? data.users : []) users.set(String(user.id), user);
    for (const dept of Array.isArray(data?.departments) ? data.departments : []) departments.set(String(dept.id), dept);
    for (const group of Array.isArray(data?.groups) ? data.groups : []) groups.set(String(group.id), group);
    return data;
  }
  return {
    load,
    users: () => [...users.values()],
    departments: () => [...departments.values()],
    groups: () => [...groups.values()],
    user: (id) => users.get(String(id)),
    department: (id) => departments.get(String(id)),
    group: (id) => groups.get(String(id)),
    /** The head (user id) of a department when the directory tells it (`headId` or `head`), else null. */
    headOf(departmentId) {
      const dept = departments.get(String(departmentId));
      const head = dept?.headId ?? dept?.head ?? null;
      return head === null || head === undefined || head === '' ? null : String(head);
    },
    departmentNames(user) {
      return (Array.isArray(user?.departmentIds) ? user.departmentIds : [])
        .map((id) => departments.get(String(id))?.name)
        .filter(Boolean)
        .join(', ');
    },
  };
}

const isActive = (user) => user.active !== false && user.active !== 'N';
const isEmployee = (user) => !user.type || user.type === 'employee';
const matches = (query, ...texts) => {
  const q = query.trim().toLowerCase();
  return (
    q === '' ||
    texts.some((text) =>
      String(text ?? '')
        .toLowerCase()
        .includes(q),
    )
  );
};

/** Departments in tree order with their depth (orphans and cycles are tolerated). */
function departmentTree(list) {
  const byParent = new Map();
  const ids = new Set(list.map((d) => String(d.id)));
  for (const dept of list) {
    const parent =
      dept.parentId !== null && dept.parentId !== undefined && ids.has(String(dept.parentId))
        ? String(dept.parentId)
        : '';
    if (!byParent.has(parent)) byParent.set(parent, []);
    byParent.get(parent).push(dept);
  }
  const out = [];
  const seen = new Set();
  const walk = (parent, depth) => {
    for (const dept of (byParent.get(parent) ?? []).sort((a, b) => Number(a.id) - Number(b.id))) {
      if (seen.has(String(dept.id))) continue;
      seen.add(String(dept.id));
      out.push({ dept, depth });
      walk(String(dept.id), depth + 1);
    }
  };
  walk('', 0);
  for (const dept of list) if (!seen.has(String(dept.id))) out.push({ dept, depth: 0 });
  return out;
}

const GROUP_ROLES = { A: 'owner', E: 'moderators', K: 'all members' };

/** The display name of an access code from the directory (falls back to `known[code]`, then the code). */
export function accessCodeName(code, directory, known = {}) {
  if (known[code]) return String(known[code]);
  if (code === 'AU') return 'All authorized users';
  if (code === 'CR') return 'Current user';
  let m = /^SG(\d+)_([AEK])$/.exec(code);
  if (m) {
    const name = directory.group?.(m[1])?.name;
    return name ? `${name}: ${GROUP_ROLES[m[2]]}` : code;
  }
  m = /^(?:U|IU)(\d+)$/.exec(code);
  if (m) return directory.user(m[1])?.name ?? code;
  m = /^DR(\d+)$/.exec(code);
  if (m) {
    const name = directory.department(m[1])?.name;
    return name ? `${name} (with sub-departments)` : code;
  }
  m = /^D(\d+)$/.exec(code);
  if (m) return directory.department(m[1])?.name ?? code;
  return code;
}

/**
 * The auth provider behind a code, as the access dialog reports it with each item (main `core_access.js`:
 * `{provider, id, name}`; providers of main `authproviders.php`, intranet and socialnetwork).
 */
export function accessProvider(code) {
  if (/^U\d+$/.test(code)) return 'user';
  if (/^(?:IU|D|DR)\d+$/.test(code)) return 'intranet';
  if (/^SG\d+_[AEK]$/.test(code)) return 'socnetgroup';
  return 'other';
}

/** At most this many rows are rendered; the search box narrows the rest down. */
export const MAX_ROWS = 300;

function capRows(rows) {
  if (rows.length <= MAX_ROWS) return rows;
  return [
    ...rows.slice(0, MAX_ROWS),
    h(
      'li',
      { class: 'list-empty', test: 'list-truncated' },
      `Showing ${MAX_ROWS} of ${rows.length}. Type in the search box to narrow the list.`,
    ),
  ];
}

function loadingRow() {
  return h('li', { class: 'list-empty', test: 'list-loading' }, 'Loading…');
}

function errorRow(err) {
  return h(
    'li',
    { class: 'list-empty list-empty--error', test: 'list-error' },
    `Could not load the employee list: ${err?.message ?? err}`,
  );
}

/**
 * The user picker. Resolves with an array of directory users (one for single mode) when confirmed,
 * or null when cancelled. `onOpen(modal)` receives the modal (to close it when the frame goes away).
 */
export function pickUsers({ directory, multiple, onOpen }) {
  return new Promise((resolve) => {
    const selected = new Map();
    let query = '';
    let loadError = null;
    let loading = true;

    const modal = openModal({
      test: 'user-picker',
      title: multiple ? 'Select employees' : 'Select employee',
      subtitle: 'Only active company employees are shown.',
      onCancel: () => resolve(null),
    });
    modal.el.dataset.mode = multiple ? 'multiple' : 'single';

    const search = h('input', {
      type: 'search',
      class: 'input input--search',
      placeholder: 'Search by name or position',
      'aria-label': 'Search employees',
      test: 'picker-search',
      autocomplete: 'off',
    });
    const list = h('ul', {
      class: 'pick-list',
      role: 'listbox',
      'aria-multiselectable': multiple ? 'true' : 'false',
      test: 'picker-list',
    });
    const counter = h('span', { class: 'modal__counter', test: 'picker-count' });
    const confirm = h('button', { type: 'button', class: 'btn btn--primary', test: 'picker-confirm' }, 'Select');
    const cancel = h('button', { type: 'button', class: 'btn btn--light', test: 'picker-cancel' }, 'Cancel');

    const render = () => {
      const users = directory
        .users()
        .filter((u) => isActive(u) && isEmployee(u))
        .filter((u) => matches(query, u.name, u.position, directory.departmentNames(u)))
        .sort((a, b) => String(a.name).localeCompare(String(b.name)));
      const rows = users.map((user) => {
        const id = String(user.id);
        const isSelected = selected.has(id);
        return h(
          'li',
          { role: 'none' },
          h(
            'button',
            {
              type: 'button',
              role: 'option',
              class: `pick-row${isSelected ? ' is-selected' : ''}`,
              'aria-selected': isSelected ? 'true' : 'false',
              test: `picker-user-${id}`,
              dataset: { userId: id },
              onClick: () => {
                if (!multiple) selected.clear();
                if (isSelected && multiple) selected.delete(id);
                else selected.set(id, user);
                render();
              },
              onDblclick: () => {
                if (!multiple) done();
              },
            },
            h(
              'span',
              { class: `pick-row__check${multiple ? '' : ' pick-row__check--radio'}` },
              isSelected ? icon('check', 14) : null,
            ),
            avatar(user.name, id, 'md', user.photo),
            h(
              'span',
              { class: 'pick-row__text' },
              h('span', { class: 'pick-row__name', text: user.name }),
              h('span', {
                class: 'pick-row__meta',
                text: [user.position, directory.departmentNames(user)].filter(Boolean).join(' · '),
              }),
            ),
          ),
        );
      });
      if (loading && rows.length === 0) replace(list, loadingRow());
      else if (loadError && rows.length === 0) replace(list, errorRow(loadError));
      else if (rows.length === 0)
        replace(list, h('li', { class: 'list-empty', test: 'picker-empty' }, 'No employees found'));
      else replace(list, capRows(rows));
      counter.textContent = multiple ? `Selected: ${selected.size}` : '';
      confirm.disabled = !multiple && selected.size === 0;
    };

    const done = () => {
      if (!multiple && selected.size === 0) return;
      modal.close('done');
      resolve([...selected.values()]);
    };

    const refetch = debounce(async (q) => {
      try {
        await directory.load(q);
        loadError = null;
      } catch (err) {
        loadError = err;
      }
      render();
    }, 200);

    search.addEventListener('input', () => {
      query = search.value;
      render();
      if (query.trim() !== '') refetch(query.trim());
    });
    confirm.addEventListener('click', done);
    cancel.addEventListener('click', () => modal.close('cancel'));

    append(modal.body, search, list);
    append(modal.footer, counter, h('span', { class: 'spacer' }), cancel, confirm);
    render();
    search.focus();
    onOpen?.(modal);

    directory
      .load('')
      .catch((err) => {
        loadError = err;
      })
      .finally(() => {
        loading = false;
        if (!modal.closed) render();
      });
  });
}

/**
 * The access chooser, after Bitrix24's `BX.Access` dialog (main `core_access.js`, rest `applayout.js`): chosen codes
 * as chips with a cross, a search box and tabs Users / Company structure / Workgroups / (Other). Resolves with
 * `[{ id, name, provider }]` when confirmed, or null when cancelled.
 * - Users: `U{id}` (main `CUserAuthProvider`).
 * - Company structure: departments as `D{id}` / `DR{id}`, and people as `IU{id}` (intranet `CIntranetAuthProvider`:
 *   `"ID" => "IU".$arUser["ID"]`); a department opens to list its employees.
 * - Workgroups: a group only opens its checkboxes owner / moderators / all members, `SG{id}_A|_E|_K`; a plain
 *   `SG{id}` is never returned (main `finder.php`, socialnetwork `authproviders.php`).
 * - Other (selectAccess only): `AU`.
 *
 * mode 'settings': the app's "User access" setting; `initial` codes are listed and can be removed.
 * mode 'select':   the selectAccess command; `blocked` codes are shown disabled and are not returned.
 */
export function chooseAccess({ directory, mode, initial = [], knownNames = {}, blocked = [], onOpen }) {
  return new Promise((resolve) => {
    const isSettings = mode === 'settings';
    const chosen = new Map(); // code → name, in insertion order
    for (const code of initial) chosen.set(String(code), accessCodeName(String(code), directory, knownNames));
    const blockedSet = new Set(blocked.map(String));
    const tabs = isSettings ? ['users', 'departments', 'groups'] : ['users', 'departments', 'groups', 'other'];
    const expanded = new Set(); // department ids whose employees are listed
    let tab = 'users';
    let query = '';
    let loading = true;
    let loadError = null;

    const modal = openModal({
      test: isSettings ? 'access-dialog' : 'select-access-dialog',
      title: isSettings ? 'User access' : 'Select access permissions',
      subtitle: isSettings ? 'Choose the employees and departments that can use the application.' : null,
      wide: true,
      onCancel: () => resolve(null),
    });

    const chips = h('ul', { class: 'chips', test: 'access-list', 'aria-label': 'Selected' });
    const note = isSettings
      ? h(
          'p',
          { class: 'note', test: 'access-note' },
          icon('info', 16),
          'If no users are listed, the application will be available to all employees.',
        )
      : null;
    const search = h('input', {
      type: 'search',
      class: 'input input--search',
      placeholder: 'Search',
      'aria-label': 'Search users, departments and workgroups',
      test: 'access-search',
      autocomplete: 'off',
    });
    const tabBar = h('div', { class: 'tabs', role: 'tablist' });
    const results = h('ul', { class: 'pick-list pick-list--access', test: 'access-results' });
    const confirm = h(
      'button',
      { type: 'button', class: 'btn btn--primary', test: isSettings ? 'access-save' : 'access-confirm' },
      isSettings ? 'Save' : 'Select',
    );
    const cancel = h('button', { type: 'button', class: 'btn btn--light', test: 'access-cancel' }, 'Cancel');

    const labels = { users: 'Users', departments: 'Company structure', groups: 'Workgroups', other: 'Other' };

    const add = (code, name) => {
      if (blockedSet.has(code) || chosen.has(code)) return;
      chosen.set(code, name);
      render();
    };

    const addButton = (code, name, label, extraClass = '') => {
      const isBlocked = blockedSet.has(code);
      const isChosen = chosen.has(code);
      return h(
        'button',
        {
          type: 'button',
          class: `btn btn--small ${isChosen || isBlocked ? 'btn--ghost' : 'btn--outline'} ${extraClass}`,
          test: `access-add-${code}`,
          dataset: { code },
          disabled: isChosen || isBlocked,
          title: isBlocked ? 'Not available: already has access' : isChosen ? 'Already added' : `Add ${name}`,
          onClick: () => add(code, name),
        },
        isBlocked ? icon('lock', 14) : isChosen ? icon('check', 14) : icon('plus', 14),
        label,
      );
    };

    const chipIcon = (code) =>
      code.startsWith('D') ? 'department' : code.startsWith('SG') ? 'company' : code === 'AU' ? 'globe' : 'user';

    const renderChips = () => {
      const items = [...chosen.entries()].map(([code, name]) =>
        h(
          'li',
          { class: 'chip', test: `access-item-${code}`, dataset: { code } },
          h('span', { class: 'chip__icon' }, icon(chipIcon(code), 14)),
          h('span', { class: 'chip__name', text: name }),
          h('span', { class: 'chip__code', text: code }),
          h(
            'button',
            {
              type: 'button',
              class: 'chip__remove',
              test: `access-remove-${code}`,
              'aria-label': `Remove ${name}`,
              title: 'Remove',
              onClick: () => {
                chosen.delete(code);
                render();
              },
            },
            icon('close', 14),
          ),
        ),
      );
      if (items.length === 0) {
        replace(
          chips,
          h(
            'li',
            { class: 'chips__empty', test: 'access-empty' },
            isSettings ? 'All employees (no restrictions)' : 'Nothing selected yet',
          ),
        );
      } else replace(chips, items);
    };

    const renderTabs = () => {
      replace(
        tabBar,
        tabs.map((name) =>
          h(
            'button',
            {
              type: 'button',
              role: 'tab',
              class: `tab${tab === name ? ' is-active' : ''}`,
              'aria-selected': tab === name ? 'true' : 'false',
              test: `access-tab-${name}`,
              onClick: () => {
                tab = name;
                render();
              },
            },
            labels[name],
          ),
        ),
      );
    };

    const personRow = (user, code, test, indent = 12) => {
      const meta = [user.type === 'extranet' ? 'Extranet' : null, user.position, directory.departmentNames(user)]
        .filter(Boolean)
        .join(' · ');
      return h(
        'li',
        { class: 'access-row', test, style: { paddingLeft: `${indent}px` } },
        avatar(user.name, user.id, 'sm', user.photo),
        h(
          'span',
          { class: 'pick-row__text' },
          h('span', { class: 'pick-row__name', text: user.name }),
          h('span', { class: 'pick-row__meta', text: meta }),
        ),
        addButton(code, String(user.name ?? code), 'Add'),
      );
    };

    const byName = (a, b) => String(a.name).localeCompare(String(b.name));
    const inDepartment = (user, id) => (user.departmentIds ?? []).map(String).includes(String(id));

    const toggleDepartment = async (id) => {
      if (expanded.has(id)) {
        expanded.delete(id);
        renderResults();
        return;
      }
      expanded.add(id);
      renderResults();
      try {
        await directory.load('', id);
        loadError = null;
      } catch (err) {
        loadError = err;
      }
      if (!modal.closed) renderResults();
    };

    const structureRows = () => {
      const rows = [];
      for (const { dept, depth } of departmentTree(directory.departments())) {
        if (!matches(query, dept.name)) continue;
        const id = String(dept.id);
        const open = query === '' && expanded.has(id);
        rows.push(
          h(
            'li',
            {
              class: 'access-row',
              test: `access-department-${dept.id}`,
              style: { paddingLeft: `${12 + (query ? 0 : depth) * 20}px` },
            },
            h(
              'button',
              {
                type: 'button',
                class: 'icon-button',
                test: `access-expand-${dept.id}`,
                'aria-expanded': open ? 'true' : 'false',
                title: open ? 'Hide employees' : 'Show employees',
                onClick: () => toggleDepartment(id),
              },
              icon('department', 18),
            ),
            h('span', { class: 'pick-row__text' }, h('span', { class: 'pick-row__name', text: dept.name })),
            addButton(`D${dept.id}`, String(dept.name ?? `D${dept.id}`), 'Department only'),
            addButton(`DR${dept.id}`, `${dept.name} (with sub-departments)`, 'With sub-departments'),
          ),
        );
        if (open) {
          const people = directory
            .users()
            .filter((user) => isActive(user) && inDepartment(user, id))
            .sort(byName);
          for (const user of people) {
            rows.push(personRow(user, `IU${user.id}`, `access-structure-user-${user.id}`, 52 + depth * 20));
          }
        }
      }
      // Searching the structure finds people too (as intranet users).
      if (query !== '') {
        const people = directory
          .users()
          .filter((user) => isActive(user) && isEmployee(user) && (user.departmentIds ?? []).length > 0)
          .filter((user) => matches(query, user.name, user.position, directory.departmentNames(user)))
          .sort(byName);
        for (const user of people) rows.push(personRow(user, `IU${user.id}`, `access-structure-user-${user.id}`));
      }
      return rows;
    };

    // A workgroup row only opens its boxes, as in Bitrix24's finder: the group item carries
    // `CHECKBOX: { '#ID#_A', '#ID#_E', '#ID#_K' }` (socialnetwork `CSocNetGroupAuthProvider::GetFormHtml`), and only a
    // box adds a code; the row itself is never a selection (no plain `SG{id}`, and not `SG{id}_A` either).
    const openGroups = new Set();
    const groupRows = () =>
      directory
        .groups()
        .filter((group) => matches(query, group.name))
        .sort(byName)
        .flatMap((group) => {
          const id = String(group.id);
          const open = openGroups.has(id);
          const header = h(
            'li',
            { class: 'access-row', test: `access-group-${group.id}` },
            h(
              'button',
              {
                type: 'button',
                class: 'access-row__toggle',
                test: `access-expand-group-${group.id}`,
                'aria-expanded': open ? 'true' : 'false',
                title: open ? 'Hide roles' : 'Choose roles',
                onClick: () => {
                  if (!openGroups.delete(id)) openGroups.add(id);
                  renderResults();
                },
              },
              h('span', { class: 'access-row__icon' }, icon('company', 18)),
              h(
                'span',
                { class: 'pick-row__text' },
                h('span', { class: 'pick-row__name', text: group.name }),
                h('span', {
                  class: 'pick-row__meta',
                  text: [group.project ? 'Project' : 'Workgroup', group.extranet ? 'Extranet' : null]
                    .filter(Boolean)
                    .join(' · '),
                }),
              ),
              icon(open ? 'chevron-up' : 'chevron-down', 14),
            ),
          );
          if (!open) return [header];
          return [
            header,
            h(
              'li',
              {
                class: 'access-row access-row--roles',
                test: `access-group-roles-${group.id}`,
                style: { paddingLeft: '50px' },
              },
              ...['A', 'E', 'K'].map((role) =>
                addButton(
                  `SG${group.id}_${role}`,
                  `${group.name}: ${GROUP_ROLES[role]}`,
                  role === 'A' ? 'Owner' : role === 'E' ? 'Moderators' : 'All members',
                ),
              ),
            ),
          ];
        });

    const renderResults = () => {
      let rows = [];
      if (tab === 'users') {
        rows = directory
          .users()
          .filter(isActive)
          .filter((u) => matches(query, u.name, u.position, directory.departmentNames(u)))
          .sort(byName)
          .map((user) => personRow(user, `U${user.id}`, `access-user-${user.id}`));
      } else if (tab === 'departments') {
        rows = structureRows();
      } else if (tab === 'groups') {
        rows = groupRows();
      } else {
        rows = [
          h(
            'li',
            { class: 'access-row', test: 'access-other-AU' },
            h('span', { class: 'access-row__icon' }, icon('globe', 18)),
            h(
              'span',
              { class: 'pick-row__text' },
              h('span', { class: 'pick-row__name', text: 'All authorized users' }),
              h('span', { class: 'pick-row__meta', text: 'AU' }),
            ),
            addButton('AU', 'All authorized users', 'Add'),
          ),
        ].filter(() => matches(query, 'All authorized users', 'AU'));
      }
      if (loading && rows.length === 0 && tab !== 'other') replace(results, loadingRow());
      else if (loadError && rows.length === 0 && tab !== 'other') replace(results, errorRow(loadError));
      else if (rows.length === 0)
        replace(results, h('li', { class: 'list-empty', test: 'access-no-results' }, 'Nothing found'));
      else replace(results, capRows(rows));
    };

    const render = () => {
      renderChips();
      renderTabs();
      renderResults();
    };

    const refetch = debounce(async (q) => {
      try {
        await directory.load(q);
        loadError = null;
      } catch (err) {
        loadError = err;
      }
      if (!modal.closed) render();
    }, 200);

    search.addEventListener('input', () => {
      query = search.value;
      renderResults();
      if (query.trim() !== '') refetch(query.trim());
    });
    confirm.addEventListener('click', () => {
      modal.close('done');
      resolve(
        [...chosen.entries()]
          .filter(([code]) => !blockedSet.has(code))
          .map(([id, name]) => ({ id, name, provider: accessProvider(id) })),
      );
    });
    cancel.addEventListener('click', () => modal.close('cancel'));

    append(
      modal.body,
      h('div', { class: 'field-label' }, isSettings ? 'Users with access' : 'Selected'),
      chips,
      note,
      h('div', { class: 'access-search' }, search, tabBar),
      results,
    );
    append(modal.footer, h('span', { class: 'spacer' }), cancel, confirm);
    render();
    search.focus();
    onOpen?.(modal);

    directory
      .load('')
      .catch((err) => {
        loadError = err;
      })
      .finally(() => {
        loading = false;
        // Names of codes listed before the directory arrived may now be known.
        for (const [code, name] of chosen)
          if (name === code) chosen.set(code, accessCodeName(code, directory, knownNames));
        if (!modal.closed) render();
      });
  });
}

/** The uninstall confirmation. Resolves with { clean } or null when cancelled. */
export function confirmUninstall(appTitle) {
  return new Promise((resolve) => {
    const modal = openModal({ test: 'uninstall-dialog', title: 'Delete application', onCancel: () => resolve(null) });
    const clean = h('input', { type: 'checkbox', test: 'uninstall-clean', id: 'uninstall-clean' });
    const explain = h('p', { class: 'muted', test: 'uninstall-explain' });
    const explainText = () => {
      explain.textContent = clean.checked
        ? 'The application settings, stored data and user options are deleted too. The application receives ONAPPUNINSTALL with CLEAN = 1.'
        : 'The application data is kept for a later reinstall. The application receives ONAPPUNINSTALL with CLEAN = 0.';
    };
    clean.addEventListener('change', explainText);
    explainText();
    append(
      modal.body,
      h('p', null, 'Are you sure you want to delete the application ', h('strong', { text: appTitle }), '?'),
      h('label', { class: 'checkbox', for: 'uninstall-clean' }, clean, h('span', null, 'Clear application data')),
      explain,
    );
    const confirm = h('button', { type: 'button', class: 'btn btn--danger', test: 'uninstall-confirm' }, 'Delete');
    const cancel = h('button', { type: 'button', class: 'btn btn--light', test: 'uninstall-cancel' }, 'Cancel');
    confirm.addEventListener('click', () => {
      modal.close('done');
      resolve({ clean: clean.checked });
    });
    cancel.addEventListener('click', () => modal.close('cancel'));
    append(modal.footer, h('span', { class: 'spacer' }), cancel, confirm);
    cancel.focus();
  });
}
