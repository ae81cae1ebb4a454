import { sendBatch } from './batch.js';
import type { SyncBuild } from './directory-repository.js';
import type { SendBatch, TimeSink } from './paging.js';
import { Stepper, SyncAbortedError, type SyncRunDeps } from './sync-stepper.js';
import { departmentsStep, groupsStep, membersStep, usersCursorStep, usersOffsetStep } from './sync-steps.js';

export { SyncAbortedError, type SyncHooks, type SyncRunDeps } from './sync-stepper.js';

/**
 * Runs a build from its checkpoint to the end of its last phase: departments → users → workgroups →
 * workgroup members. Every request's rows become one chunk document of the build's generation, then the
 * checkpoint (phase, cursor, chunk counts, request count) is written, so memory holds one batch at a time
 * and a crash loses at most one request. `build` is updated in place; the caller flips it to current.
 *
 * `user.get` has no `select` in the rest module (the emulator, which imitates it, ignores one), so rows
 * come with every field the scope shows and are cut down to the stored fields right here.
 */
export async function runBuild(deps: SyncRunDeps, build: SyncBuild): Promise<{ requests: number }> {
  let requests = 0;
  const onTime: TimeSink = (method, time) => deps.budget?.noteTime(method, time);
  const send: SendBatch = async (cmd, fields) => {
    if (deps.signal.aborted) throw new SyncAbortedError();
    const client = await deps.client();
    let sent = 0;
    try {
      return await sendBatch(client, cmd, { onRequest: () => sent++, ...(fields === undefined ? {} : { fields }) });
    } finally {
      const used = Math.max(1, sent);
      requests += used;
      build.requests += used;
    }
  };
  const step = new Stepper(deps, build);

  while (true) {
    if (deps.signal.aborted) throw new SyncAbortedError();
    switch (build.phase) {
      case 'departments':
        await departmentsStep(deps, build, send, onTime, step);
        break;
      case 'users':
        await (build.cursor.userPaging === 'cursor' ? usersCursorStep(deps, build, send, onTime, step) : usersOffsetStep(deps, build, send, onTime, step));
        break;
      case 'workgroups':
        if (!build.workgroups.available) return { requests };
        await groupsStep(deps, build, send, onTime, step);
        break;
      case 'workgroup-members':
        if (!build.workgroups.available) return { requests };
        if (await membersStep(deps, build, send, onTime, step)) return { requests };
        break;
    }
  }
}

