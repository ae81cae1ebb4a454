import { languages } from '../common/lang';
import * as d from './api/decode';

/**
 * The data the server renders into the page (`<script id="keycard-bootstrap" type="application/json">`,
 * in place of the `<!--keycard-bootstrap-->` comment of index.html) after it verified the frame POST.
 */
export const bootstrapSchema = d.object({
  /** `install` on POST /install (the installer, which must call installFinish), `app` on POST /app. */
  mode: d.oneOf(['install', 'app']),
  lang: d.oneOf(languages),
  /** Short-lived session token for `Authorization: Bearer` on /api/*. */
  session: d.string({ min: 1 }),
  user: d.object({
    id: d.string({ min: 1 }),
    name: d.string(),
    /** `null` when Bitrix24 could not tell; the UI treats it as "not an admin". */
    isAdmin: d.nullable(d.boolean()),
  }),
  portal: d.object({ domain: d.string({ min: 1 }) }),
  /** Installer only: the access settings a reinstall kept (the installer says so and offers a reset). */
  keptSettings: d.optional(
    d.object({
      allowList: d.number({ int: true, min: 0 }),
      roles: d.number({ int: true, min: 0 }),
      assignments: d.number({ int: true, min: 0 }),
      version: d.number({ int: true, min: 0 }),
    }),
  ),
  /** Opened in a feature's placement (a workgroup tab): only that placement's page is shown, no navigation. */
  placement: d.optional(
    d.object({ code: d.string({ min: 1 }), options: d.record(d.string()), feature: d.string({ min: 1 }) }),
  ),
  /** Opened from a link into the app (REST_APP_URI): the view to show first (`requests`) and its record. */
  entry: d.optional(d.object({ view: d.string({ min: 1 }), id: d.optional(d.string({ min: 1 })) })),
});

export type Bootstrap = d.Infer<typeof bootstrapSchema>;

export const BOOTSTRAP_ELEMENT_ID = 'keycard-bootstrap';

/** Why the page could not start; `detail` is English, for the error page and support. */
export type BootstrapProblem =
  | { reason: 'missing'; detail: string }
  | { reason: 'malformed'; detail: string }
  | { reason: 'invalid'; detail: string };

export type BootstrapResult = { ok: true; bootstrap: Bootstrap } | { ok: false; problem: BootstrapProblem };

/** Parses the JSON text of the bootstrap element; `null` means the element was not there. */
export function parseBootstrap(text: string | null | undefined): BootstrapResult {
  if (text === null || text === undefined || text.trim() === '') {
    return { ok: false, problem: { reason: 'missing', detail: `no #${BOOTSTRAP_ELEMENT_ID} data in the page` } };
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err: unknown) {
    const message = err instanceof Error ? err.message : String(err);
    return { ok: false, problem: { reason: 'malformed', detail: `bootstrap is not JSON (${message})` } };
  }
  const parsed = bootstrapSchema.safeParse(json);
  if (!parsed.success) {
    return { ok: false, problem: { reason: 'invalid', detail: `bootstrap fields invalid: ${parsed.error.message}` } };
  }
  return { ok: true, bootstrap: parsed.data };
}

/** Reads the bootstrap element the server put into the page. */
export function readBootstrap(doc: Document): BootstrapResult {
  const element = doc.getElementById(BOOTSTRAP_ELEMENT_ID);
  return parseBootstrap(element?.textContent ?? null);
}
