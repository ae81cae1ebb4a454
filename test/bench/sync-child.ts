/**
 * One contender of the sync benchmark in its own process: reads its input from KEYCARD_BENCH_INPUT,
 * syncs the emulated portal's users and departments, prints one JSON line with counts, time and peak RSS.
 */
import {
  contenderInputSchema,
  pageByPage,
  sdkBatchOffsets,
  sdkClient,
  sdkFetchList,
  type ContenderInput,
  type ContenderResult,
} from './sync-contenders.js';
import { keycardSync } from './sync-keycard.js';

async function sync(input: ContenderInput): Promise<{ users: number; departments: number }> {
  switch (input.contender) {
    case 'page-by-page': {
      const b24 = sdkClient(input);
      const users = await pageByPage(b24, 'user.get', { sort: 'ID', order: 'ASC', ADMIN_MODE: true }, 'start');
      return { users, departments: await pageByPage(b24, 'department.get', { sort: 'ID', order: 'ASC' }, 'start') };
    }
    case 'sdk-fetchList': {
      const b24 = sdkClient(input);
      const users = await sdkFetchList(b24, 'user.get', { ADMIN_MODE: true });
      // fetchList's `>ID` cursor does not work on department.get (Bitrix24 ignores it), so pages it is.
      return { users, departments: await pageByPage(b24, 'department.get', { sort: 'ID', order: 'ASC' }, 'start') };
    }
    case 'sdk-batch-offsets': {
      const [users = 0, departments = 0] = await sdkBatchOffsets(sdkClient(input), [
        { method: 'user.get', params: { sort: 'ID', order: 'ASC', ADMIN_MODE: true } },
        { method: 'department.get', params: { sort: 'ID', order: 'ASC' } },
      ]);
      return { users, departments };
    }
    case 'keycard':
      return keycardSync(input);
  }
}

const input = contenderInputSchema.parse(JSON.parse(process.env['KEYCARD_BENCH_INPUT'] ?? '{}'));
const started = performance.now();
const counts = await sync(input);
const result: ContenderResult = {
  ...counts,
  wallMs: performance.now() - started,
  peakRssMb: process.resourceUsage().maxRSS / 1024,
};
process.stdout.write(`${JSON.stringify(result)}\n`);
