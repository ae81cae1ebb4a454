import type { AccessIndex, FeatureInfo } from './access-index.js';
import { ADMIN, ADMIN_UNKNOWN, ALLOW_LIST_EMPTY, FIRED, NOT_IN_ALLOW_LIST, type Decision, type Rule } from './rules.js';
import { SharedSubject } from './shared-subject.js';
import type { Subject } from './subject.js';

/*
 * The checks that come before roles: fired users, the allow-list, admin-only features and the admin
 * override. Each returns a final decision or null ("ask the roles").
 */

export const ADMIN_REASONS: readonly Rule[] = Object.freeze([ADMIN]);
export const DENY_FIRED: Decision = Object.freeze({ allowed: false, level: null, reasons: Object.freeze([FIRED]) });
export const DENY_NOT_LISTED: Decision = Object.freeze({
  allowed: false,
  level: null,
  reasons: Object.freeze([NOT_IN_ALLOW_LIST]),
});
const DENY_ADMIN_UNKNOWN: Decision = Object.freeze({
  allowed: false,
  level: null,
  reasons: Object.freeze([ADMIN_UNKNOWN]),
});
const ALLOW_ADMIN: Decision = Object.freeze({ allowed: true, level: null, reasons: ADMIN_REASONS });
const ALLOW_EVERYONE: Decision = Object.freeze({
  allowed: true,
  level: null,
  reasons: Object.freeze([ALLOW_LIST_EMPTY]),
});

/**
 * May the user open the app at all? Fired → no; portal admin → yes (as in Bitrix24, so nobody locks the
 * portal out); empty allow-list → every active user; otherwise any held code on the list.
 * Follows Bitrix24 help "Configure access permissions to Bitrix24 Market applications".
 */
export function canOpen(index: AccessIndex, subject: Subject): Decision {
  if (!(subject instanceof SharedSubject)) return openDecision(index, subject);
  return subject.recallOpen(index) ?? subject.rememberOpen(index, openDecision(index, subject));
}

function openDecision(index: AccessIndex, subject: Subject): Decision {
  if (!subject.active) return DENY_FIRED;
  if (subject.isAdmin === true) return ALLOW_ADMIN;
  if (index.allowListEmpty) return ALLOW_EVERYONE;
  for (const code of subject.codes) {
    const rule = index.byCode.get(code)?.allowList;
    if (rule !== undefined) return { allowed: true, level: null, reasons: [rule] };
  }
  return DENY_NOT_LISTED;
}

/** The top level of a feature (what admins and delegates hold on admin-gated features). */
export function topLevel(feature: FeatureInfo): string | null {
  return feature.levels[feature.levels.length - 1] ?? null;
}

/** The delegation of `access.manage` behind the first of the subject's codes that has one. */
function delegation(index: AccessIndex, subject: Subject): Rule | undefined {
  for (const code of subject.codes) {
    const rule = index.byCode.get(code)?.delegate;
    if (rule !== undefined) return rule;
  }
  return undefined;
}

/**
 * Admin-only features and `access.manage`: portal admins and delegates (`delegated`: the subject's first
 * delegation) get every level, nobody else any. Role grants do not widen them. Unknown admin status denies,
 * delegates included — a failed lookup is never read as "not admin, so check the next rule".
 */
export function adminGate(subject: Subject, feature: FeatureInfo, delegated: Rule | undefined): Decision {
  if (subject.isAdmin === null) return DENY_ADMIN_UNKNOWN;
  const level = topLevel(feature);
  if (subject.isAdmin) return { allowed: true, level, reasons: ADMIN_REASONS };
  if (delegated !== undefined) return { allowed: true, level, reasons: [delegated] };
  return { allowed: false, level: null, reasons: [{ kind: 'adminOnly', feature: feature.key }] };
}

/** Everything before the roles: a final decision, or null when the roles decide. */
export function preRoles(index: AccessIndex, subject: Subject, feature: FeatureInfo): Decision | null {
  const open = canOpen(index, subject);
  if (!open.allowed) return open;
  if (feature.adminOnly) return adminGate(subject, feature, delegation(index, subject));
  if (subject.isAdmin === true && index.adminsGetEverything)
    return { allowed: true, level: topLevel(feature), reasons: ADMIN_REASONS };
  return null;
}
