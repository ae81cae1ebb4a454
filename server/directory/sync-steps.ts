import { kindOf } from '../bitrix/bitrix-error.js';
import { BATCH_MAX, BatchCommandError, type QueryValue } from './batch.js';
import type { SyncBuild, SyncPhase } from './directory-repository.js';
import { CursorIgnoredError, fetchCursorBatch, fetchItemBatch, fetchOffsetBatch, type SendBatch, type TimeSink } from './paging.js';
import { encodeDepartment, encodeGroup, encodeMembers, encodeUser, type DepartmentTuple, type GroupTuple, type MembersTuple, type UserTuple } from './records.js';
import { applyUserRow, parseDepartmentRow, parseGroupRow, parseMemberRow, parseUserRow, USER_FIELDS } from './rest-rows.js';
import type { Stepper, SyncRunDeps } from './sync-stepper.js';

/*
 * One request of each phase: fetch, cut the rows down to the stored form, write them as one chunk, move
 * the cursor, write the checkpoint, then deal with a command that failed before the end of the data.
 */

/** Parameters of one `user.get` page in the cursor chain. */
export function userCursorParams(afterId: number | string): Record<string, QueryValue> {
  return {
    // Both as strings: an `order` object alone keeps the default order (and `SORT` alone is not a sort).
    sort: 'ID',
    order: 'ASC',
    // No counting of `total` (slow on big portals); the chain stops at a short page instead.
    start: -1,
    // Extranet users are visible to the app's admin token only with ADMIN_MODE.
    ADMIN_MODE: true,
    // A FILTER object replaces top-level filter keys, so the whole filter lives in it.
    FILTER: { '>ID': afterId },
  };
}

function startPhase(build: SyncBuild, phase: SyncPhase): void {
  build.phase = phase;
  build.cursor = { ...build.cursor, start: 0, total: null, afterId: 0 };
}

async function storedIds<T extends { 0: number }>(count: number, read: (index: number) => Promise<T[]>): Promise<number[]> {
  const ids: number[] = [];
  for (let index = 0; index < count; index++) for (const row of await read(index)) ids.push(row[0]);
  return ids;
}

export async function departmentsStep(deps: SyncRunDeps, build: SyncBuild, send: SendBatch, onTime: TimeSink, step: Stepper): Promise<void> {
  const method = 'department.get';
  const seen = await step.idsOf('departments', () => storedIds(build.chunks.d, (index) => deps.store.departmentChunk(deps.memberId, build.generation, index)));
  const page = await step.attempt(() =>
    fetchOffsetBatch({
      send,
      method,
      // `department.get` has no `>ID` filter (no cursor), so it pages by offset, sorted by ID so that new
      // departments land at the end. The offset goes in lowercase `start`: CRestServer::processCall takes
      // it out of the query and passes it to CIntranetRestService::departmentGet as its navigation
      // argument; the `START` listed on the method page is not read there (the emulator accepts both).
      // @see https://apidocs.bitrix24.com/api-reference/departments/department-get.html
      params: (start) => ({ sort: 'ID', order: 'ASC', start }),
      start: build.cursor.start,
      total: build.cursor.total,
      seen,
      onTime,
    }),
  );
  if (page === undefined) return;
  const rows: DepartmentTuple[] = [];
  for (const raw of page.rows) {
    const department = parseDepartmentRow(raw);
    if (department !== undefined) rows.push(encodeDepartment(department));
  }
  build.counts.departments += rows.length;
  build.cursor = { ...build.cursor, start: page.nextStart, total: page.total };
  if (page.done) startPhase(build, 'users');
  await step.commit({ kind: 'd', rows });
  if (page.error !== undefined) await step.commandFailed(method, page.error);
  else step.succeeded();
}

function userTuples(rows: unknown[], build: SyncBuild, deps: SyncRunDeps): UserTuple[] {
  const tuples: UserTuple[] = [];
  let skipped = 0;
  for (const raw of rows) {
    const row = parseUserRow(raw);
    if (row === undefined) skipped++;
    else tuples.push(encodeUser(applyUserRow(row, undefined, build.emailAllowed)));
  }
  if (skipped > 0) deps.logger.warn({ memberId: deps.memberId, skipped }, 'user rows without a usable ID skipped');
  return tuples;
}

export async function usersCursorStep(deps: SyncRunDeps, build: SyncBuild, send: SendBatch, onTime: TimeSink, step: Stepper): Promise<void> {
  const method = 'user.get';
  let page;
  try {
    page = await step.attempt(() => fetchCursorBatch({ send, method, params: userCursorParams, afterId: build.cursor.afterId, fields: USER_FIELDS, onTime }));
  } catch (error: unknown) {
    if (!(error instanceof CursorIgnoredError)) throw error;
    // The portal ignored `>ID`: page by offset from the start, skipping users already stored.
    deps.logger.warn({ memberId: deps.memberId }, 'user.get ignored the ID cursor; paging by offset');
    build.cursor = { ...build.cursor, userPaging: 'offset', start: 0, total: null };
    await step.commit();
    return;
  }
  if (page === undefined) return;
  const rows = userTuples(page.rows, build, deps);
  build.counts.users += rows.length;
  build.cursor = { ...build.cursor, afterId: page.lastId };
  if (page.done) startPhase(build, 'workgroups');
  await step.commit({ kind: 'u', rows });
  if (page.error !== undefined) await step.commandFailed(method, page.error);
  else step.succeeded();
}

export async function usersOffsetStep(deps: SyncRunDeps, build: SyncBuild, send: SendBatch, onTime: TimeSink, step: Stepper): Promise<void> {
  const method = 'user.get';
  const seen = await step.idsOf('users', () => storedIds(build.chunks.u, (index) => deps.store.userChunk(deps.memberId, build.generation, index)));
  const page = await step.attempt(() =>
    fetchOffsetBatch({
      send,
      method,
      params: (start) => ({ sort: 'ID', order: 'ASC', ADMIN_MODE: true, start }),
      start: build.cursor.start,
      total: build.cursor.total,
      seen,
      fields: USER_FIELDS,
      onTime,
    }),
  );
  if (page === undefined) return;
  const rows = userTuples(page.rows, build, deps);
  build.counts.users += rows.length;
  build.cursor = { ...build.cursor, start: page.nextStart, total: page.total };
  if (page.done) startPhase(build, 'workgroups');
  await step.commit({ kind: 'u', rows });
  if (page.error !== undefined) await step.commandFailed(method, page.error);
  else step.succeeded();
}

/** The portal refused the workgroup methods although the stored scopes list them (scopes changed since). */
function workgroupsRefused(build: SyncBuild, error: unknown): boolean {
  if (kindOf(error) !== 'no_scope') return false;
  build.workgroups = { available: false, missingScope: 'sonet_group' };
  build.counts.workgroups = 0;
  return true;
}

export async function groupsStep(deps: SyncRunDeps, build: SyncBuild, send: SendBatch, onTime: TimeSink, step: Stepper): Promise<void> {
  const method = 'sonet_group.get';
  const seen = await step.idsOf('workgroups', () => storedIds(build.chunks.g, (index) => deps.store.groupChunk(deps.memberId, build.generation, index)));
  let page;
  try {
    page = await step.attempt(() =>
      fetchOffsetBatch({
        send,
        method,
        // Default order is ID DESC; IS_ADMIN=Y lets the admin token see every group, not only visible ones.
        params: (start) => ({ ORDER: { ID: 'ASC' }, IS_ADMIN: 'Y', start }),
        start: build.cursor.start,
        total: build.cursor.total,
        seen,
        onTime,
      }),
    );
  } catch (error: unknown) {
    if (workgroupsRefused(build, error)) {
      await step.commit();
      return;
    }
    throw error;
  }
  if (page === undefined) return;
  if (page.error !== undefined && workgroupsRefused(build, page.error)) {
    await step.commit();
    return;
  }
  const rows: GroupTuple[] = [];
  for (const raw of page.rows) {
    const group = parseGroupRow(raw);
    if (group !== undefined) rows.push(encodeGroup(group));
  }
  build.counts.workgroups += rows.length;
  build.cursor = { ...build.cursor, start: page.nextStart, total: page.total };
  if (page.done) startPhase(build, 'workgroup-members');
  await step.commit({ kind: 'g', rows });
  if (page.error !== undefined) await step.commandFailed(method, page.error);
  else step.succeeded();
}

/** Members of the next 50 groups; true when every group is done. */
export async function membersStep(deps: SyncRunDeps, build: SyncBuild, send: SendBatch, onTime: TimeSink, step: Stepper): Promise<boolean> {
  const method = 'sonet_group.user.get';
  const groupIds = await step.idsOf('workgroup-members', () => storedIds(build.chunks.g, (index) => deps.store.groupChunk(deps.memberId, build.generation, index)));
  const all = [...groupIds];
  const items = all.slice(build.cursor.start, build.cursor.start + BATCH_MAX);
  if (items.length === 0) return true;
  const batch = await step.attempt(() => fetchItemBatch({ send, method, items, params: (id) => ({ ID: id }), onTime }));
  if (batch === undefined) return false;
  const rows: MembersTuple[] = [];
  let blocked: BatchCommandError | undefined;
  let processed = 0;
  for (const result of batch.results) {
    if ('error' in result) {
      if (workgroupsRefused(build, result.error)) {
        await step.commit();
        return true;
      }
      if (result.error.kind === 'operation_limit') {
        blocked = result.error;
        break;
      }
      // A group deleted or hidden since it was listed: it keeps no members.
      deps.logger.info({ memberId: deps.memberId, groupId: result.item, code: result.error.bitrixCode }, 'workgroup members unavailable');
      processed++;
      continue;
    }
    processed++;
    const owners: number[] = [];
    const moderators: number[] = [];
    const members: number[] = [];
    for (const raw of result.rows) {
      const member = parseMemberRow(raw);
      if (member === undefined) continue;
      (member.role === 'A' ? owners : member.role === 'E' ? moderators : members).push(member.userId);
    }
    rows.push(encodeMembers({ groupId: result.item, owners, moderators, members }));
  }
  build.cursor = { ...build.cursor, start: build.cursor.start + processed };
  const finished = blocked === undefined && build.cursor.start >= all.length;
  await step.commit({ kind: 'm', rows });
  if (blocked !== undefined) await step.commandFailed(method, blocked);
  else step.succeeded();
  return finished;
}
