/**
 * The contenders of the sync benchmark, run one per child process (so each one's peak RSS is its own):
 *   page-by-page: `user.get` / `department.get` a page of 50 at a time with `start` offsets (the naive way);
 *   sdk-fetchList: b24jssdk's own `actions.v2.fetchList` for users (ID cursor), pages for departments;
 *   keycard: our DirectoryService full sync (batch of 50 chained commands).
 * Every contender talks to the same emulator over HTTP; time runs `speed` times faster for the emulator's
 * rate limiter and for every contender's own limiter alike.
 */
import { B24OAuth } from '@bitrix24/b24jssdk';
import { z } from 'zod';

export const contenderNames = ['page-by-page', 'sdk-fetchList', 'keycard'] as const;
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
