import { expect } from 'vitest';
import type { AuditEntry } from '../../../server/access/audit-entry.js';
import { SessionTokens } from '../../../server/http/session-tokens.js';
import type { TestPortal } from '../../support/harness.js';
import { CLIENT_ID } from '../../support/harness.js';
import { companyUser, type FakeUser, type IssuedToken } from './fake-bitrix24.js';
import { codeChanges, freshPolicy, heldCodes, type PolicyContent, type Who } from './fuzz-rules.js';
import { PORTAL_KEYS, type FuzzWorld, type PortalKey } from './fuzz-world.js';
import { secret } from './log-scan.js';

/*
 * What the fuzz believes the store holds, per portal, and the comparison of that belief with what the app's own
 * repositories report after every step. Everything here changes only through the rules in fuzz-rules.ts, applied
 * by the commands to what they sent and what the scripted Bitrix24 vouched for.
 */

/** A session token the model knows the claims of. */
export interface SessionModel {
  token: string;
  portal: PortalKey;
  userId: number;
  isAdmin: boolean | null;
  /** Epoch ms: the token is refused from then on. */
  expiresAt: number;
}

/** One save in the audit log, as the model expects it. */
export interface AuditModel {
  version: number;
  actor: string;
  /** The allow-list, delegate and assignment changes (fuzz-rules `codeChanges`). */
  changes: string[];
}

export interface PortalModel {
  key: PortalKey;
  portal: TestPortal;
  /** The installation record: in use, uninstalled (kept), or purged by an uninstall with "clear data". */
  record: 'active' | 'deleted' | 'purged';
  policy: PolicyContent;
  version: number;
  etag: string;
  /** ETags this portal had before (a save presenting one of them is stale). */
  staleEtags: string[];
  audit: AuditModel[];
  /** The connection Keycard calls the portal with: one admin's tokens (the last one, once uninstalled). */
  connection: IssuedToken;
  /** None on record after a reinstall whose installer POST carried none. */
  applicationToken: string | undefined;
  /** Application tokens this portal had before (events carrying one of them are not verified by it). */
  staleApplicationTokens: string[];
  appVersion: string | undefined;
  /** Portal admins Keycard has seen (installer and admins who opened the app). */
  admins: Set<string>;
  /** Users Bitrix24 said are not admins when they opened the app (check-a-user: "notAdmin", not "unknown"). */
  notAdmins: Set<string>;
  /** Users the mirror holds (fetched one by one: the fuzz never runs a full sync). */
  mirrored: Map<number, FakeUser>;
  /** Event deliveries acted on (Bitrix24 delivers at most once; a replay is a no-op). */
  seenEvents: Set<string>;
}

export interface Model {
  portals: Record<PortalKey, PortalModel>;
  sessions: SessionModel[];
  /** Sessions minted before the fuzz began, 31 minutes ago: expired. */
  expired: SessionModel[];
  /** Secrets that must never appear in a response body (sessions are added as they are minted). */
  secrets: Set<string>;
}

export const SESSION_TTL_MS = 30 * 60_000;

export function otherPortal(key: PortalKey): PortalKey {
  return key === 'acme' ? 'globex' : 'acme';
}

/** The model's view of a session's user: claims plus what the portal's mirror gives them. */
export function subjectOf(model: Model, session: SessionModel): { who: Who; held: ReturnType<typeof heldCodes> } {
  const portal = model.portals[session.portal];
  return {
    who: { userId: session.userId, isAdmin: session.isAdmin },
    held: heldCodes(session.userId, portal.mirrored.get(session.userId)),
  };
}

/** Mints a session as POST /app would, for a user as `profile` describes them, and remembers it. */
export async function mintSession(world: FuzzWorld, model: Model, portal: PortalKey, userId: number) {
  const user = companyUser(userId);
  const token = secret(
    await world.services.sessions.issue({
      memberId: world.portals[portal].memberId,
      userId: String(userId),
      isAdmin: user.admin,
      lang: 'en',
      name: user.name,
    }),
  );
  const session: SessionModel = { token, portal, userId, isAdmin: user.admin, expiresAt: expiry(world) };
  model.sessions.push(session);
  model.secrets.add(token);
  return session;
}

function expiry(world: FuzzWorld): number {
  return (Math.floor(world.clock.now() / 1000) + SESSION_TTL_MS / 1000) * 1000;
}

/** Sessions of every user of both portals issued 31 minutes ago by the same deployment: all expired now. */
export async function mintExpired(world: FuzzWorld, model: Model, users: readonly number[]): Promise<void> {
  const past = { now: () => world.clock.now() - 31 * 60_000 };
  const tokens = new SessionTokens({
    secretKeys: world.services.config.secretKeys,
    issuer: world.services.config.appUrl,
    clock: past,
  });
  for (const portal of PORTAL_KEYS) {
    for (const userId of users) {
      const user = companyUser(userId);
      const token = secret(
        await tokens.issue({
          memberId: world.portals[portal].memberId,
          userId: String(userId),
          isAdmin: user.admin,
          lang: 'en',
          name: user.name,
        }),
      );
      model.expired.push({ token, portal, userId, isAdmin: user.admin, expiresAt: past.now() + SESSION_TTL_MS });
      model.secrets.add(token);
    }
  }
}

/** A session of `userId` on `portal` still valid for a while (minting one when none is). */
export async function liveSession(world: FuzzWorld, model: Model, portal: PortalKey, userId: number) {
  // A margin over the request's own duration, so no step straddles an expiry.
  const live = model.sessions.filter(
    (session) =>
      session.portal === portal && session.userId === userId && session.expiresAt - world.clock.now() > 5 * 60_000,
  );
  return live.at(-1) ?? (await mintSession(world, model, portal, userId));
}

/** The audit log entry's allow-list, delegate and assignment changes, in fuzz-rules' notation. */
function entryCodeChanges(entry: AuditEntry): string[] {
  return entry.changes
    .flatMap((change) => {
      if (change.kind === 'allowList' || change.kind === 'delegates')
        return [`${change.kind} ${change.action} ${change.code}`];
      if (change.kind === 'assignment') return [`assignment ${change.action} ${change.code} ${change.role}`];
      return [];
    })
    .sort();
}

/** Compares what the app's repositories hold for `portal` with the model; `label` names the step. */
export async function expectPortalMatches(world: FuzzWorld, pm: PortalModel, label: string): Promise<void> {
  const { services } = world;
  const memberId = pm.portal.memberId;
  const where = `${label} [${pm.key}]`;

  const stored = await services.policies.get(memberId, 'en');
  const { version, ...content } = stored.policy;
  expect(content, `${where}: policy`).toEqual(pm.policy);
  expect(version, `${where}: version`).toBe(pm.version);
  expect(stored.etag, `${where}: ETag`).toBe(pm.etag);
  expect(await services.policies.currentVersion(memberId), `${where}: current version`).toBe(pm.version);
  // Entries above the current version would be phantom saves; below it, one per save, newest first.
  const entries = await services.policies.auditRange(memberId, pm.version + 5, 1);
  expect(
    entries.map((entry) => ({ version: entry.version, actor: entry.actor.id, changes: entryCodeChanges(entry) })),
    `${where}: audit log`,
  ).toEqual([...pm.audit].reverse());
  for (const entry of entries)
    expect(entry.changes.length, `${where}: audit entry ${entry.version}`).toBeGreaterThan(0);

  const installation = await services.installations.get(memberId);
  if (pm.record !== 'active') {
    // Uninstalled: the tokens are gone at once; "clear data" takes the record too.
    expect(installation?.state, `${where}: installation state`).toBe(pm.record === 'purged' ? undefined : 'deleted');
    expect(installation?.secrets, `${where}: tokens of an uninstalled portal`).toBeUndefined();
  } else {
    await expectInstalled(world, pm, where);
  }

  const admins = (await services.appAdmins.list(memberId)).map((admin) => admin.id).sort();
  expect(admins, `${where}: app admins`).toEqual([...pm.admins].sort());
  // What check-a-user is told of everyone the model knows something of.
  for (const id of new Set([...pm.admins, ...pm.notAdmins, ...[...pm.mirrored.keys()].map(String)])) {
    const status = pm.admins.has(id) ? 'admin' : pm.notAdmins.has(id) ? 'notAdmin' : 'unknown';
    expect(await services.appAdmins.status(memberId, id), `${where}: admin status of ${id}`).toBe(status);
  }

  const snapshot = await services.directory.snapshot(memberId);
  expect(snapshot.generation, `${where}: mirror generation`).toBeNull();
  const mirrored = [...snapshot.users.values()]
    .map((user) => ({ id: user.id, active: user.active, departments: user.departments }))
    .sort((a, b) => a.id - b.id);
  expect(mirrored, `${where}: mirrored users`).toEqual(
    [...pm.mirrored.values()]
      .map((user) => ({ id: user.id, active: user.active, departments: user.departments }))
      .sort((a, b) => a.id - b.id),
  );
}

/** An installation in use: its connection, application token and version, and standbys that are admins'. */
async function expectInstalled(world: FuzzWorld, pm: PortalModel, where: string): Promise<void> {
  const { services, bitrix } = world;
  const memberId = pm.portal.memberId;
  const installation = await services.installations.get(memberId);
  expect(installation?.state, `${where}: installation state`).toBe('active');
  expect(installation?.clientEndpoint, `${where}: endpoint`).toBe(`${pm.portal.origin}/rest/`);
  expect(installation?.appVersion, `${where}: app version`).toBe(pm.appVersion);
  const tokens = installation === undefined ? undefined : services.vault.open(installation);
  expect(tokens?.accessToken, `${where}: connection in use`).toBe(pm.connection.accessToken);
  expect(tokens?.userId, `${where}: connection's user`).toBe(String(pm.connection.userId));
  expect(tokens?.applicationToken, `${where}: application token`).toBe(pm.applicationToken);
  // A standby connection is always a verified admin's of this portal, issued to Keycard.
  for (const standby of tokens?.standby ?? []) {
    const issued = bitrix.token(standby.accessToken);
    expect(issued?.memberId, `${where}: standby's portal`).toBe(memberId);
    expect(issued?.clientId, `${where}: standby's app`).toBe(CLIENT_ID);
    expect(companyUser(issued?.userId ?? 0).admin, `${where}: standby's owner is an admin`).toBe(true);
    expect(standby.userId, `${where}: standby's user`).toBe(String(issued?.userId));
  }
}

/** Records a save the model expects to have been stored. */
export function recordSave(pm: PortalModel, saved: { content: PolicyContent; etag: string; actor: number }): void {
  pm.staleEtags.push(pm.etag);
  pm.version += 1;
  pm.audit.push({ version: pm.version, actor: String(saved.actor), changes: codeChanges(pm.policy, saved.content) });
  pm.policy = saved.content;
  pm.etag = saved.etag;
}

/**
 * A verified admin's installer on a portal without an installation in use (a fresh install, a reinstall after an
 * uninstall with or without "clear data"): a portal whose policy nobody saved over (version 0: a stored fresh
 * default, or none at all after "clear data") gets the fresh default stored anew, under a new ETag; saved settings
 * (version above 0, kept by an uninstall without "clear data") stay as they are (server `installDefaults`). Returns
 * whether it stored the policy.
 */
export async function installDefaults(world: FuzzWorld, pm: PortalModel, label: string): Promise<boolean> {
  if (pm.version > 0) return false;
  // The one thing the model cannot know ahead: the new ETag's spelling (it only has to differ from every earlier one).
  const { etag } = await world.services.policies.get(pm.portal.memberId, 'en');
  expect([pm.etag, ...pm.staleEtags], `${label} [${pm.key}]: the fresh default's new ETag`).not.toContain(etag);
  pm.staleEtags.push(pm.etag);
  pm.policy = freshPolicy();
  pm.etag = etag;
  return true;
}
