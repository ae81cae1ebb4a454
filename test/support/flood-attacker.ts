/**
 * The attacker's side of the flood scenario (floods.ts), in its own process so its work does not share an event
 * loop with the server it floods: sends every request at once, reports `fired`, then the statuses once all
 * were answered. Input: JSON in KEYCARD_FLOOD_INPUT.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';

const inputSchema = z.object({
  frameUrl: z.string(),
  frameBody: z.record(z.string(), z.string()),
  eventsUrl: z.string(),
  memberId: z.string(),
  domain: z.string(),
  applicationToken: z.string(),
  forged: z.number().int().min(0),
  events: z.number().int().min(0),
  attacker: z.string(),
  insider: z.string(),
});
const input = inputSchema.parse(JSON.parse(process.env['KEYCARD_FLOOD_INPUT'] ?? '{}'));

let missingRetryAfter = 0;
const statusOf = (res: Response): number => {
  if (res.status === 429 && res.headers.get('retry-after') === null) missingRetryAfter++;
  void res.arrayBuffer();
  return res.status;
};
const failed = (): number => 0;
const started = performance.now();

const forged = Array.from({ length: input.forged }, () =>
  fetch(input.frameUrl, {
    method: 'POST',
    headers: { 'x-forwarded-for': input.attacker },
    body: new URLSearchParams({ ...input.frameBody, AUTH_ID: randomBytes(16).toString('hex') }),
  }).then(statusOf, failed),
);
const events = Array.from({ length: input.events }, (_, i) =>
  fetch(input.eventsUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': input.insider },
    body: JSON.stringify({
      event: 'ONUSERADD',
      data: { ID: 900_000 + i },
      ts: String(Math.floor(Date.now() / 1000)),
      auth: { member_id: input.memberId, domain: input.domain, application_token: input.applicationToken },
    }),
  }).then(statusOf, failed),
);
process.send?.({ kind: 'fired' });
const [forgedStatuses, eventStatuses] = await Promise.all([Promise.all(forged), Promise.all(events)]);
const elapsedMs = performance.now() - started;
process.send?.({ kind: 'done', forgedStatuses, eventStatuses, missingRetryAfter, elapsedMs }, () => process.exit(0));
