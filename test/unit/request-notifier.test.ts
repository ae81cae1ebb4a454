import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { AccessContext } from '../../server/access/access-service.js';
import { BackgroundTasks } from '../../server/background.js';
import { buildSnapshot } from '../../server/directory/snapshot.js';
import type { DirectoryUser } from '../../server/directory/records.js';
import { createLogger } from '../../server/logger.js';
import type { AccessRequest } from '../../server/requests/access-request.js';
import { MAX_RECIPIENTS, RequestNotifier } from '../../server/requests/notifier.js';
import { policy } from './access-fixtures.js';

const person = (id: number, departments: number[] = [10], active = true): DirectoryUser => ({
  id,
  active,
  type: 'employee',
  name: `P${id}`,
  lastName: '',
  email: null,
  position: '',
  departments,
  photo: null,
});

function world(options: {
  scopes: string[];
  delegates: string[];
  users: DirectoryUser[];
  failFor?: number;
  lang?: string;
  /** app.info fails: the portal answers an error. */
  noAppInfo?: boolean;
}) {
  const lines: string[] = [];
  const logger = createLogger({
    level: 'info',
    destination: new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString('utf8'));
        done();
      },
    }),
  });
  const calls: { method: string; params: Record<string, unknown> | undefined }[] = [];
  const snapshot = buildSnapshot({
    memberId: 'm',
    generation: 1,
    refreshedAt: 0,
    workgroups: { available: false },
    users: options.users,
    departments: [{ id: 10, name: 'Sales', parent: null, head: null, sort: 1 }],
    groups: [],
    members: [],
  });
  const background = new BackgroundTasks({ logger });
  const notifier = new RequestNotifier({
    installations: {
      get: async () =>
        ({ domain: 'acme.bitrix24.com', scopes: options.scopes, lang: options.lang ?? 'en' }) as unknown as Awaited<
          ReturnType<ConstructorParameters<typeof RequestNotifier>[0]['installations']['get']>
        >,
    },
    clients: {
      forPortal: async () => ({
        call: async (method: string, params?: Record<string, unknown>) => {
          calls.push({ method, params });
          if (method === 'app.info') {
            if (options.noAppInfo === true) throw new Error('app.info refused');
            return { ID: 5, CODE: 'acme.keycard' };
          }
          if (params?.['USER_ID'] === options.failFor) throw new Error('refused');
          return 1;
        },
      }),
    },
    appAdmins: { list: async () => [{ id: '1', name: 'Admin', seenAt: 0 }] },
    access: {
      context: async () =>
        ({ stored: { policy: policy({ delegates: options.delegates }), etag: '"1"' }, snapshot }) as AccessContext,
    },
    background,
    logger,
  });
  return { notifier, calls, lines, background };
}

const request: AccessRequest = {
  id: 'r-1',
  memberId: 'm',
  userId: '7',
  name: 'Ann [URL=https://evil]x[/URL]',
  message: 'please',
  status: 'open',
  createdAt: 0,
};

describe('RequestNotifier', () => {
  it('tells admins and delegates (departments expanded, capped), never the requester, and goes on past a failure', async () => {
    const users = Array.from({ length: 40 }, (_, i) => person(100 + i));
    const w = world({
      scopes: ['im'],
      delegates: ['U7', 'IU3', 'D10'],
      users: [person(7), person(3, []), ...users],
      failFor: 3,
    });
    w.notifier.filed(request);
    await w.background.idle();
    const sent = w.calls.filter((call) => call.method === 'im.notify.system.add');
    const to = sent.map((call) => call.params?.['USER_ID']);
    expect(to).toContain(1);
    expect(to).toContain(3);
    expect(to).not.toContain(7);
    expect(to).toHaveLength(MAX_RECIPIENTS);
    expect(sent[0]?.params?.['TAG']).toBe('KEYCARD|REQUEST|r-1');
    const message = String(sent[0]?.params?.['MESSAGE']);
    expect(message).toContain(
      '[URL=https://acme.bitrix24.com/marketplace/view/acme.keycard/?params%5Bview%5D=requests&params%5Bid%5D=r-1]',
    );
    expect(message).toContain('Ann URL=https://evilx/URL asks for access');
    expect(w.lines.join('')).toContain('could not notify about an access request');
  });

  it('without the app code (app.info failed) still notifies, saying where to look instead of linking', async () => {
    const w = world({ scopes: ['im'], delegates: [], users: [], noAppInfo: true });
    w.notifier.filed(request);
    await w.background.idle();
    const sent = w.calls.filter((call) => call.method === 'im.notify.system.add');
    expect(sent.map((call) => call.params?.['USER_ID'])).toEqual([1]);
    expect(String(sent[0]?.params?.['MESSAGE'])).not.toContain('[URL=');
    expect(w.lines.join('')).toContain('could not read the app code for the request link');
  });

  it('without the im scope sends nothing and says so once', async () => {
    const w = world({ scopes: ['user_brief'], delegates: [], users: [] });
    w.notifier.filed(request);
    w.notifier.decided({ ...request, status: 'declined', reason: 'no', decidedBy: { id: '1', name: 'Admin' } });
    await w.background.idle();
    expect(w.calls).toEqual([]);
    expect(w.lines.filter((line) => line.includes('did not grant the im scope'))).toHaveLength(1);
  });

  it('tells the requester of a decision under the request’s tag', async () => {
    const w = world({ scopes: ['im'], delegates: [], users: [] });
    w.notifier.decided({ ...request, status: 'approved', decidedBy: { id: '1', name: 'Admin' } });
    await w.background.idle();
    expect(w.calls).toEqual([
      {
        method: 'im.notify.system.add',
        params: {
          USER_ID: 7,
          MESSAGE: 'Admin approved your request: open Keycard again to use it.',
          TAG: 'KEYCARD|REQUEST|r-1',
        },
      },
    ]);
  });

  it('writes in the portal’s language', async () => {
    const w = world({ scopes: ['im'], delegates: [], users: [], lang: 'ru' });
    w.notifier.filed(request);
    w.notifier.decided({ ...request, status: 'declined', reason: 'позже', decidedBy: { id: '1', name: 'Админ' } });
    await w.background.idle();
    const messages = w.calls
      .filter((call) => call.method === 'im.notify.system.add')
      .map((call) => call.params?.['MESSAGE']);
    // The two run side by side in the background: their order is not fixed.
    const filed = messages.find((message) => String(message).includes('просит доступ к Keycard'));
    expect(filed).toContain('Посмотреть запрос[/URL]');
    expect(messages).toContain('Админ отклонил(а) ваш запрос доступа к Keycard: позже');
  });
});
