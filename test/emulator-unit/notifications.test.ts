import { describe, expect, it } from 'vitest';
import { testEmulator } from './helpers.js';

describe('im.notify.system.add / im.notify.personal.add', () => {
  it('need the im scope', async () => {
    const t = testEmulator();
    const token = t.install();
    const res = await t.rest('im.notify.system.add', { USER_ID: 1, MESSAGE: 'hi' }, token);
    expect(res.body.error).toBe('insufficient_scope');
  });

  it('store per recipient, prefix a system notification with the app name, and a TAG replaces the earlier one', async () => {
    const t = testEmulator({ scopes: ['user_brief', 'department', 'placement', 'im'] });
    const token = t.install();
    const first = await t.rest(
      'im.notify.system.add',
      { USER_ID: 5, MESSAGE: '  one  ', TAG: 'KEYCARD|REQUEST|a' },
      token,
    );
    expect(first.status).toBe(200);
    expect(typeof first.body.result).toBe('number');
    await t.rest('im.notify.system.add', { USER_ID: 5, MESSAGE: 'other', TAG: 'KEYCARD|REQUEST|b' }, token).expect(200);
    await t.rest('im.notify.system.add', { USER_ID: 5, MESSAGE: 'two', TAG: 'KEYCARD|REQUEST|a' }, token).expect(200);
    await t.rest('im.notify.personal.add', { USER_ID: 5, MESSAGE: 'from the admin' }, token).expect(200);
    const { body } = await t.http.get('/_emulator/notifications?user=5').expect(200);
    expect(body.notifications.map((item: { message: string }) => item.message)).toEqual([
      'from the admin',
      'Keycard#BR#two',
      'Keycard#BR#other',
    ]);
    expect(body.notifications[0]).toMatchObject({ type: 'USER', fromUserId: t.admin.id });
    expect(body.notifications[1]).toMatchObject({ type: 'SYSTEM', fromUserId: 0, tag: 'KEYCARD|REQUEST|a' });
  });

  it('refuse a missing recipient or message as documented', async () => {
    const t = testEmulator({ scopes: ['im'] });
    const token = t.install();
    const noUser = await t.rest('im.notify.system.add', { MESSAGE: 'x' }, token);
    expect([noUser.status, noUser.body.error]).toEqual([400, 'USER_ID_EMPTY']);
    const noMessage = await t.rest('im.notify.system.add', { USER_ID: 3, MESSAGE: '   ' }, token);
    expect([noMessage.status, noMessage.body.error]).toEqual([400, 'MESSAGE_EMPTY']);
  });
});
