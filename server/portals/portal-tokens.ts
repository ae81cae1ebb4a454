import { z } from 'zod';

/**
 * One user's access to the portal through Keycard: an access token and the refresh token that renews it.
 * Bitrix24's tokens belong to a person — fired, that person's tokens answer `authorization_error`; no longer
 * an admin, `ADMIN_MODE` and `placement.*` stop working for them — so Keycard keeps more than one.
 */
const connectionSchema = z.object({
  /** The Bitrix24 user the tokens belong to (absent on records from before connections were tracked). */
  userId: z.string().optional(),
  accessToken: z.string(),
  refreshToken: z.string(),
  /** Unix seconds. */
  expiresAt: z.number(),
});
export type Connection = z.infer<typeof connectionSchema>;

/** What is sealed inside an installation record: the connection in use, the standby ones, the event secret. */
export const tokensSchema = connectionSchema.extend({
  /** Shared secret Bitrix24 sends with every event of this installation. */
  applicationToken: z.string().optional(),
  /** Fresh tokens of other admins who opened the app, newest first: used when the current connection is refused. */
  standby: z.array(connectionSchema).optional(),
});
export type PortalTokens = z.infer<typeof tokensSchema>;

/** Standby connections kept at most (each is one admin's token pair). */
export const MAX_STANDBY = 3;

/** The connection in use. */
export function currentConnection(tokens: PortalTokens): Connection {
  const { userId, accessToken, refreshToken, expiresAt } = tokens;
  return userId === undefined
    ? { accessToken, refreshToken, expiresAt }
    : { userId, accessToken, refreshToken, expiresAt };
}

/** `tokens` with `connection` in use; the one it replaces is dropped (it was refused, or is the same user's). */
export function withCurrent(tokens: PortalTokens, connection: Connection): PortalTokens {
  const standby = (tokens.standby ?? []).filter((other) => other.userId !== connection.userId);
  const { userId: _userId, ...rest } = tokens;
  return {
    ...rest,
    ...connection,
    ...(standby.length === 0 ? { standby: undefined } : { standby }),
  };
}

/**
 * `tokens` with `connection` kept as the newest standby (replacing that user's older one); the user of the
 * connection in use is never a standby of themself (their connection in use is as good).
 */
export function withStandby(tokens: PortalTokens, connection: Connection): PortalTokens {
  if (connection.userId !== undefined && connection.userId === tokens.userId) return tokens;
  const others = (tokens.standby ?? []).filter((other) => other.userId !== connection.userId);
  return { ...tokens, standby: [connection, ...others].slice(0, MAX_STANDBY) };
}

/** `tokens` with the first standby connection in use, or undefined when there is none. */
export function promoteStandby(tokens: PortalTokens): PortalTokens | undefined {
  const [next, ...rest] = tokens.standby ?? [];
  if (next === undefined) return undefined;
  return { ...withCurrent({ ...tokens, standby: rest }, next) };
}
