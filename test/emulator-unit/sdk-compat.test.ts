import { B24OAuth } from '@bitrix24/b24jssdk';
import { afterEach, describe, expect, it } from 'vitest';
import { finishInstall, installApp } from '../emulator/lifecycle.js';
import { createEmulator, type ListeningEmulator } from '../emulator/server.js';
import { acceptingFetch } from './helpers.js';

let running: ListeningEmulator | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

/** The real @bitrix24/b24jssdk, over HTTP, against a listening emulator: the emulator speaks its dialect. */
describe('@bitrix24/b24jssdk against the emulator', () => {
  it('calls methods, pages with fetchList, runs a batch and refreshes an expired token through the OAuth server', async () => {
    const emulator = createEmulator({ company: { users: 300 }, fetch: acceptingFetch, log: () => undefined });
    running = await emulator.listen(0);
    const { portal } = emulator;
    const tokens = installApp(portal, portal.defaultUser());
    finishInstall(portal);
    const sdk = new B24OAuth(
      {
        applicationToken: '',
        userId: 1,
        memberId: portal.memberId,
        accessToken: tokens.accessToken,
        refreshToken: tokens.refreshToken,
        expires: Math.floor(tokens.expiresAt / 1000),
        expiresIn: 3600,
        scope: portal.scope,
        domain: portal.host,
        clientEndpoint: portal.clientEndpoint,
        serverEndpoint: portal.serverEndpoint,
        status: 'L',
      },
      { clientId: portal.app.clientId, clientSecret: portal.app.clientSecret },
      { restrictionParams: { rateLimit: { burstLimit: 50, drainRate: 2, adaptiveEnabled: false } } },
    );

    const profile = await sdk.actions.v2.call.make<{ ID: string; ADMIN: boolean }>({ method: 'profile' });
    expect(profile.isSuccess).toBe(true);
    expect(profile.getData()?.result).toMatchObject({ ID: '1', ADMIN: true });

    let users = 0;
    for await (const chunk of sdk.actions.v2.fetchList.make<{ ID: string }>({ method: 'user.get', params: {} }))
      users += chunk.length;
    const mates = portal.directory.groupMates(1);
    expect(users).toBe(
      portal.directory.users.filter((user) => user.departments.length > 0 || mates.has(user.id)).length,
    );

    const batch = await sdk.actions.v2.batch.make({
      calls: { me: { method: 'user.current' }, root: { method: 'department.get', params: { ID: 1 } } },
      options: { isHaltOnError: false },
    });
    expect(batch.isSuccess).toBe(true);

    portal.tokens.expireAll();
    const after = await sdk.actions.v2.call.make<boolean>({ method: 'user.admin' });
    expect(after.getData()?.result).toBe(true);
    expect(portal.counters.tokenRefreshes).toBe(1);
  }, 30_000);
});
