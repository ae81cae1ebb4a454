import { Window } from 'happy-dom';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { directoryView } from '../emulator/control/views.js';
import { isOrdinary, testEmulator, type TestEmulator } from './helpers.js';

interface PickedAccess {
  id: string;
  name: string;
  provider: string;
}

/** The page's plain ES modules, loaded as the browser would (they have no type declarations). */
interface DialogsModule {
  createDirectory(getJson: (path: string) => Promise<unknown>): unknown;
  chooseAccess(options: {
    directory: unknown;
    mode: 'select' | 'settings';
    blocked?: string[];
  }): Promise<PickedAccess[] | null>;
}
interface ProtocolModule {
  silentCancel(cancelParam: string | null, dialogCancel: string | undefined): boolean;
}

const pageModule = (file: string): Promise<unknown> =>
  import(new URL(`../emulator/page/${file}`, import.meta.url).href);

/** The directory endpoint answered in-process, as GET /_emulator/directory would. */
function directoryFor(t: TestEmulator, dialogs: DialogsModule): unknown {
  return dialogs.createDirectory(async (path: string) => {
    const url = new URL(path, 'http://portal.test');
    const department = Number(url.searchParams.get('department'));
    return directoryView(t.portal, url.searchParams.get('q') ?? '', department > 0 ? department : undefined);
  });
}

/** The page's browser globals, from a happy-dom window (the emulator itself needs Node's own URL and fetch). */
const browser = new Window({ url: 'http://localhost:4000/' });
const GLOBALS = ['document', 'Node', 'location'] as const;
const saved = new Map<string, unknown>();
beforeAll(() => {
  for (const name of GLOBALS) {
    saved.set(name, Reflect.get(globalThis, name));
    Reflect.set(globalThis, name, Reflect.get(browser, name));
  }
});
afterAll(async () => {
  for (const name of GLOBALS) Reflect.set(globalThis, name, saved.get(name));
  await browser.happyDOM.close();
});

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

function click(test: string): void {
  const element = document.querySelector<HTMLElement>(`[data-test="${test}"]`);
  if (element === null) throw new Error(`no [data-test=${test}] on the page`);
  element.click();
}

describe('the portal page’s access dialog (selectAccess)', () => {
  it('returns users as U, structure people as IU, departments as D/DR, workgroups as SG_A/_E/_K, each with provider', async () => {
    const dialogs = (await pageModule('dialogs.js')) as DialogsModule;
    const t = testEmulator({ company: { users: 60 } });
    const user = t.find(isOrdinary);
    const department = user.departments[0] ?? 1;
    const group = t.portal.directory.groups[0];
    if (group === undefined) throw new Error('no workgroup');
    const picked = dialogs.chooseAccess({ directory: directoryFor(t, dialogs), mode: 'select', blocked: ['AU'] });
    await tick();
    click(`access-add-U${user.id}`);
    click('access-tab-departments');
    click(`access-add-D${department}`);
    click(`access-expand-${department}`);
    await tick();
    click(`access-add-IU${user.id}`);
    click('access-tab-groups');
    // The group row itself selects nothing: it opens the group's three role boxes (no plain SG, no SG_A by default).
    expect(document.querySelector(`[data-test="access-add-SG${group.id}_A"]`)).toBeNull();
    click(`access-expand-group-${group.id}`);
    expect(document.querySelectorAll('[data-test^="access-item-"]')).toHaveLength(3);
    expect(document.querySelector(`[data-test="access-add-SG${group.id}"]`)).toBeNull();
    click(`access-add-SG${group.id}_E`);
    click(`access-add-SG${group.id}_K`);
    click('access-tab-other');
    expect(document.querySelector<HTMLButtonElement>('[data-test="access-add-AU"]')?.disabled).toBe(true);
    click('access-confirm');
    const result = await picked;
    const name = t.portal.directory.fullName(user);
    expect(result).toEqual([
      { id: `U${user.id}`, name, provider: 'user' },
      { id: `D${department}`, name: t.portal.directory.department(department)?.name, provider: 'intranet' },
      { id: `IU${user.id}`, name, provider: 'intranet' },
      { id: `SG${group.id}_E`, name: `${group.name}: moderators`, provider: 'socnetgroup' },
      { id: `SG${group.id}_K`, name: `${group.name}: all members`, provider: 'socnetgroup' },
    ]);
    expect(result?.some((item) => /^SG\d+$/.test(item.id))).toBe(false);
  });

  it('resolves null on cancel; the page answers nothing then only when told to (silentCancel)', async () => {
    const dialogs = (await pageModule('dialogs.js')) as DialogsModule;
    const protocol = (await pageModule('protocol.js')) as ProtocolModule;
    const t = testEmulator({ company: { users: 20 } });
    const picked = dialogs.chooseAccess({ directory: directoryFor(t, dialogs), mode: 'select' });
    await tick();
    click('access-cancel');
    expect(await picked).toBeNull();
    expect(protocol.silentCancel(null, 'answer')).toBe(false);
    expect(protocol.silentCancel(null, 'silent')).toBe(true);
    expect(protocol.silentCancel('silent', 'answer')).toBe(true);
    const silent = testEmulator({ dialogCancel: 'silent' });
    expect((await silent.http.get('/_emulator/state').expect(200)).body.page).toEqual({ dialogCancel: 'silent' });
  });

  it('GET /_emulator/directory gives workgroups, department heads and a department’s employees', async () => {
    const t = testEmulator({ company: { users: 120 } });
    const all = (await t.http.get('/_emulator/directory').expect(200)).body;
    expect(all.groups[0]).toEqual({
      id: expect.any(Number),
      name: expect.any(String),
      project: expect.any(Boolean),
      extranet: expect.any(Boolean),
    });
    expect(all.departments[0]).toMatchObject({ id: 1, parentId: null, headId: 1 });
    const department = t.find(isOrdinary).departments[0] ?? 1;
    const members = (await t.http.get(`/_emulator/directory?department=${department}`).expect(200)).body.users;
    expect(members.length).toBeGreaterThan(0);
    expect(members.every((member: { departmentIds: number[] }) => member.departmentIds.includes(department))).toBe(
      true,
    );
  });
});
