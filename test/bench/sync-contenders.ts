/**
 * The contenders of the sync benchmark, run one per child process (so each one's peak RSS is its own):
 *   page-by-page: `user.get` / `department.get` a page of 50 at a time with `start` offsets (the naive way);
 *   sdk-fetchList: b24jssdk's own `actions.v2.fetchList` for users (ID cursor), pages for departments;
 *   sdk-batch-offsets: the best plan an SDK user could write without chained cursors: one batch reads the
 *     first page and the total of users and of departments, then b24jssdk's `actions.v2.batchByChunk` sends
 *     every remaining offset page of both lists, 50 pages a request;
 *   keycard: our DirectoryService full sync (batch of 50 chained commands).
 * Every contender talks to the same emulator over HTTP; time runs `speed` times faster for the emulator's
 * rate limiter and for every contender's own limiter alike.
 */
import { AjaxResult, B24OAuth } from '@bitrix24/b24jssdk';
import { z } from 'zod';

export const contenderNames = ['page-by-page', 'sdk-fetchList', 'sdk-batch-offsets', 'keycard'] as const;
export type ContenderName = (typeof contenderNames)[number];

/** What the parent hands a child (JSON in an environment variable). */
export const contenderInputSchema = z.object({
  contender: z.enum(contenderNames),
  portalUrl: z.string(),
  memberId: z.string(),
  accessToken: z.string(),
  refreshToken: z.string(),
  clientId: z.string(),
  clientSecret: z.string(),
  speed: z.number().positive(),
});
export type ContenderInput = z.infer<typeof contenderInputSchema>;

/** What a child reports back (one JSON line on stdout). */
export const contenderResultSchema = z.object({
  users: z.number(),
  departments: z.number(),
  wallMs: z.number(),
  peakRssMb: z.number(),
});
export type ContenderResult = z.infer<typeof contenderResultSchema>;

/** A b24jssdk client whose own leaky bucket drains `speed` times faster, matching the emulator's clock. */
export function sdkClient(input: ContenderInput): B24OAuth {
  const now = Math.floor(Date.now() / 1000);
  return new B24OAuth(
    {
      applicationToken: '',
      userId: 1,
      memberId: input.memberId,
      accessToken: input.accessToken,
      refreshToken: input.refreshToken,
      expires: now + 86_400,
      expiresIn: 86_400,
      scope: '',
      domain: new URL(input.portalUrl).host,
      clientEndpoint: `${input.portalUrl}/rest`,
      serverEndpoint: `${input.portalUrl}/oauth-server/rest/`,
      status: 'L',
    },
    { clientId: input.clientId, clientSecret: input.clientSecret },
    {
      restrictionParams: {
        rateLimit: { burstLimit: 50, drainRate: 2 * input.speed, adaptiveEnabled: false },
        maxRetries: 10,
      },
    },
  );
}

const rows = z.array(z.object({ ID: z.coerce.string() }).loose());

/** Pages through a list method with offsets (`startKey`) until Bitrix24 stops sending `next`, counting distinct IDs. */
export async function pageByPage(
  b24: B24OAuth,
  method: string,
  params: Record<string, unknown>,
  startKey: string,
): Promise<number> {
  const seen = new Set<string>();
  for (let start = 0; ; start += 50) {
    const response = await b24.actions.v2.call.make<unknown>({ method, params: { ...params, [startKey]: start } });
    if (!response.isSuccess) throw new Error(`${method}: ${response.getErrorMessages().join('; ')}`);
    for (const row of rows.parse(response.getData()?.result)) seen.add(row.ID);
    if (!response.isMore()) return seen.size;
  }
}

/** b24jssdk's fetchList (ID cursor, `start=-1`) over `method`, counting distinct IDs. */
export async function sdkFetchList(b24: B24OAuth, method: string, params: Record<string, unknown>): Promise<number> {
  const seen = new Set<string>();
  for await (const chunk of b24.actions.v2.fetchList.make<unknown>({ method, params, idKey: 'ID' })) {
    for (const row of rows.parse(chunk)) seen.add(row.ID);
  }
  return seen.size;
}

/** One list method to read whole, with its filter and order. */
export interface ListQuery {
  method: string;
  params: Record<string, unknown>;
}

const PAGE_SIZE = 50;

/**
 * Reads every list in full with offset pages in batches: one `batch` brings each list's first page and its
 * `total`, then `batchByChunk` sends all the other pages (every list's, mixed, so each request carries 50).
 * Returns the distinct IDs read per list.
 */
export async function sdkBatchOffsets(b24: B24OAuth, lists: readonly ListQuery[]): Promise<number[]> {
  const first = await b24.actions.v2.batch.make<unknown>({
    calls: lists.map(({ method, params }) => [method, { ...params, start: 0 }]),
    options: { isHaltOnError: true, returnAjaxResult: true },
  });
  const answers = first.getData();
  if (!first.isSuccess || !Array.isArray(answers))
    throw new Error(`first pages: ${first.getErrorMessages().join('; ')}`);
  const seen = lists.map(() => new Set<string>());
  const pages: [string, Record<string, unknown>][] = [];
  const listOfPage: number[] = [];
  lists.forEach(({ method, params }, at) => {
    const answer: unknown = answers[at];
    if (!(answer instanceof AjaxResult)) throw new Error(`${method}: no answer in the first batch`);
    for (const row of rows.parse(answer.getData()?.result)) seen[at]?.add(row.ID);
    for (let start = PAGE_SIZE; start < answer.getTotal(); start += PAGE_SIZE) {
      pages.push([method, { ...params, start }]);
      listOfPage.push(at);
    }
  });
  if (pages.length === 0) return seen.map((ids) => ids.size);
  const rest = await b24.actions.v2.batchByChunk.make<unknown>({ calls: pages, options: { isHaltOnError: true } });
  if (!rest.isSuccess) throw new Error(`offset pages: ${rest.getErrorMessages().join('; ')}`);
  (rest.getData() ?? []).forEach((page, k) => {
    for (const row of rows.parse(page)) seen[listOfPage[k] ?? -1]?.add(row.ID);
  });
  return seen.map((ids) => ids.size);
}
