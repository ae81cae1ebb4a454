import { afterEach, describe, expect, it } from 'vitest';
import { bindPortal } from '../../server/portals/bindings.js';
import { appUrls } from '../../server/portals/installation.js';
import { emulatedPortal, type EmulatedPortal } from '../support/emulated-portal.js';

/*
 * Issue 14: features on placements, against the emulator (Bitrix24's placement.* rules name their doc source in
 * test/emulator/rest/placements.ts).
 */

const portals: EmulatedPortal[] = [];
afterEach(async () => {
  for (const portal of portals.splice(0)) await portal.close();
});

async function installed(options: Parameters<typeof emulatedPortal>[0] = {}): Promise<EmulatedPortal> {
  const portal = await emulatedPortal(options);
  portals.push(portal);
  await portal.install();
  return portal;
}

function keycard(portal: EmulatedPortal) {
  const { services } = portal.stack.app;
  const memberId = portal.stack.emulator.portal.memberId;
  return {
    services,
    memberId,
    bindings: async () => (await services.installations.get(memberId))?.bindings,
    bindAgain: async () =>
      bindPortal(await services.clients.forPortal(memberId), appUrls(services.config), services.manifest),
  };
}

function placementsOf(portal: EmulatedPortal) {
  return portal.stack.emulator.portal.installation.placements.map((binding) => binding.placement).sort();
}

describe('binding placements', () => {
  it('the installer binds the left menu, REST_APP_URI and the workgroup tab with en/ru titles', async () => {
    const portal = await installed();
    expect(placementsOf(portal)).toEqual(['LEFT_MENU', 'REST_APP_URI', 'SONET_GROUP_DETAIL_TAB']);
    const tab = portal.stack.emulator.portal.installation.placements.find(
      (binding) => binding.placement === 'SONET_GROUP_DETAIL_TAB',
    );
    expect(tab).toMatchObject({
      handler: appUrls(portal.stack.app.services.config).app,
      title: 'Keycard access',
      langAll: { en: { TITLE: 'Keycard access' }, ru: { TITLE: 'Доступ Keycard' } },
    });
    const { bindings } = keycard(portal);
    expect((await bindings())?.bound).toEqual(
      expect.arrayContaining(['LEFT_MENU', 'REST_APP_URI', 'SONET_GROUP_DETAIL_TAB']),
    );
    expect((await bindings())?.failed).toEqual([]);
  });

  it('binding again binds nothing new (placement.get is read first; a second bind would fail)', async () => {
    const portal = await installed();
    const before = portal.stack.emulator.portal.installation.placements.length;
    const again = await keycard(portal).bindAgain();
    expect(again.failed).toEqual([]);
    expect(again.bound).toEqual(expect.arrayContaining(['LEFT_MENU', 'REST_APP_URI', 'SONET_GROUP_DETAIL_TAB']));
    expect(portal.stack.emulator.portal.installation.placements).toHaveLength(before);
  });

  it('a portal without the sonet_group scope: the tab is recorded as failed, the install completes', async () => {
    const portal = await installed({ scopes: ['user_brief', 'department', 'placement'] });
    expect(placementsOf(portal)).toEqual(['LEFT_MENU', 'REST_APP_URI']);
    const stored = await keycard(portal).services.installations.get(portal.stack.emulator.portal.memberId);
    expect(stored?.state).toBe('active');
    expect(stored?.bindings.failed).toEqual([{ name: 'SONET_GROUP_DETAIL_TAB', code: 'ERROR_PLACEMENT_NOT_FOUND' }]);
  });

  it('an app update binds again a placement that went missing', async () => {
    const portal = await installed();
    const emulated = portal.stack.emulator.portal;
    emulated.installation.placements = emulated.installation.placements.filter(
      (binding) => binding.placement !== 'SONET_GROUP_DETAIL_TAB',
    );
    expect((await portal.control('update')).status).toBe(200);
    await portal.settle();
    expect(placementsOf(portal)).toEqual(['LEFT_MENU', 'REST_APP_URI', 'SONET_GROUP_DETAIL_TAB']);
  });
});
