// @vitest-environment happy-dom
import { flushPromises } from '@vue/test-utils';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ApiError } from '../../client/api/client';
import { createAccessState } from '../../client/composables/useAccess';
import { createPolicyEditor } from '../../client/composables/policyEditor';
import { addCodes } from '../../client/access/draft';
import { adminMe, policyResponse } from './support/access';
import { fakeB24, partlyGranted, stubApi } from './support/fakes';
import { mountAt } from './support/pages';
import { inPage } from './support/ui';

afterEach(() => {
  document.body.innerHTML = '';
});

type Wrapper = Awaited<ReturnType<typeof mountAt>>['wrapper'];

const codes = (wrapper: Wrapper) =>
  wrapper.findAll('[data-testid^="allow-list-item-"]').map((row) => row.attributes('data-code'));

/** Opens the Access tab and adds D5 through the Bitrix24 dialog: an unsaved change. */
async function editedPage(api = stubApi(partlyGranted)) {
  const { b24 } = fakeB24();
  b24.selectAccess.mockResolvedValue([{ id: 'D5', name: 'Marketing' }]);
  const mounted = await mountAt('/access/allow-list', { api, b24 });
  await mounted.wrapper.find('[data-testid="access-add"]').trigger('click');
  await flushPromises();
  return { ...mounted, api };
}

async function save(wrapper: Wrapper): Promise<void> {
  await wrapper.find('[data-testid="policy-save"]').trigger('click');
  await flushPromises();
}

describe('saving the policy', () => {
  it('lists every problem of a 400 next to the form and keeps the draft', async () => {
    const api = stubApi(partlyGranted);
    api.savePolicy.mockResolvedValue({
      outcome: 'invalid',
      problems: [
        { path: 'allowList.2', message: 'access code D5 names no user, department or workgroup in the directory' },
        {
          path: 'roles.1.grants.stock.level',
          message: 'role manager grants stock at level boss, which it does not have',
        },
      ],
    });
    const { wrapper } = await editedPage(api);
    await save(wrapper);

    const problems = wrapper.findAll('[data-testid="policy-problem"]').map((item) => item.text());
    expect(problems).toEqual([
      'Access list: access code D5 names no user, department or workgroup in the directory',
      'Role “Manager”: role manager grants stock at level boss, which it does not have',
    ]);
    expect(wrapper.find('[data-testid="policy-problems"]').text()).toContain('The changes were not saved');
    expect(codes(wrapper)).toEqual(['DR12', 'U7', 'D5']);
    expect(wrapper.find('[data-testid="policy-dirty"]').exists()).toBe(true);
    expect(wrapper.find('[data-testid="policy-save"]').attributes('disabled')).toBeUndefined();
  });

  it('keeps the draft on a 409, and reapplies it on top of what the other admin saved', async () => {
    const api = stubApi(partlyGranted);
    const theirs = policyResponse({
      version: 6,
      etag: '"v6"',
      allowList: ['DR12', 'U7', 'AU'],
      delegates: ['U9', 'U11'],
      names: { U11: { title: 'Boris', kind: 'user' } },
    });
    api.savePolicy.mockResolvedValueOnce({ outcome: 'changed', current: theirs });
    const { wrapper } = await editedPage(api);
    await save(wrapper);

    expect(wrapper.find('[data-testid="policy-conflict"]').text()).toContain(
      'Someone else saved changes. Your edits are kept.',
    );
    expect(codes(wrapper)).toEqual(['DR12', 'U7', 'D5']);
    expect(wrapper.find('[data-testid="policy-save"]').attributes('disabled')).toBeDefined();

    await wrapper.find('[data-testid="policy-reapply"]').trigger('click');
    await flushPromises();

    expect(wrapper.find('[data-testid="policy-conflict"]').exists()).toBe(false);
    expect(codes(wrapper)).toEqual(['DR12', 'U7', 'AU', 'D5']);
    expect(wrapper.find('[data-testid="delegate-item-U11"] [data-testid="code-title"]').text()).toBe('Boris');
    expect(wrapper.find('[data-testid="policy-dirty"]').exists()).toBe(true);

    await save(wrapper);
    expect(api.savePolicy).toHaveBeenCalledTimes(2);
    const [etag, body] = api.savePolicy.mock.calls[1] ?? [];
    expect(etag).toBe('"v6"');
    expect(body?.allowList).toEqual(['DR12', 'U7', 'AU', 'D5']);
    expect(body?.delegates).toEqual(['U9', 'U11']);
  });

  it('drops the draft for the other admin’s policy when asked', async () => {
    const api = stubApi(partlyGranted);
    api.savePolicy.mockResolvedValueOnce({
      outcome: 'changed',
      current: policyResponse({ etag: '"v6"', allowList: ['AU'] }),
    });
    const { wrapper } = await editedPage(api);
    await save(wrapper);

    await wrapper.find('[data-testid="policy-take-theirs"]').trigger('click');
    await flushPromises();
    expect(codes(wrapper)).toEqual(['AU']);
    expect(wrapper.find('[data-testid="policy-dirty"]').exists()).toBe(false);
  });

  it.each([
    [
      new ApiError({ code: 'PRECONDITION_REQUIRED', status: 428, message: 'If-Match required' }),
      'could not tell which version you edited',
    ],
    [
      new ApiError({ code: 'DELEGATES_ADMIN_ONLY', status: 403, message: 'Admins only' }),
      'Only portal administrators can change who may manage access',
    ],
    [
      new ApiError({ code: 'ACCESS_MANAGE_REQUIRED', status: 403, message: 'Forbidden' }),
      'You may no longer change access settings.',
    ],
    [new ApiError({ code: 'network_error', status: 0, message: 'no response' }), 'cannot be reached'],
  ])('says what a failed save means (%s) and keeps the draft', async (error, message) => {
    const api = stubApi(partlyGranted);
    api.savePolicy.mockRejectedValue(error);
    const { wrapper } = await editedPage(api);
    await save(wrapper);

    const alert = wrapper.find('[data-testid="policy-save-error"]');
    expect(alert.text()).toContain(message);
    expect(alert.text()).toContain('Your changes are still here');
    expect(codes(wrapper)).toEqual(['DR12', 'U7', 'D5']);
    expect(wrapper.find('[data-testid="policy-dirty"]').exists()).toBe(true);
  });

  it('asks before leaving Access settings with unsaved changes', async () => {
    const { wrapper, router } = await editedPage();

    await router.push('/scopes');
    await flushPromises();
    expect(router.currentRoute.value.path).toBe('/access/allow-list');
    expect(inPage('[data-testid="leave-confirm"]').exists()).toBe(true);

    await inPage('[data-testid="leave-stay"]').trigger('click');
    await flushPromises();
    expect(router.currentRoute.value.path).toBe('/access/allow-list');
    expect(codes(wrapper)).toEqual(['DR12', 'U7', 'D5']);

    await router.push('/scopes');
    await flushPromises();
    await inPage('[data-testid="leave-discard"]').trigger('click');
    await flushPromises();
    expect(router.currentRoute.value.path).toBe('/scopes');
  });

  it('keeps the draft across tabs: the Save bar follows the admin while changes are unsaved', async () => {
    const { wrapper, router } = await editedPage();
    await router.push('/access/conflicts');
    await flushPromises();
    expect(wrapper.find('[data-tab="conflicts"]').exists()).toBe(true);
    expect(wrapper.find('[data-testid="policy-dirty"]').exists()).toBe(true);

    await router.push('/access/allow-list');
    await flushPromises();
    expect(codes(wrapper)).toEqual(['DR12', 'U7', 'D5']);
  });
});

describe('createPolicyEditor', () => {
  it('keeps edits made while a save was in flight, based on the saved policy', async () => {
    const api = stubApi(partlyGranted);
    let answer: (value: Awaited<ReturnType<typeof api.savePolicy>>) => void = () => {};
    api.savePolicy.mockReturnValue(new Promise((resolve) => (answer = resolve)));
    const editor = createPolicyEditor({ api });
    await editor.load();

    editor.edit((draft) => addCodes(draft, 'allowList', ['D5']));
    const saving = editor.save();
    editor.edit((draft) => addCodes(draft, 'allowList', ['D6']));
    answer({ outcome: 'saved', response: policyResponse({ etag: '"v5"', allowList: ['DR12', 'U7', 'D5'] }) });
    await saving;

    expect(editor.saved.value?.etag).toBe('"v5"');
    expect(editor.draft.value?.allowList).toEqual(['DR12', 'U7', 'D5', 'D6']);
    expect(editor.dirty.value).toBe(true);
  });

  it('reloads the signed-in user’s access after a save', async () => {
    const fetchMe = vi.fn(async () => adminMe);
    const access = createAccessState({ fetchMe });
    await access.load();
    const editor = createPolicyEditor({ api: stubApi(partlyGranted), onSaved: () => void access.reload() });
    await editor.load();
    editor.edit((draft) => addCodes(draft, 'allowList', ['D5']));
    await editor.save();
    expect(fetchMe).toHaveBeenCalledTimes(2);
  });
});
