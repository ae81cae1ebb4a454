// @vitest-environment happy-dom
import { flushPromises } from '@vue/test-utils';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SEARCH_DEBOUNCE_MS } from '../../client/components/directory/listLayout';
import { accessFor, fullAccess, meWith, policyResponse } from './support/access';
import { makeUser, syncedDepartments } from './support/directory';
import { fakeB24, partlyGranted, stubApi } from './support/fakes';
import { mountAt } from './support/pages';
import { chooseTab, inPage } from './support/ui';

beforeEach(() => {
  vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
});
afterEach(() => {
  vi.useRealTimers();
  document.body.innerHTML = '';
});

type Wrapper = Awaited<ReturnType<typeof mountAt>>['wrapper'];

const listed = (wrapper: Wrapper, prefix = 'allow-list') =>
  wrapper
    .findAll(`[data-testid^="${prefix}-item-"]`)
    .map((row) => [row.attributes('data-code'), row.find('[data-testid="code-title"]').text()]);

function accessApi() {
  const api = stubApi(partlyGranted);
  api.departments.mockResolvedValue(syncedDepartments);
  return api;
}

describe('Access tab', () => {
  it('lists the allow-list and delegates with names and kinds, and explains Bitrix24’s own setting', async () => {
    const { wrapper } = await mountAt('/access/allow-list', { api: accessApi() });

    expect(wrapper.find('h1').text()).toBe('Access settings');
    expect(listed(wrapper)).toEqual([
      ['DR12', 'Sales'],
      ['U7', 'Ivan Petrov'],
    ]);
    expect(wrapper.find('[data-testid="allow-list-item-DR12"] [data-testid="code-kind"]').text()).toBe(
      'Department with sub-departments · DR12',
    );
    expect(wrapper.find('[data-testid="allow-list-item-U7"]').attributes('data-kind')).toBe('user');
    const note = wrapper.find('[data-testid="allow-list-note"]').text();
    expect(note).toContain('Market → Installed apps → User access');
    expect(note).toContain('An empty list means everyone whom Bitrix24 lets in.');
    expect(note).toContain('Portal administrators always get in.');
    expect(listed(wrapper, 'delegate')).toEqual([['U9', 'Olga Delegate']]);
    expect(wrapper.find('[data-testid="policy-save"]').attributes('disabled')).toBeDefined();
  });

  it('says an empty list lets in everyone Bitrix24 lets in', async () => {
    const api = accessApi();
    api.policy.mockResolvedValue(policyResponse({ allowList: [] }));
    const { wrapper } = await mountAt('/access/allow-list', { api });
    expect(wrapper.find('[data-testid="allow-list-empty"]').text()).toBe(
      'Everyone whom Bitrix24 lets in may open Keycard.',
    );
  });

  it('adds what Bitrix24’s selectAccess dialog returns, with its names, and saves it with If-Match', async () => {
    const api = accessApi();
    const { b24 } = fakeB24();
    b24.selectAccess.mockResolvedValue([
      { id: 'D5', name: 'Marketing' },
      { id: 'CR', name: 'Current user' },
      { id: 'U7', name: 'Ivan Petrov' },
    ]);
    const { wrapper } = await mountAt('/access/allow-list', { api, b24 });

    await wrapper.find('[data-testid="access-add"]').trigger('click');
    await flushPromises();

    expect(b24.selectAccess).toHaveBeenCalledWith(['DR12', 'U7']);
    expect(listed(wrapper)).toEqual([
      ['DR12', 'Sales'],
      ['U7', 'Ivan Petrov'],
      ['D5', 'Marketing'],
    ]);
    expect(wrapper.find('[data-testid="allow-list-item-D5"] [data-testid="code-kind"]').text()).toBe('Department · D5');
    expect(wrapper.find('[data-testid="picker-unsupported"]').text()).toContain('Current user');
    expect(wrapper.find('[data-testid="policy-dirty"]').text()).toBe('Unsaved changes');

    await wrapper.find('[data-testid="policy-save"]').trigger('click');
    await flushPromises();

    expect(api.savePolicy).toHaveBeenCalledTimes(1);
    const [etag, body] = api.savePolicy.mock.calls[0] ?? [];
    expect(etag).toBe('"v4"');
    expect(body?.allowList).toEqual(['DR12', 'U7', 'D5']);
    expect(body?.delegates).toEqual(['U9']);
    expect(wrapper.find('[data-testid="policy-saved"]').text()).toBe('Changes saved.');
    expect(wrapper.find('[data-testid="policy-dirty"]').exists()).toBe(false);
  });

  it('keeps a whole-workgroup pick as the code its members hold, and takes people from the structure panel', async () => {
    const api = accessApi();
    const { b24 } = fakeB24();
    // Bitrix24's dialog: a workgroup box (SG5_E), a plain group from an older dialog (SG6), a person (IU3).
    b24.selectAccess.mockResolvedValue([
      { id: 'SG5_E', name: 'Project X: moderators' },
      { id: 'SG6', name: 'Book club' },
      { id: 'SG6_K', name: 'Book club: members' },
      { id: 'IU3', name: 'Émile Zola' },
    ]);
    const { wrapper } = await mountAt('/access/allow-list', { api, b24 });

    await wrapper.find('[data-testid="access-add"]').trigger('click');
    await flushPromises();

    expect(listed(wrapper).map(([code]) => code)).toEqual(['DR12', 'U7', 'SG5_E', 'SG6_K', 'IU3']);
    expect(wrapper.find('[data-testid="picker-unsupported"]').exists()).toBe(false);
    expect(wrapper.find('[data-testid="picker-group-members"]').text()).toBe(
      'A whole workgroup is added as its members: Book club.',
    );
  });

  it('removes a code and can cancel the change', async () => {
    const { wrapper } = await mountAt('/access/allow-list', { api: accessApi() });

    await wrapper.find('[data-testid="allow-list-remove-U7"]').trigger('click');
    expect(listed(wrapper)).toEqual([['DR12', 'Sales']]);
    expect(wrapper.find('[data-testid="policy-dirty"]').exists()).toBe(true);

    await wrapper.find('[data-testid="policy-discard"]').trigger('click');
    expect(listed(wrapper).map(([code]) => code)).toEqual(['DR12', 'U7']);
    expect(wrapper.find('[data-testid="policy-dirty"]').exists()).toBe(false);
  });

  it('never waits for a cancelled dialog: Add opens a new one, and only the newest answer is used (issue 13)', async () => {
    const api = accessApi();
    const { b24 } = fakeB24();
    // Bitrix24 never answers a dialog closed without choosing; the first answer arrives only in this test's hands.
    let answerFirst: (items: { id: string; name: string }[]) => void = () => undefined;
    b24.selectAccess
      .mockImplementationOnce(() => new Promise((resolve) => (answerFirst = resolve)))
      .mockResolvedValueOnce([{ id: 'D5', name: 'Marketing' }]);
    const { wrapper } = await mountAt('/access/allow-list', { api, b24 });

    await wrapper.find('[data-testid="access-add"]').trigger('click');
    await flushPromises();
    expect(wrapper.find('[data-testid="access-add"]').attributes('disabled')).toBeUndefined();
    await wrapper.find('[data-testid="access-add"]').trigger('click');
    await flushPromises();
    answerFirst([{ id: 'U99', name: 'Stale answer' }]);
    await flushPromises();

    expect(b24.selectAccess).toHaveBeenCalledTimes(2);
    expect(listed(wrapper).map(([code]) => code)).toEqual(['DR12', 'U7', 'D5']);
  });

  it('falls back to Keycard’s picker when Bitrix24 refuses the dialog', async () => {
    const api = accessApi();
    const { b24 } = fakeB24();
    b24.selectAccess.mockRejectedValue(new Error('denied'));
    const { wrapper } = await mountAt('/access/allow-list', { api, b24 });
    await wrapper.find('[data-testid="access-add"]').trigger('click');
    await flushPromises();
    expect(wrapper.find('[data-testid="picker-frame-failed"]').text()).toContain('Keycard’s directory picker');
    expect(inPage('[data-testid="mirror-picker"]').exists()).toBe(true);
  });

  it('opens the directory picker when not in the portal frame, building U, D, DR and AU codes', async () => {
    const api = accessApi();
    api.users.mockResolvedValue({
      generation: 3,
      total: 1,
      nextCursor: null,
      users: [makeUser(21, { fullName: 'Maria Lopez' })],
    });
    const { b24 } = fakeB24({ status: 'unavailable' });
    const { wrapper } = await mountAt('/access/allow-list', { api, b24 });

    await wrapper.find('[data-testid="access-add"]').trigger('click');
    await flushPromises();
    expect(b24.selectAccess).not.toHaveBeenCalled();
    expect(inPage('[data-testid="mirror-picker"]').exists()).toBe(true);

    await inPage('input[data-testid="picker-user-search"]').setValue('maria');
    await vi.advanceTimersByTimeAsync(SEARCH_DEBOUNCE_MS);
    await flushPromises();
    expect(api.users).toHaveBeenLastCalledWith({ q: 'maria', active: 'active', limit: 20 }, expect.anything());
    await inPage('[data-testid="user-result"][data-user-id="21"]').trigger('click');

    await chooseTab('Departments');
    await inPage('[data-testid="picker-department-2"]').trigger('click');
    await inPage('[data-testid="picker-department-tree-4"]').trigger('click');
    await chooseTab('Other');
    await inPage('[data-testid="picker-all-users"]').trigger('click');
    await flushPromises();

    expect(
      [...document.querySelectorAll('[data-testid="picker-chosen"]')].map((item) => item.getAttribute('data-code')),
    ).toEqual(['U21', 'D2', 'DR4', 'AU']);
    await inPage('[data-testid="picker-confirm"]').trigger('click');
    await flushPromises();

    expect(listed(wrapper)).toEqual([
      ['DR12', 'Sales'],
      ['U7', 'Ivan Petrov'],
      ['U21', 'Maria Lopez'],
      ['D2', 'Sales'],
      ['DR4', 'Sales North'],
      ['AU', 'All authorized users'],
    ]);
    expect(wrapper.find('[data-testid="allow-list-item-DR4"] [data-testid="code-kind"]').text()).toContain(
      'Department with sub-departments',
    );
  });

  it('offers the directory picker next to the dialog, and does not offer codes already listed', async () => {
    const api = accessApi();
    api.policy.mockResolvedValue(
      policyResponse({ allowList: ['DR4'], names: { DR4: { title: 'Sales North', kind: 'departmentTree' } } }),
    );
    const { wrapper } = await mountAt('/access/allow-list', { api });
    await wrapper.find('[data-testid="access-add-mirror"]').trigger('click');
    await flushPromises();
    await chooseTab('Departments');
    await flushPromises();
    expect(inPage('[data-testid="picker-department-tree-4"]').attributes('disabled')).toBeDefined();
    expect(inPage('[data-testid="picker-department-4"]').attributes('disabled')).toBeUndefined();

    await inPage('[data-testid="picker-cancel"]').trigger('click');
    await flushPromises();
    expect(document.querySelector('[data-testid="mirror-picker"]')).toBeNull();
    expect(listed(wrapper).map(([code]) => code)).toEqual(['DR4']);
  });

  it('renders only the rows in view of 2,000 departments, and filters all of them (issue 13, point 13)', async () => {
    const api = accessApi();
    const many = Array.from({ length: 2000 }, (_, index) => ({
      id: 100 + index,
      name: `Department ${String(index).padStart(4, '0')}`,
      parentId: null,
      sort: index,
      head: null,
      members: 1,
      membersWithSubdepartments: 1,
      children: [],
    }));
    api.departments.mockResolvedValue({ ...syncedDepartments, tree: many });
    const { wrapper } = await mountAt('/access/allow-list', { api });
    await wrapper.find('[data-testid="access-add-mirror"]').trigger('click');
    await flushPromises();
    await chooseTab('Departments');
    await flushPromises();
    const rendered = () => document.querySelectorAll('[data-testid="picker-department-list"] li').length;
    // A 288 px viewport of 36 px rows plus overscan: a couple of dozen rows, not 2,000.
    expect(rendered()).toBeGreaterThan(5);
    expect(rendered()).toBeLessThan(40);
    expect(inPage('[data-testid="picker-department-list"] ul').attributes('style')).toContain('height: 72000px');

    await inPage('input[data-testid="picker-department-search"]').setValue('1999');
    await flushPromises();
    expect(
      [...document.querySelectorAll('[data-testid="picker-department-list"] li')].map((row) =>
        row.getAttribute('data-department'),
      ),
    ).toEqual(['2099']);
    await inPage('[data-testid="picker-department-tree-2099"]').trigger('click');
    expect(
      [...document.querySelectorAll('[data-testid="picker-chosen"]')].map((item) => item.getAttribute('data-code')),
    ).toEqual(['DR2099']);
  });

  it('lets only portal admins change the delegates', async () => {
    const delegate = accessFor(meWith(fullAccess, { isAdmin: false }));
    const { wrapper } = await mountAt('/access/allow-list', { api: accessApi(), access: delegate });
    await flushPromises();

    expect(wrapper.find('[data-testid="delegates-read-only"]').text()).toBe(
      'Only portal administrators can change this list.',
    );
    expect(wrapper.find('[data-testid="delegate-remove-U9"]').exists()).toBe(false);
    expect(wrapper.find('[data-testid="delegate-add"]').exists()).toBe(false);
    expect(wrapper.find('[data-testid="allow-list-remove-U7"]').exists()).toBe(true);

    const admin = await mountAt('/access/allow-list', { api: accessApi() });
    expect(admin.wrapper.find('[data-testid="delegate-remove-U9"]').exists()).toBe(true);
    expect(admin.wrapper.find('[data-testid="delegate-add"]').exists()).toBe(true);
  });

  it('shows the load error with a retry', async () => {
    const api = accessApi();
    api.policy.mockRejectedValueOnce(new Error('boom'));
    const { wrapper } = await mountAt('/access/allow-list', { api });
    expect(wrapper.find('[data-testid="api-error"]').exists()).toBe(true);

    await wrapper.find('[data-testid="api-error"] button').trigger('click');
    await flushPromises();
    expect(api.policy).toHaveBeenCalledTimes(2);
    expect(listed(wrapper)).toHaveLength(2);
  });
});

describe('Access settings in Russian', () => {
  it('speaks the portal’s language', async () => {
    const { wrapper } = await mountAt('/access/allow-list', { api: accessApi(), lang: 'ru' });
    expect(wrapper.find('h1').text()).toBe('Настройки доступа');
    expect(wrapper.find('[data-testid="allow-list-item-DR12"] [data-testid="code-kind"]').text()).toBe(
      'Отдел с подотделами · DR12',
    );
    expect(wrapper.find('[data-testid="policy-save"]').text()).toBe('Сохранить');
  });
});
