import { expect, it } from 'vitest';
import type { Installation } from '../../../server/portals/installation-record.js';
import type { InstallationRepository } from '../../../server/portals/installation-repository.js';
import { TransitionError } from '../../../server/portals/installation-state.js';

function installation(memberId: string): Installation {
  return {
    memberId,
    domain: 'acme.bitrix24.com',
    clientEndpoint: 'https://acme.bitrix24.com/rest/',
    state: 'active',
    scopes: ['user_brief'],
    lang: 'en',
    bindings: { bound: [], failed: [] },
    createdAt: 1,
    updatedAt: 2,
  };
}

/** The InstallationRepository contract; `open` gives a repository over the same backend (another process, say). */
export function installationRepositoryBattery(open: () => InstallationRepository, member: () => string): void {
  it('installation records: save, read-modify-write in order, purge', async () => {
    const memberId = member();
    const installations = open();
    await installations.save(installation(memberId));
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        installations.update(memberId, (current) => current && { ...current, scopes: [...current.scopes, `s${i}`] }),
      ),
    );
    expect((await open().get(memberId))?.scopes).toEqual([
      'user_brief',
      ...Array.from({ length: 10 }, (_, i) => `s${i}`),
    ]);
    await installations.purgePortal(memberId);
    expect(await open().get(memberId)).toBeUndefined();
  });

  it('lists the active installations in use (what the scheduled reconcile visits)', async () => {
    const [opened, fresh, idle, deleted, pending] = [member(), member(), member(), member(), member()];
    const installations = open();
    const since = 1_000_000;
    await installations.save({ ...installation(opened), createdAt: 1, lastOpenedAt: since + 5 });
    await installations.save({ ...installation(fresh), createdAt: since });
    await installations.save({ ...installation(idle), createdAt: 1, lastOpenedAt: since - 1 });
    await installations.save({ ...installation(deleted), createdAt: since, state: 'deleted' });
    await installations.save({
      ...installation(pending),
      createdAt: since,
      uninstall: {
        requestedAt: since,
        clean: false,
        checks: 1,
        refusals: 1,
        nextCheckAt: since + 60_000,
        workedBefore: true,
      },
    });
    const listed = await open().listInUse(since);
    expect(listed).toEqual(expect.arrayContaining([opened, fresh]));
    for (const skipped of [idle, deleted, pending]) expect(listed).not.toContain(skipped);
  });

  it('refuses a write that breaks the lifecycle, and writes nothing', async () => {
    const memberId = member();
    const installations = open();
    await installations.save(installation(memberId));
    await installations.save({ ...installation(memberId), state: 'blocked' });
    await expect(
      installations.update(memberId, (current) => current && { ...current, state: 'new', scopes: ['changed'] }),
    ).rejects.toBeInstanceOf(TransitionError);
    expect(await open().get(memberId)).toMatchObject({ state: 'blocked', scopes: ['user_brief'] });
  });
}
