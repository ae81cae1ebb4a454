/**
 * Before anything is measured, the first user of every portal opens the app (`POST /app`) on instance A
 * and the second on instance B, and the session each page carries calls `GET /api/me` on the other
 * instance. Each must answer 200 with the expected user and portal, and the user must be let in; those
 * sessions are the ones the `/api/me` load uses. Also builds the two routes' request rotations,
 * interleaved so that consecutive requests go to different portals.
 */
import { z } from 'zod';
import type { LoadRequest } from './load-drive.js';
import type { FrameOpen, LoadPortal } from './load-protocol.js';

/** The bootstrap JSON the app page embeds (server/http/pages/app-shell.ts). */
const bootstrapSchema = z.object({ session: z.string(), user: z.object({ id: z.string() }) });
const meSchema = z.object({
  user: z.object({ id: z.string() }),
  portal: z.object({ memberId: z.string() }),
  access: z.object({ open: z.boolean() }),
});
const CHECK_CONCURRENCY = 32;

/** One user of one portal and their frame open. */
interface Opener {
  portal: LoadPortal;
  open: FrameOpen;
}

/** Openers in rotation order: the first user of every portal, then the second of every portal, … */
function interleaved(portals: readonly LoadPortal[]): Opener[] {
  const most = Math.max(0, ...portals.map((portal) => portal.opens.length));
  const out: Opener[] = [];
  for (let user = 0; user < most; user += 1) {
    for (const portal of portals) {
      const open = portal.opens[user];
      if (open !== undefined) out.push({ portal, open });
    }
  }
  return out;
}

function frameRequest(open: FrameOpen): LoadRequest {
  return {
    path: `/app?${new URLSearchParams(open.query).toString()}`,
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(open.body).toString(),
  };
}

function meRequest(session: string): LoadRequest {
  return { path: '/api/me', headers: { authorization: `Bearer ${session}` } };
}

function excerpt(text: string): string {
  return text.replace(/\s+/g, ' ').slice(0, 300);
}

async function openOnce(base: string, opener: Opener): Promise<string> {
  const request = frameRequest(opener.open);
  const response = await fetch(`${base}${request.path}`, {
    method: 'POST',
    headers: request.headers,
    body: request.body ?? '',
  });
  const html = await response.text();
  if (response.status !== 200)
    throw new Error(
      `POST /app on ${base} (portal ${opener.portal.host}, user ${opener.open.userId}) answered ${response.status}: ${excerpt(html)}`,
    );
  const json = /<script id="keycard-bootstrap" type="application\/json">(.*?)<\/script>/s.exec(html)?.[1];
  if (json === undefined)
    throw new Error(`POST /app on ${base} answered 200 without the app bootstrap: ${excerpt(html)}`);
  const bootstrap = bootstrapSchema.parse(JSON.parse(json));
  if (bootstrap.user.id !== String(opener.open.userId))
    throw new Error(`POST /app identified user ${bootstrap.user.id}, expected ${opener.open.userId}`);
  return bootstrap.session;
}

async function meOnce(base: string, opener: Opener, session: string): Promise<void> {
  const response = await fetch(`${base}/api/me`, { headers: meRequest(session).headers });
  const text = await response.text();
  if (response.status !== 200) throw new Error(`GET /api/me on ${base} answered ${response.status}: ${excerpt(text)}`);
  const me = meSchema.parse(JSON.parse(text));
  if (me.user.id !== String(opener.open.userId) || me.portal.memberId !== opener.portal.memberId || !me.access.open) {
    throw new Error(`GET /api/me on ${base}: unexpected answer ${excerpt(text)}`);
  }
}

export interface CheckedRoutes {
  /** `POST /app` frame opens, one per opener of every portal. */
  app: LoadRequest[];
  /** `GET /api/me` with the sessions the checked frame opens returned. */
  me: LoadRequest[];
}

/** Opens one user of every portal on each instance and calls /api/me with the session on the next one. */
export async function checkRoutes(
  instances: readonly string[],
  portals: readonly LoadPortal[],
): Promise<CheckedRoutes> {
  const checked = interleaved(portals.map((portal) => ({ ...portal, opens: portal.opens.slice(0, instances.length) })));
  const sessions = new Array<string>(checked.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    for (let at = next++; at < checked.length; at = next++) {
      const opener = checked[at];
      // `checked` holds user 0 of every portal, then user 1 of every portal, …: user i opens on instance i.
      const on = Math.floor(at / portals.length);
      const opensOn = instances[on % instances.length];
      const readsOn = instances[(on + 1) % instances.length];
      if (opener === undefined || opensOn === undefined || readsOn === undefined) continue;
      const session = await openOnce(opensOn, opener);
      await meOnce(readsOn, opener, session);
      sessions[at] = session;
    }
  };
  await Promise.all(Array.from({ length: CHECK_CONCURRENCY }, worker));
  return {
    app: interleaved(portals).map((opener) => frameRequest(opener.open)),
    me: sessions.map(meRequest),
  };
}
