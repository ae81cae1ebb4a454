import { z } from 'zod';

/** Tokens and ids Bitrix24 hands out: printable, no spaces, bounded. */
const token = z.string().regex(/^[\w.~+/=-]{1,512}$/, { error: 'malformed token' });
const memberId = z.string().regex(/^[\w.-]{1,128}$/, { error: 'malformed member_id' });
const host = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^[a-z0-9.-]+(:\d{1,5})?$/, { error: 'malformed DOMAIN' });

/**
 * Query string of the installer and app frame POSTs.
 * @see https://apidocs.bitrix24.com/settings/oauth/simple-way.html
 */
export const frameQuerySchema = z.object({
  DOMAIN: host,
  PROTOCOL: z.enum(['0', '1']).default('1'),
  LANG: z.string().max(10).optional(),
  APP_SID: z.string().max(128).optional(),
});

/** The largest PLACEMENT_OPTIONS Keycard reads: the documented shapes are a few ids and a page address. */
export const MAX_PLACEMENT_OPTIONS = 4096;

/**
 * `PLACEMENT_OPTIONS`: a JSON object posted as a form field, as `Bitrix\Main\Web\Json::encode` writes it — hex
 * escapes (`\u003C`, `\/`) that JSON.parse decodes, ids as strings. Omitted when there are no options (rest module
 * app.layout template), so absent or empty is `{}`. For the app page Bitrix24 writes the portal page's GET
 * parameters here, which a link may nest (`?a[b]=1`): only plain values are kept (numbers and booleans as strings),
 * anything else is dropped, and a list is no options — an odd link never blocks opening the app. Invalid JSON or
 * more than 4 KB is refused: that is not what Bitrix24 sends.
 * @see https://apidocs.bitrix24.com/api-reference/widgets/_includes/widget_data.html
 */
export const placementOptionsSchema = z
  .string()
  .max(MAX_PLACEMENT_OPTIONS, { error: 'PLACEMENT_OPTIONS too large' })
  .transform((raw, ctx): Record<string, string> => {
    if (raw.trim() === '') return {};
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'PLACEMENT_OPTIONS is not JSON' });
      return z.NEVER;
    }
    const options: Record<string, string> = {};
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return options;
    for (const [key, value] of Object.entries(parsed)) {
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')
        options[key] = String(value);
    }
    return options;
  });

/** Body of the installer and app frame POSTs (unsigned: nothing here is trusted before verification). */
export const frameBodySchema = z.object({
  AUTH_ID: token,
  AUTH_EXPIRES: z.coerce.number().int().positive().max(86_400).default(3600),
  REFRESH_ID: token.optional(),
  member_id: memberId,
  APPLICATION_TOKEN: token.optional(),
  /**
   * The OAuth server that issued AUTH_ID (`https://oauth.bitrix.info/rest/`); posted since 2026-08 per the
   * docs, absent in older portals' module template — both shapes accepted.
   * @see https://apidocs.bitrix24.com/settings/oauth/simple-way.html
   */
  SERVER_ENDPOINT: z.string().max(300).optional(),
  /** Where the app was opened: `DEFAULT` (the app page) when absent. */
  PLACEMENT: z
    .string()
    .regex(/^[A-Z][A-Z0-9_]{0,63}$/, { error: 'malformed PLACEMENT' })
    .default('DEFAULT'),
  PLACEMENT_OPTIONS: placementOptionsSchema.default({}),
});
export type FrameQuery = z.infer<typeof frameQuerySchema>;
export type FrameBody = z.infer<typeof frameBodySchema>;

/** Comma- or space-separated scope list → array (both separators are seen in the wild). */
export const scopeList = z
  .string()
  .max(2000)
  .transform((value) => value.split(/[\s,]+/).filter((scope) => scope !== ''));

/**
 * `auth[...]` block of an event. ONAPPUNINSTALL carries no tokens; ONAPPINSTALL/ONAPPUPDATE do.
 * @see https://apidocs.bitrix24.com/api-reference/common/events/on-app-install.html
 */
export const eventAuthSchema = z.object({
  domain: host.optional(),
  member_id: memberId,
  application_token: token,
  access_token: token.optional(),
  refresh_token: token.optional(),
  expires_in: z.coerce.number().int().positive().max(86_400).optional(),
  client_endpoint: z.string().max(300).optional(),
  /** The OAuth server of the event's tokens (`https://oauth.bitrix.info/rest/`). */
  server_endpoint: z.string().max(300).optional(),
  scope: scopeList.optional(),
  user_id: z.coerce.string().max(20).optional(),
});

export const eventSchema = z.object({
  event: z
    .string()
    .max(64)
    .transform((name) => name.toUpperCase()),
  // `data` differs between sources (ACTIVE "Y" vs "1", CLEAN 1 vs "1"); read only what we need, loosely.
  data: z.record(z.string(), z.unknown()).optional(),
  ts: z.coerce.string().max(20).optional(),
  auth: eventAuthSchema,
});
export type BitrixEvent = z.infer<typeof eventSchema>;

/** `profile`: `ADMIN` is read strictly — anything but `true` is not an admin, a missing flag is unknown. */
export const profileSchema = z.object({
  ID: z.coerce.string(),
  ADMIN: z.boolean().optional(),
  NAME: z.string().nullish(),
  LAST_NAME: z.string().nullish(),
});
export type Profile = z.infer<typeof profileSchema>;

/**
 * `app.info` asked of the OAuth server with a token. Field list from the Python SDK model, not official docs,
 * so both the nested (`install: {…}`) and a flat shape are accepted; `client_id` and a member id are required.
 */
export const oauthAppInfoSchema = z
  .object({
    result: z.looseObject({
      client_id: z.string().optional(),
      scope: scopeList.optional(),
      user_id: z.coerce.string().optional(),
      member_id: z.string().optional(),
      domain: z.string().optional(),
      client_endpoint: z.string().optional(),
      status: z.string().optional(),
      install: z
        .looseObject({
          member_id: z.string().optional(),
          domain: z.string().optional(),
          client_endpoint: z.string().optional(),
          status: z.string().optional(),
          scope: scopeList.optional(),
          installed: z.union([z.boolean(), z.string(), z.number()]).optional(),
        })
        .optional(),
    }),
  })
  .transform(({ result }) => ({
    clientId: result.client_id,
    memberId: result.install?.member_id ?? result.member_id,
    domain: result.install?.domain ?? result.domain,
    clientEndpoint: result.install?.client_endpoint ?? result.client_endpoint,
    status: result.install?.status ?? result.status,
    scopes: result.install?.scope ?? result.scope ?? [],
    /** `install.installed`; undefined when the server did not say. */
    installed: flag(result.install?.installed),
    userId: result.user_id,
  }));
export type OAuthAppInfo = z.infer<typeof oauthAppInfoSchema>;

/** A yes/no Bitrix24 writes as a boolean, `Y`/`N` or `1`/`0`. */
function flag(value: boolean | string | number | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'boolean') return value;
  return ['y', '1', 'true'].includes(String(value).toLowerCase());
}

/** Token endpoint answer. `expires` is absent from some examples, so it is derived from `expires_in` then. */
export const tokenResponseSchema = z.object({
  access_token: token,
  refresh_token: token,
  expires: z.coerce.number().int().positive().optional(),
  expires_in: z.coerce.number().int().positive().default(3600),
  client_endpoint: z.string().optional(),
  server_endpoint: z.string().optional(),
  member_id: z.string().optional(),
  scope: scopeList.optional(),
  status: z.string().optional(),
});

export const oauthErrorSchema = z.object({ error: z.string().max(100), error_description: z.string().optional() });

/** `event.get` → bound handlers. */
export const eventBindingsSchema = z.array(z.looseObject({ event: z.string(), handler: z.string() }));

/** `placement.get` → bound placements. */
export const placementBindingsSchema = z.array(z.looseObject({ placement: z.string(), handler: z.string() }));

/** `scope` → scopes granted to the app on this portal. */
export const grantedScopesSchema = z.array(z.string());
