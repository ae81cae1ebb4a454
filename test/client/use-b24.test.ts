import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { B24ActionError, connectB24, type FrameHandle } from '../../client/composables/useB24';

/** A stand-in for B24Frame that records what the app asked of the portal. */
function fakeFrame(isInstallMode: boolean, isSliderMode = false) {
  const handle = {
    isInstallMode,
    installFinish: vi.fn<() => Promise<unknown>>().mockResolvedValue(undefined),
    parent: {
      reloadWindow: vi.fn<() => Promise<unknown>>().mockResolvedValue(undefined),
      setTitle: vi.fn<(title: string) => Promise<unknown>>().mockResolvedValue(undefined),
      message: {
        send: vi
          .fn<(command: string, params: { width: string; height: number; isSafely: boolean }) => Promise<unknown>>()
          .mockResolvedValue(undefined),
      },
    },
    placement: { isSliderMode },
    dialog: {
      selectAccess: vi.fn<(blocked?: string[]) => Promise<{ id: string; name: string }[]>>().mockResolvedValue([]),
    },
    destroy: vi.fn<() => void>(),
  } satisfies FrameHandle;
  return handle;
}

/** A handshake the test resolves or rejects when it wants. */
function deferredHandshake() {
  let resolve: (frame: FrameHandle) => void = () => {};
  let reject: (err: unknown) => void = () => {};
  const promise = new Promise<FrameHandle>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { initialize: () => promise, resolve, reject };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('connectB24', () => {
  it('is ready once the portal answers the handshake', async () => {
    const frame = fakeFrame(true);
    const b24 = connectB24({ initialize: async () => frame });
    expect(b24.status.value).toBe('connecting');

    await vi.advanceTimersByTimeAsync(0);

    expect(b24.status.value).toBe('ready');
    expect(b24.ready.value).toBe(true);
    expect(b24.isInstallMode.value).toBe(true);
    expect(b24.error.value).toBeNull();
  });

  it('gives up after the timeout instead of waiting forever, and still connects on a late answer', async () => {
    const handshake = deferredHandshake();
    const b24 = connectB24({ initialize: handshake.initialize, timeoutMs: 5000 });

    await vi.advanceTimersByTimeAsync(4999);
    expect(b24.status.value).toBe('connecting');
    await vi.advanceTimersByTimeAsync(1);
    expect(b24.status.value).toBe('unavailable');
    expect(b24.error.value?.code).toBe('timeout');

    handshake.resolve(fakeFrame(false));
    await vi.advanceTimersByTimeAsync(0);
    expect(b24.status.value).toBe('ready');
    expect(b24.error.value).toBeNull();
  });

  it('says "not in a frame" when the SDK finds no portal data', async () => {
    const sdkError = Object.assign(new Error('Well done! Now paste this URL into the Bitrix24 app settings'), {
      code: 'JSSDK_CLIENT_SIDE_WARNING',
    });
    const b24 = connectB24({ initialize: () => Promise.reject(sdkError) });
    await vi.advanceTimersByTimeAsync(0);

    expect(b24.status.value).toBe('unavailable');
    expect(b24.error.value?.code).toBe('not_in_frame');
  });

  it('calls installFinish only in install mode', async () => {
    const frame = fakeFrame(false);
    const b24 = connectB24({ initialize: async () => frame });
    await vi.advanceTimersByTimeAsync(0);

    const error = await b24.installFinish().catch((err: unknown) => err);

    expect(error).toBeInstanceOf(B24ActionError);
    expect(error).toMatchObject({ code: 'not_install_mode' });
    expect(frame.installFinish).not.toHaveBeenCalled();
  });

  it('refuses installFinish before the portal answered', async () => {
    const b24 = connectB24({ initialize: deferredHandshake().initialize });
    await expect(b24.installFinish()).rejects.toMatchObject({ code: 'not_connected' });
  });

  it('forwards installFinish, resizeFrame, setTitle and reloadApp to the frame', async () => {
    const frame = fakeFrame(true);
    const b24 = connectB24({ initialize: async () => frame });
    await vi.advanceTimersByTimeAsync(0);

    await b24.installFinish();
    await b24.resizeFrame(412.3);
    await b24.setTitle('Keycard: Directory');
    await expect(b24.reloadApp()).resolves.toBe(true);

    expect(frame.installFinish).toHaveBeenCalledTimes(1);
    // Width 100% as fitWindow sends it, the measured height as it is: the frame can shrink.
    expect(frame.parent.message.send).toHaveBeenCalledWith('resizeWindow', {
      width: '100%',
      height: 413,
      isSafely: true,
    });
    expect(frame.parent.setTitle).toHaveBeenCalledWith('Keycard: Directory');
    expect(frame.parent.reloadWindow).toHaveBeenCalledTimes(1);
  });

  it('does not resize in a slider, where Bitrix24 ignores resizeWindow', async () => {
    const frame = fakeFrame(false, true);
    const b24 = connectB24({ initialize: async () => frame });
    await vi.advanceTimersByTimeAsync(0);

    await b24.resizeFrame(500);
    expect(frame.parent.message.send).not.toHaveBeenCalled();
  });

  it('wraps a rejected installFinish in a B24ActionError that keeps the cause', async () => {
    const frame = fakeFrame(true);
    const cause = new Error('portal said no');
    frame.installFinish.mockRejectedValue(cause);
    const b24 = connectB24({ initialize: async () => frame });
    await vi.advanceTimersByTimeAsync(0);

    await expect(b24.installFinish()).rejects.toMatchObject({ code: 'failed', cause });
  });

  it('does nothing on resizeFrame and setTitle and reports reloadApp=false while not connected', async () => {
    const b24 = connectB24({ initialize: () => Promise.reject(new Error('no parent')) });
    await vi.advanceTimersByTimeAsync(0);

    await expect(b24.resizeFrame(300)).resolves.toBeUndefined();
    await expect(b24.setTitle('Keycard')).resolves.toBeUndefined();
    await expect(b24.reloadApp()).resolves.toBe(false);
  });

  it('destroys the frame on destroy(), even one that connects after it', async () => {
    const connected = fakeFrame(false);
    const first = connectB24({ initialize: async () => connected });
    await vi.advanceTimersByTimeAsync(0);
    first.destroy();
    expect(connected.destroy).toHaveBeenCalledTimes(1);

    const handshake = deferredHandshake();
    const late = fakeFrame(false);
    const second = connectB24({ initialize: handshake.initialize });
    second.destroy();
    handshake.resolve(late);
    await vi.advanceTimersByTimeAsync(0);
    expect(late.destroy).toHaveBeenCalledTimes(1);
    expect(second.ready.value).toBe(false);
  });

  it('opens the portal’s access dialog with the blocked codes and returns what was chosen', async () => {
    const frame = fakeFrame(false);
    frame.dialog.selectAccess.mockResolvedValue([
      { id: 'DR2', name: 'Sales' },
      { id: '', name: 'broken' },
      { id: 'U5', name: 'Anna' },
    ]);
    const b24 = connectB24({ initialize: async () => frame });
    await vi.advanceTimersByTimeAsync(0);

    const blocked = ['U1'];
    await expect(b24.selectAccess(blocked)).resolves.toEqual([
      { id: 'DR2', name: 'Sales' },
      { id: 'U5', name: 'Anna' },
    ]);
    expect(frame.dialog.selectAccess).toHaveBeenCalledWith(['U1']);
    expect(frame.dialog.selectAccess.mock.calls[0]?.[0]).not.toBe(blocked);
  });

  it('refuses selectAccess outside the portal and wraps a failed dialog', async () => {
    const offline = connectB24({ initialize: () => Promise.reject(new Error('no parent')) });
    await vi.advanceTimersByTimeAsync(0);
    await expect(offline.selectAccess([])).rejects.toMatchObject({ code: 'not_connected' });

    const frame = fakeFrame(false);
    frame.dialog.selectAccess.mockRejectedValue(new Error('dialog crashed'));
    const b24 = connectB24({ initialize: async () => frame });
    await vi.advanceTimersByTimeAsync(0);
    await expect(b24.selectAccess([])).rejects.toMatchObject({ code: 'failed' });
  });
});
