import { fullName } from '../directory/queries.js';
import type { DirectorySnapshot } from '../directory/snapshot.js';
import type { Manifest } from '../manifest.js';
import type { AccessIndex } from './access-index.js';
import { mirroredCodes } from './access-service.js';
import { allowedResources, evaluate } from './evaluate.js';
import { canOpen } from './gate.js';
import { ACCESS_MANAGE, manageRequirement } from './policy.js';
import type { Subject } from './subject.js';

/** People who lose one thing: opening the app, or a level of a feature (or some of its resources). */
export interface ImpactLoss {
  /** `open` for opening the app, else a feature key (`access.manage` included). */
  feature: string;
  /** Null for `open`. */
  level: string | null;
  count: number;
  /** The user asking is among them. */
  includesYou: boolean;
  /** A few of them (the asker first), full names. */
  names: string[];
}

/** What a draft would take from whom, against the directory mirror. */
export interface PolicyImpact {
  losses: ImpactLoss[];
  /** The draft would take access management from the user saving it. */
  locksYouOut: boolean;
  /** Roles the draft deletes; a save must confirm each. */
  deletedRoles: { key: string; title: string }[];
}

/** The user asking, as the session knows them. */
export interface Caller {
  id: number;
  isAdmin: boolean | null;
}

const NAMES = 5;

function subjectFor(snapshot: DirectorySnapshot, userId: number, isAdmin: boolean | null): Subject {
  const user = snapshot.users.get(userId);
  if (user === undefined) return { userId, active: true, isAdmin, codes: [`U${userId}`, 'AU'] };
  return { userId, active: user.active, isAdmin, codes: mirroredCodes(snapshot, userId) };
}

/** Whether `after` gives less than `before` (a set of resources, or every resource). */
function narrower(before: 'all' | ReadonlySet<string>, after: 'all' | ReadonlySet<string>): boolean {
  if (before !== 'all' && before.size === 0) return false;
  if (after === 'all') return false;
  if (before === 'all') return true;
  for (const id of before) if (!after.has(id)) return true;
  return false;
}

/**
 * Who loses what if `after` replaces `before`: every active mirrored user (and the asker, mirrored or not), every
 * feature and level, access management and opening the app. Admin status is what Keycard saw (`admins`: those who
 * opened the app as admins); others count as not admins. Pure; O(users × features × levels × codes).
 */
export function policyImpact(
  input: {
    manifest: Manifest;
    snapshot: DirectorySnapshot;
    before: AccessIndex;
    after: AccessIndex;
    admins: ReadonlySet<number>;
    caller: Caller;
  },
  deletedRoles: { key: string; title: string }[] = [],
): PolicyImpact {
  const { manifest, snapshot, before, after, admins, caller } = input;
  const checks: { feature: string; level: string | null }[] = [{ feature: 'open', level: null }];
  for (const feature of manifest.features)
    for (const level of feature.levels) checks.push({ feature: feature.key, level });
  const manage = manageRequirement(manifest);
  checks.push({ feature: ACCESS_MANAGE, level: manage.level });
  const losses = checks.map((check) => ({ ...check, count: 0, includesYou: false, names: [] as string[] }));

  const lost = (subject: Subject, feature: string, level: string | null): boolean => {
    if (level === null) return canOpen(before, subject).allowed && !canOpen(after, subject).allowed;
    if (feature === ACCESS_MANAGE)
      return evaluate(before, subject, manage).allowed && !evaluate(after, subject, manage).allowed;
    return narrower(
      allowedResources(before, subject, feature, level),
      allowedResources(after, subject, feature, level),
    );
  };
  const visit = (userId: number, subject: Subject, name: string) => {
    const you = userId === caller.id;
    checks.forEach((check, i) => {
      const loss = losses[i];
      if (loss === undefined || !lost(subject, check.feature, check.level)) return;
      loss.count += 1;
      if (you) {
        loss.includesYou = true;
        loss.names.unshift(name);
        if (loss.names.length > NAMES) loss.names.pop();
      } else if (loss.names.length < NAMES) loss.names.push(name);
    });
  };

  for (const user of snapshot.users.values()) {
    if (!user.active) continue;
    const isAdmin = user.id === caller.id ? caller.isAdmin : admins.has(user.id);
    visit(user.id, subjectFor(snapshot, user.id, isAdmin), fullName(user));
  }
  if (!snapshot.users.has(caller.id)) visit(caller.id, subjectFor(snapshot, caller.id, caller.isAdmin), '');

  const locksYouOut = lockout(manifest, after, subjectFor(snapshot, caller.id, caller.isAdmin)) !== null;
  return { losses: losses.filter((loss) => loss.count > 0), locksYouOut, deletedRoles };
}

/**
 * Whether `after` takes access management from `subject`, and through which control: the allow-list (they could
 * no longer open the app) or the delegates. Null when they keep it.
 */
export function lockout(manifest: Manifest, after: AccessIndex, subject: Subject): 'allowList' | 'delegates' | null {
  if (!canOpen(after, subject).allowed) return 'allowList';
  return evaluate(after, subject, manageRequirement(manifest)).allowed ? null : 'delegates';
}
