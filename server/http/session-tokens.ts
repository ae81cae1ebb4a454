import { createHash, createSecretKey, type KeyObject } from 'node:crypto';
import { SignJWT, jwtVerify, decodeProtectedHeader } from 'jose';
import { z } from 'zod';
import { languages, type Lang } from '../../common/lang.js';
import type { Clock } from '../clock.js';
import { BadRequestError, UnauthorizedError } from '../errors.js';
import { deriveKey } from '../store/cipher.js';

/** How long the UI may call the API after the frame was opened. */
export const SESSION_TTL_SECONDS = 30 * 60;

/** The audience of request tickets (sessions have `keycard-ui`). */
const TICKET_AUDIENCE = 'keycard-request';

/** Verified tokens remembered at most (a few hundred bytes each). */
const MAX_VERIFIED = 20_000;

const claimsSchema = z.object({
  sub: z.string(),
  exp: z.number(),
  mid: z.string(),
  adm: z.boolean().nullable(),
  lang: z.enum(languages),
  name: z.string(),
});

/** How long the no-access page's "Request access" form stays usable. */
export const TICKET_TTL_SECONDS = 30 * 60;

const ticketClaimsSchema = z.object({
  sub: z.string(),
  mid: z.string(),
  adm: z.boolean().nullable(),
  lang: z.enum(languages),
  name: z.string(),
  ftr: z.string().optional(),
});

/**
 * A refused opener, as POST /app verified them: carried by the no-access page's form so that
 * `POST /app/access-request` knows who asks without trusting the form. Signed like a session but for another
 * audience, so it never passes as an API session (and a session never passes as a ticket).
 */
export interface RequestTicket {
  memberId: string;
  userId: string;
  isAdmin: boolean | null;
  lang: Lang;
  name: string;
  /** The feature a placement needed and the person lacked. */
  feature?: string | undefined;
}

/** Who the UI acts for: a verified user of one portal. */
export interface Session {
  memberId: string;
  userId: string;
  isAdmin: boolean | null;
  lang: Lang;
  name: string;
}

/**
 * Short-lived, portal- and user-bound session tokens for the iframe UI (third-party cookies are blocked
 * in iframes). HS256 with a key derived from SECRET_KEY; `kid` names the key so SECRET_KEY can rotate.
 */
export class SessionTokens {
  /** Imported once: jose would otherwise re-import raw key bytes on every sign and verify. */
  readonly #keys: { id: string; key: KeyObject }[];
  readonly #issuer: string;
  readonly #clock: Clock;
  /**
   * Tokens already verified, until they expire: the UI sends the same token on every call for 30 minutes,
   * and an HMAC check through WebCrypto costs more than the rest of a request.
   */
  readonly #verified = new Map<string, { session: Session; expiresAt: number }>();

  constructor(options: { secretKeys: readonly string[]; issuer: string; clock: Clock }) {
    this.#keys = options.secretKeys.map((secret) => {
      const bytes = deriveKey(secret, 'keycard/session/v1');
      return { id: createHash('sha256').update(bytes).digest('hex').slice(0, 12), key: createSecretKey(bytes) };
    });
    this.#issuer = options.issuer;
    this.#clock = options.clock;
  }

  async issue(session: Session): Promise<string> {
    const [key] = this.#keys;
    if (key === undefined) throw new Error('no session key configured');
    const now = Math.floor(this.#clock.now() / 1000);
    return new SignJWT({ mid: session.memberId, adm: session.isAdmin, lang: session.lang, name: session.name })
      .setProtectedHeader({ alg: 'HS256', kid: key.id })
      .setSubject(session.userId)
      .setIssuer(this.#issuer)
      .setAudience('keycard-ui')
      .setIssuedAt(now)
      .setExpirationTime(now + SESSION_TTL_SECONDS)
      .sign(key.key);
  }

  /** Signs a request ticket for a refused opener (TICKET_TTL_SECONDS). */
  async issueTicket(ticket: RequestTicket): Promise<string> {
    const [key] = this.#keys;
    if (key === undefined) throw new Error('no session key configured');
    const now = Math.floor(this.#clock.now() / 1000);
    return new SignJWT({
      mid: ticket.memberId,
      adm: ticket.isAdmin,
      lang: ticket.lang,
      name: ticket.name,
      ...(ticket.feature === undefined ? {} : { ftr: ticket.feature }),
    })
      .setProtectedHeader({ alg: 'HS256', kid: key.id })
      .setSubject(ticket.userId)
      .setIssuer(this.#issuer)
      .setAudience(TICKET_AUDIENCE)
      .setIssuedAt(now)
      .setExpirationTime(now + TICKET_TTL_SECONDS)
      .sign(key.key);
  }

  /** A ticket's claims; a forged, expired or other-purpose token is a 400 `REQUEST_TICKET_INVALID`. */
  async verifyTicket(token: string): Promise<RequestTicket> {
    try {
      const { kid } = decodeProtectedHeader(token);
      const key = this.#keys.find((candidate) => candidate.id === kid);
      if (key === undefined) throw new Error('unknown ticket key');
      const { payload } = await jwtVerify(token, key.key, {
        algorithms: ['HS256'],
        issuer: this.#issuer,
        audience: TICKET_AUDIENCE,
        currentDate: new Date(this.#clock.now()),
      });
      const claims = ticketClaimsSchema.parse(payload);
      return {
        memberId: claims.mid,
        userId: claims.sub,
        isAdmin: claims.adm,
        lang: claims.lang,
        name: claims.name,
        ...(claims.ftr === undefined ? {} : { feature: claims.ftr }),
      };
    } catch (error: unknown) {
      throw new BadRequestError('REQUEST_TICKET_INVALID', 'This request form has expired. Reopen the app.', {
        cause: error,
      });
    }
  }

  /** Verifies signature, issuer, audience and expiry; any failure is a 401, with no detail for the caller. */
  async verify(token: string): Promise<Session> {
    const known = this.#verified.get(token);
    if (known !== undefined) {
      if (this.#clock.now() < known.expiresAt) return known.session;
      this.#verified.delete(token);
    }
    const session = await this.#verifyToken(token);
    if (this.#verified.size >= MAX_VERIFIED) this.#verified.delete(this.#verified.keys().next().value ?? '');
    this.#verified.set(token, session);
    return session.session;
  }

  async #verifyToken(token: string): Promise<{ session: Session; expiresAt: number }> {
    try {
      const { kid } = decodeProtectedHeader(token);
      const key = this.#keys.find((candidate) => candidate.id === kid);
      if (key === undefined) throw new Error('unknown session key');
      const { payload } = await jwtVerify(token, key.key, {
        algorithms: ['HS256'],
        issuer: this.#issuer,
        audience: 'keycard-ui',
        currentDate: new Date(this.#clock.now()),
      });
      const claims = claimsSchema.parse(payload);
      return {
        session: {
          memberId: claims.mid,
          userId: claims.sub,
          isAdmin: claims.adm,
          lang: claims.lang,
          name: claims.name,
        },
        expiresAt: claims.exp * 1000,
      };
    } catch (error: unknown) {
      throw new UnauthorizedError('SESSION_INVALID', 'Your session has expired or is not valid. Reopen the app.', {
        cause: error,
      });
    }
  }
}
