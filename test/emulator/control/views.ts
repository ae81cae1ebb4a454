import { accessName } from '../access.js';
import type { CompanyUser } from '../company.js';
import type { Portal } from '../portal.js';
import { avatarUrl } from '../rest/user-fields.js';

/** A user as the portal page shows it in the user switcher. */
export interface UserView {
  id: number;
  name: string;
  isAdmin: boolean;
  active: boolean;
  type: CompanyUser['type'];
  department: string | null;
  departmentId: number | null;
}

export function userView(portal: Portal, user: CompanyUser): UserView {
  const departmentId = user.departments[0] ?? null;
  return {
    id: user.id,
    name: portal.directory.fullName(user),
    isAdmin: user.admin,
    active: user.active,
    type: user.type,
    department: departmentId === null ? null : (portal.directory.department(departmentId)?.name ?? null),
    departmentId,
  };
}

/**
 * Users worth switching to: the admin, ordinary employees from departments at depth 1, 2 and deeper
 * (one nested), one fired user and one extranet user.
 */
export function switchableUsers(portal: Portal): CompanyUser[] {
  const directory = portal.directory;
  const chosen: CompanyUser[] = [portal.defaultUser()];
  const usedDepartments = new Set<number>();
  const wantedDepths = [1, 2, 4, 3];
  for (const wanted of wantedDepths) {
    const found = directory.users.find((user) => {
      const department = user.departments[0];
      if (
        !user.active ||
        user.admin ||
        user.type !== 'employee' ||
        department === undefined ||
        usedDepartments.has(department)
      )
        return false;
      const depth = directory.depth(department);
      return wanted === 4 ? depth >= 4 : depth === wanted;
    });
    if (found === undefined) continue;
    chosen.push(found);
    usedDepartments.add(found.departments[0] ?? 0);
  }
  const fired = directory.users.find((user) => !user.active);
  if (fired !== undefined) chosen.push(fired);
  const extranet = directory.users.find((user) => user.active && user.type === 'extranet');
  if (extranet !== undefined) chosen.push(extranet);
  return chosen;
}

export function portalState(portal: Portal, current: CompanyUser): Record<string, unknown> {
  const installation = portal.installation;
  const accessNames: Record<string, string> = {};
  for (const code of installation.accessCodes) accessNames[code] = accessName(portal.directory, code)?.name ?? code;
  return {
    portal: {
      host: portal.host,
      memberId: portal.memberId,
      lang: portal.lang,
      protocol: portal.protocol === 'http' ? 0 : 1,
      oauthRegion: portal.behaviour.oauthRegion,
      oauthServer: portal.oauthServer,
      plan: portal.behaviour.selfHosted ? 'selfhosted' : portal.behaviour.plan,
      subscriptionExpired: portal.subscriptionExpired,
    },
    /** How the page answers a dialog closed without choosing (`silent`: like Bitrix24, not at all). */
    page: { dialogCancel: portal.behaviour.dialogCancel },
    app: {
      title: portal.app.title,
      installed: installation.installed,
      finished: installation.finished,
      accessCodes: [...installation.accessCodes],
      accessNames,
      handlerUrl: portal.app.handlerUrl,
      installerUrl: portal.app.installerUrl,
      scopes: [...portal.scopes],
      /** `app.info` CODE: the `/marketplace/view/<CODE>/` address of REST_APP_URI (docs universal/app-url.md). */
      code: portal.app.code,
      /** Widgets the app bound; shown only to users the app's access setting lets in (docs widgets/index.md). */
      placements:
        installation.finished && portal.userHasAppAccess(current)
          ? installation.placements.map((binding) => ({
              placement: binding.placement,
              title: binding.title,
              langAll: binding.langAll,
            }))
          : [],
    },
    currentUser: userView(portal, current),
    switchable: switchableUsers(portal).map((user) => userView(portal, user)),
  };
}

/**
 * `GET /_emulator/directory?q=&department=`: users (filtered by `q` and a direct department, at most 200), all
 * departments (with heads) and workgroups.
 */
export function directoryView(portal: Portal, q: string, departmentId?: number): Record<string, unknown> {
  const needle = q.trim().toLowerCase();
  const users: unknown[] = [];
  for (const user of portal.directory.users) {
    if (users.length >= 200) break;
    if (departmentId !== undefined && !user.departments.includes(departmentId)) continue;
    const name = portal.directory.fullName(user);
    if (needle !== '' && !`${name} ${user.position} ${user.email} ${user.id}`.toLowerCase().includes(needle)) continue;
    users.push({
      id: user.id,
      name,
      position: user.position,
      departmentIds: [...user.departments],
      active: user.active,
      isAdmin: user.admin,
      type: user.type,
      photo: avatarUrl(portal, user),
    });
  }
  const departments = portal.directory.departments.map((department) => ({
    id: department.id,
    name: department.name,
    parentId: department.parent,
    headId: department.head,
  }));
  // Workgroups for the access dialog's workgroup tab (socialnetwork `CSocNetGroupAuthProvider`).
  const groups = portal.directory.groups.map((group) => ({
    id: group.id,
    name: group.name,
    project: group.project,
    extranet: group.extranet,
  }));
  return { users, departments, groups };
}
