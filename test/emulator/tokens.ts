import type { Clock } from './clock.js';
import { randomToken } from './random.js';

/** What an access token stands for. */
export interface AccessGrant {
  userId: number;
  /** Milliseconds since the epoch. */
  expiresAt: number;
  /** Milliseconds since the epoch. */
  issuedAt: number;
  /** The portal's token epoch when issued: an uninstall starts a new one (see `Installation.tokenEpoch`). */
  epoch: number;
}

/** A freshly issued token pair. */
export interface IssuedTokens {
  accessToken: string;
  refreshToken: string;
  userId: number;
  /** Milliseconds since the epoch. */
  expiresAt: number;
  /** Seconds. */
  expiresIn: number;
}

export type CodeExchange = { ok: true; userId: number; epoch: number } | { ok: false; reason: 'unknown' | 'expired' };

/** Refresh tokens live 180 days. @see https://apidocs.bitrix24.com/settings/oauth/auto-renewal.html */
const REFRESH_LIFETIME_MS = 180 * 86_400_000;
/** Authorization codes live 30 seconds. @see https://apidocs.bitrix24.com/settings/oauth/index.html */
export const AUTH_CODE_LIFETIME_MS = 30_000;

/**
 * Issued tokens and codes of one app on one portal. A refresh token works once (rotation); access tokens
 * stay valid until they expire, even after a refresh. Each grant remembers the portal's token epoch, so the tokens
 * of a removed installation can be told from unknown ones.
 */
export class TokenStore {
  readonly #clock: Clock;
  readonly #lifetimeSeconds: number;
  readonly #access = new Map<string, AccessGrant>();
  readonly #refresh = new Map<string, AccessGrant>();
  readonly #codes = new Map<string, AccessGrant>();

  constructor(clock: Clock, lifetimeSeconds: number) {
    this.#clock = clock;
    this.#lifetimeSeconds = lifetimeSeconds;
  }

  get lifetimeSeconds(): number {
    return this.#lifetimeSeconds;
  }

  issue(userId: number, epoch = 0): IssuedTokens {
    const now = this.#clock.now();
    const tokens: IssuedTokens = {
      accessToken: randomToken(),
      refreshToken: randomToken(),
      userId,
      expiresAt: now + this.#lifetimeSeconds * 1000,
      expiresIn: this.#lifetimeSeconds,
    };
    this.#access.set(tokens.accessToken, { userId, expiresAt: tokens.expiresAt, issuedAt: now, epoch });
    this.#refresh.set(tokens.refreshToken, { userId, expiresAt: now + REFRESH_LIFETIME_MS, issuedAt: now, epoch });
    return tokens;
  }

  access(token: string): AccessGrant | undefined {
    return this.#access.get(token);
  }

  isExpired(grant: AccessGrant): boolean {
    return this.#clock.now() >= grant.expiresAt;
  }

  /** The grant behind a refresh token (not consumed). */
  refreshGrant(refreshToken: string): AccessGrant | undefined {
    return this.#refresh.get(refreshToken);
  }

  /** Exchanges a refresh token for a new pair; the old refresh token is dead afterwards. */
  refresh(refreshToken: string): IssuedTokens | undefined {
    const grant = this.#refresh.get(refreshToken);
    if (grant === undefined) return undefined;
    this.#refresh.delete(refreshToken);
    if (this.#clock.now() >= grant.expiresAt) return undefined;
    return this.issue(grant.userId, grant.epoch);
  }

  createCode(userId: number, epoch = 0): string {
    const code = randomToken();
    const now = this.#clock.now();
    this.#codes.set(code, { userId, expiresAt: now + AUTH_CODE_LIFETIME_MS, issuedAt: now, epoch });
    return code;
  }

  /** Codes work once. */
  exchangeCode(code: string): CodeExchange {
    const grant = this.#codes.get(code);
    if (grant === undefined) return { ok: false, reason: 'unknown' };
    this.#codes.delete(code);
    if (this.#clock.now() >= grant.expiresAt) return { ok: false, reason: 'expired' };
    return { ok: true, userId: grant.userId, epoch: grant.epoch };
  }

  /** Makes every issued access token expire now (tests of the refresh path without moving the clock). */
  expireAll(): void {
    const now = this.#clock.now();
    for (const grant of this.#access.values()) grant.expiresAt = Math.min(grant.expiresAt, now);
  }

  revokeAll(): void {
    this.#access.clear();
    this.#refresh.clear();
    this.#codes.clear();
  }

  /** Forgets every token and code issued before `epoch` (a reinstall: the removed installation's tokens are gone). */
  forgetBefore(epoch: number): void {
    for (const map of [this.#access, this.#refresh, this.#codes]) {
      for (const [token, grant] of map) if (grant.epoch < epoch) map.delete(token);
    }
  }

  /** Forgets every authorization code (an uninstall). */
  forgetCodes(): void {
    this.#codes.clear();
  }

  get size(): { access: number; refresh: number } {
    return { access: this.#access.size, refresh: this.#refresh.size };
  }
}
