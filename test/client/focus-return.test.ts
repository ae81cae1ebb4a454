// @vitest-environment happy-dom
import { nextTick, shallowRef } from 'vue';
import { describe, expect, it } from 'vitest';
import { useFocusReturn } from '../../client/composables/useFocusReturn';

describe('useFocusReturn', () => {
  it('returns focus to the element that had it when the dialog opened, even if opening blurred it', async () => {
    const opener = document.createElement('button');
    document.body.append(opener);
    opener.focus();
    const open = shallowRef(false);
    const focusReturn = useFocusReturn(open);

    open.value = true;
    // What b24ui's Modal does on open (useBlurOnOpen), then the dialog's own field takes focus.
    opener.blur();
    const field = document.createElement('input');
    document.body.append(field);
    field.focus();
    open.value = false;
    await nextTick();
    focusReturn.restore();

    expect(document.activeElement).toBe(opener);
    opener.remove();
    field.remove();
  });

  it('does nothing when the opener is gone', async () => {
    const opener = document.createElement('button');
    document.body.append(opener);
    opener.focus();
    const open = shallowRef(false);
    const focusReturn = useFocusReturn(open);
    open.value = true;
    opener.remove();
    open.value = false;
    await nextTick();
    expect(() => focusReturn.restore()).not.toThrow();
    expect(document.activeElement).not.toBe(opener);
  });
});
