import { afterEach, describe, expect, it } from 'vitest';
import type { FrameLaunch } from '../emulator/control/frame.js';
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

  it('an update that drops a placement from the manifest unbinds it; the others stay', async () => {
    const portal = await installed();
    const { services } = keycard(portal);
    const without = {
      ...services.manifest,
      features: services.manifest.features.map(({ placements: _dropped, ...feature }) => feature),
    };
    const client = await services.clients.forPortal(portal.stack.emulator.portal.memberId);
    const result = await bindPortal(client, appUrls(services.config), without);
    expect(result.failed).toEqual([]);
    expect(placementsOf(portal)).toEqual(['LEFT_MENU', 'REST_APP_URI']);
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

/** The bootstrap JSON embedded in the app page (all of it: the shared harness schema strips what it does not know). */
function rawBootstrap(html: string): Record<string, unknown> {
  const match = /<script id="keycard-bootstrap" type="application\/json">(.*?)<\/script>/s.exec(html);
  if (match?.[1] === undefined) throw new Error('no bootstrap in page');
  return JSON.parse(match[1]) as Record<string, unknown>;
}

/** Opens the app in `placement` as `userId`, with the options the portal would post. */
async function openIn(
  portal: EmulatedPortal,
  userId: number,
  placement: string,
  placementOptions: Record<string, string>,
): Promise<{ status: number; text: string }> {
  const launch = await portal.control<FrameLaunch>('open', { placement, placementOptions }, userId);
  expect(launch.status, JSON.stringify(launch.body)).toBe(200);
  const answer = await portal.post(launch.body);
  await portal.settle();
  return answer;
}

/** An active employee who is no portal admin, in a department (holds Manager through the company default). */
function employee(portal: EmulatedPortal) {
  const user = portal.stack.emulator.portal.directory.users.find(
    (candidate) => candidate.active && !candidate.admin && candidate.type === 'employee' && candidate.id !== 1,
  );
  if (user === undefined) throw new Error('the seeded company has no plain employee');
  return user;
}

const GROUP_TAB = { GROUP_ID: '1', URI: '/workgroups/group/1/' };

describe('POST /app in a placement', () => {
  it('an admin in the workgroup tab gets the app with the placement in its bootstrap', async () => {
    const portal = await installed();
    const res = await openIn(portal, 1, 'SONET_GROUP_DETAIL_TAB', GROUP_TAB);
    expect(res.status).toBe(200);
    expect(rawBootstrap(res.text)).toMatchObject({
      mode: 'app',
      placement: { code: 'SONET_GROUP_DETAIL_TAB', options: GROUP_TAB, feature: 'group_access' },
    });
  });

  it('an employee without group_access gets the compact page naming the feature and whom to ask, never the shell', async () => {
    const portal = await installed();
    await portal.open(1); // the admin opens the app once: Keycard now knows whom to name
    const res = await openIn(portal, employee(portal).id, 'SONET_GROUP_DETAIL_TAB', GROUP_TAB);
    expect(res.status).toBe(403);
    expect(res.text).not.toContain('keycard-bootstrap');
    expect(res.text).toContain('data-compact="true"');
    expect(res.text).toContain('You have no access to “Access in workgroups”');
    // The person may ask for the feature from the tab itself.
    expect(res.text).toContain('data-request-form');
    const admin = portal.stack.emulator.portal.directory.users.find((user) => user.id === 1);
    expect(res.text).toContain(admin?.name ?? 'no admin');
    // The same employee opens the full app from the left menu as before.
    expect((await openIn(portal, employee(portal).id, 'LEFT_MENU', {})).status).toBe(200);
  });

  it('someone the allow-list leaves out gets the same compact page in the tab, not the full one', async () => {
    const portal = await installed();
    await portal.open(1);
    const { services, memberId } = keycard(portal);
    const current = await services.policies.get(memberId, 'en');
    const { version: _version, ...content } = current.policy;
    await services.policies.save(memberId, {
      ifMatch: current.etag,
      content: { ...content, allowList: ['U1'] },
      actor: { id: '1', name: 'Admin' },
      lang: 'en',
    });
    const res = await openIn(portal, employee(portal).id, 'SONET_GROUP_DETAIL_TAB', GROUP_TAB);
    expect(res.status).toBe(403);
    expect(res.text).toContain('data-compact="true"');
    expect(res.text).toContain('data-request-form');
    expect(res.text).not.toContain('keycard-bootstrap');
  });

  it('PLACEMENT_OPTIONS arrive hex-escaped as Bitrix24 encodes them and are decoded', async () => {
    const portal = await installed();
    const options = { GROUP_ID: '1', URI: '/workgroups/group/1/?a=<b>&c=\'d"' };
    const launch = await portal.control<FrameLaunch>('open', {
      placement: 'SONET_GROUP_DETAIL_TAB',
      placementOptions: options,
    });
    expect(launch.body.body['PLACEMENT_OPTIONS']).toContain('\\u003Cb\\u003E');
    expect(launch.body.body['PLACEMENT_OPTIONS']).toContain('\\/workgroups\\/');
    const res = await portal.post(launch.body);
    expect(rawBootstrap(res.text)).toMatchObject({ placement: { options } });
  });

  it('malformed PLACEMENT_OPTIONS get a readable 400 page and change nothing', async () => {
    const portal = await installed();
    const launch = await portal.control<FrameLaunch>('open', {
      placement: 'SONET_GROUP_DETAIL_TAB',
      placementOptions: GROUP_TAB,
    });
    for (const bad of ['{"GROUP_ID":', `{"URI":"${'x'.repeat(5000)}"}`]) {
      const res = await portal.post({ ...launch.body, body: { ...launch.body.body, PLACEMENT_OPTIONS: bad } });
      expect([bad.slice(0, 20), res.status]).toEqual([bad.slice(0, 20), 400]);
      expect(res.text).toContain('data-page="refusal"');
      expect(res.text).not.toContain('keycard-bootstrap');
    }
  });

  it('a placement Keycard does not bind (another app’s) is refused with a readable 400 page', async () => {
    const portal = await installed();
    const launch = await portal.launch(1);
    const res = await portal.post({ ...launch, body: { ...launch.body, PLACEMENT: 'CRM_DEAL_DETAIL_TAB' } });
    expect(res.status).toBe(400);
    expect(res.text).toContain('data-page="refusal"');
  });

  it('a REST_APP_URI link opens the full app with its view and id as the entry', async () => {
    const portal = await installed();
    const res = await openIn(portal, 1, 'REST_APP_URI', { view: 'requests', id: '42' });
    expect(res.status).toBe(200);
    const boot = rawBootstrap(res.text);
    expect(boot['entry']).toEqual({ view: 'requests', id: '42' });
    expect(boot['placement']).toBeUndefined();
    const odd = rawBootstrap((await openIn(portal, 1, 'REST_APP_URI', { view: 'nowhere', id: '42' })).text);
    expect(odd['entry']).toBeUndefined();
  });
});

describe('GET /api/placements/group-access/:groupId (the workgroup tab)', () => {
  it('lists the group’s people by role with their access, explained; unknown group 404, bad id 400', async () => {
    const portal = await installed();
    const { services, memberId } = keycard(portal);
    await services.directory.runSync(memberId, 'admin');
    const opened = await openIn(portal, 1, 'SONET_GROUP_DETAIL_TAB', GROUP_TAB);
    const session = String(rawBootstrap(opened.text)['session']);
    const api = (path: string) =>
      fetch(`${portal.stack.appUrl}/api/placements/group-access/${path}`, {
        headers: { authorization: `Bearer ${session}` },
      });
    const res = await api('1');
    expect(res.status).toBe(200);
    const body = (await res.json()) as {
      group: { id: number; name: string };
      members: { role: string; check: { user: { id: number }; access: { open: { allowed: boolean } } } }[];
    };
    const group = portal.stack.emulator.portal.directory.groups.find((item) => item.id === 1);
    expect(body.group).toMatchObject({ id: 1, name: group?.name });
    expect(body.members[0]).toMatchObject({ role: 'A', check: { user: { id: group?.ownerId } } });
    expect(body.members.map((member) => member.role)).toEqual([...body.members.map((m) => m.role)].sort());
    expect(body.members.every((member) => typeof member.check.access.open.allowed === 'boolean')).toBe(true);
    expect((await api('999999')).status).toBe(404);
    expect(((await (await api('999999')).json()) as { error: string }).error).toBe('GROUP_NOT_FOUND');
    expect((await api('abc')).status).toBe(400);
  });

  it('a holder of the feature sees the groups they are in; another group is as unknown to them (404)', async () => {
    const portal = await installed();
    const { services, memberId } = keycard(portal);
    await services.directory.runSync(memberId, 'admin');
    const { groups, users } = portal.stack.emulator.portal.directory;
    const inGroup = (user: { id: number }, group: (typeof groups)[number]) =>
      group.ownerId === user.id || group.moderators.includes(user.id) || group.members.includes(user.id);
    // An employee in some workgroup but not in all of them, given group_access through the Administrator role.
    const viewer = users.find(
      (user) =>
        user.active &&
        !user.admin &&
        user.type === 'employee' &&
        groups.some((group) => inGroup(user, group)) &&
        groups.some((group) => !inGroup(user, group)),
    );
    if (viewer === undefined) throw new Error('the seeded company has no employee in some groups only');
    const current = await services.policies.get(memberId, 'en');
    const { version: _version, ...content } = current.policy;
    await services.policies.save(memberId, {
      ifMatch: current.etag,
      content: { ...content, assignments: [...content.assignments, { code: `U${viewer.id}`, role: 'administrator' }] },
      actor: { id: '1', name: 'Admin' },
      lang: 'en',
    });
    const session = String(rawBootstrap((await openIn(portal, viewer.id, 'LEFT_MENU', {})).text)['session']);
    const tab = (id: number) =>
      fetch(`${portal.stack.appUrl}/api/placements/group-access/${id}`, {
        headers: { authorization: `Bearer ${session}` },
      });
    const own = groups.find((group) => inGroup(viewer, group));
    const other = groups.find((group) => !inGroup(viewer, group));
    expect((await tab(own?.id ?? 0)).status).toBe(200);
    const refused = await tab(other?.id ?? 0);
    expect(refused.status).toBe(404);
    expect(((await refused.json()) as { error: string }).error).toBe('GROUP_NOT_FOUND');
  });

  it('refuses a user without the tab’s feature (403 FEATURE_DENIED)', async () => {
    const portal = await installed();
    const opened = await openIn(portal, employee(portal).id, 'LEFT_MENU', {});
    const session = String(rawBootstrap(opened.text)['session']);
    const res = await fetch(`${portal.stack.appUrl}/api/placements/group-access/1`, {
      headers: { authorization: `Bearer ${session}` },
    });
    expect(res.status).toBe(403);
    expect(((await res.json()) as { error: string }).error).toBe('FEATURE_DENIED');
  });
});
