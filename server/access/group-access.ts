import { NotFoundError } from '../errors.js';
import type { Manifest } from '../manifest.js';
import { evaluate } from './evaluate.js';
import { manageRequirement } from './policy.js';
import type { GroupRole } from '../directory/records.js';
import type { AccessContext } from './access-service.js';
import type { AppAdmins } from './app-admins.js';
import { checkUser, type Asker, type UserCheck } from './check-user.js';

/** One person of a workgroup, their role in it, and what Keycard lets them do ("check a user" for each). */
export interface GroupMemberAccess {
  role: GroupRole;
  check: UserCheck;
}

/** What the workgroup tab (placement SONET_GROUP_DETAIL_TAB) shows. */
export interface GroupAccess {
  group: { id: number; name: string; project: boolean };
  members: GroupMemberAccess[];
  /** More people are in the group than the tab lists. */
  truncated: boolean;
}

/** A tab is no place for a thousand rows; the directory lists the rest. */
const MAX_MEMBERS = 200;
const ROLE_ORDER: Record<GroupRole, number> = { A: 0, E: 1, K: 2 };

/**
 * The people of workgroup `groupId` as the directory mirror knows them — owner, moderators, members (`SG{id}_A/_E/_K`)
 * — each with whether they may open Keycard and their level of each feature, explained by the same checkUser() as the
 * admin's "check a user". A group the mirror does not know (never synced, no `sonet_group` scope, deleted) is 404.
 */
export async function groupAccess(
  deps: { appAdmins: Pick<AppAdmins, 'status'>; manifest: Pick<Manifest, 'levels'> },
  memberId: string,
  context: AccessContext,
  asker: Asker,
  groupId: number,
): Promise<GroupAccess> {
  const { snapshot } = context;
  const group = snapshot.groups.get(groupId);
  // The tab explains its own group's people: to those in the group, and to those who manage access. Anyone else
  // (by another group's id, a secret one say) is told what a group the mirror does not know is told.
  const viewerIn = snapshot.groupRoles.get(Number(asker.userId))?.has(groupId) === true;
  const manages = evaluate(context.index, context.subject, manageRequirement(deps.manifest)).allowed;
  if (group === undefined || (!viewerIn && !manages))
    throw new NotFoundError(
      'GROUP_NOT_FOUND',
      'Keycard’s directory does not know this workgroup. Refresh the directory.',
    );
  const people: { userId: number; role: GroupRole; name: string }[] = [];
  for (const [userId, groups] of snapshot.groupRoles) {
    const role = groups.get(groupId);
    const user = snapshot.users.get(userId);
    if (role !== undefined && user !== undefined && user.active) people.push({ userId, role, name: user.name });
  }
  people.sort((a, b) => ROLE_ORDER[a.role] - ROLE_ORDER[b.role] || a.name.localeCompare(b.name) || a.userId - b.userId);
  const listed = people.slice(0, MAX_MEMBERS);
  const members = await Promise.all(
    listed.map(async (person) => ({
      role: person.role,
      check: await checkUser(deps, memberId, context, asker, person.userId),
    })),
  );
  return { group: { ...group }, members, truncated: people.length > listed.length };
}
