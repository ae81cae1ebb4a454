import { z } from 'zod';
import type { Logger } from '../logger.js';
import { type Clock, unixSeconds } from '../clock.js';
import { BitrixError } from '../bitrix/bitrix-error.js';
import type { OAuthServer } from '../bitrix/oauth-server.js';
import { checkedEndpoint } from '../bitrix/portal-host.js';
import type { RefreshedAccess } from '../bitrix/sdk-client.js';
import type { Cipher } from '../store/cipher.js';
import { InProcessLocks, type Locks } from '../store/locks.js';
import type { InstallationRepository } from './installation-repository.js';
import type { Installation } from './installation-record.js';
import { isInstalled, NotInstalledError } from './installation-state.js';

const tokensSchema = z.object({
  accessToken: z.string(),
  refreshToken: z.string(),
  /** Unix seconds. */
  expiresAt: z.number(),
  /** Shared secret Bitrix24 sends with every event of this installation. */
  applicationToken: z.string().optional(),
});
export type PortalTokens = z.infer<typeof tokensSchema>;

/** A token this close to expiry is renewed instead of reused. */
const FRESH_FOR_SECONDS = 60;

/**
 * Keeps each portal's tokens encrypted inside its installation record and renews them on demand.
 * Renewal is single-flight per portal: concurrent callers in this process share one exchange, instances
 * sharing the locks take turns and the later ones find the renewed token; the exchange and the write of the
 * new tokens happen in the same step, so nobody can read a dead refresh token.
 */
export class TokenVault {
  readonly #installations: InstallationRepository;
  readonly #cipher: Cipher;
  readonly #oauth: OAuthServer;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #portalDomains: readonly string[];
  readonly #inflight = new Map<string, Promise<RefreshedAccess>>();
  readonly #locks: Locks;

  constructor(deps: {
    installations: InstallationRepository;
    cipher: Cipher;
    oauth: OAuthServer;
    clock: Clock;
    logger: Logger;
    portalDomains: readonly string[];
    locks?: Locks;
  }) {
    this.#locks = deps.locks ?? new InProcessLocks();
    this.#installations = deps.installations;
    this.#cipher = deps.cipher;
    this.#oauth = deps.oauth;
    this.#clock = deps.clock;
    this.#logger = deps.logger;
    this.#portalDomains = deps.portalDomains;
  }

  /** Decrypts a portal's tokens; undefined when it has none (never installed or uninstalled). */
  open(installation: Installation): PortalTokens | undefined {
    if (installation.secrets === undefined) return undefined;
    return tokensSchema.parse(JSON.parse(this.#cipher.open(installation.secrets, installation.memberId)));
  }

  /** Returns the record with `tokens` sealed into it (always under the newest key). */
  seal(installation: Installation, tokens: PortalTokens): Installation {
    return {
      ...installation,
      secrets: this.#cipher.seal(JSON.stringify(tokensSchema.parse(tokens)), installation.memberId),
    };
  }

  /** Returns the record with its tokens removed. */
  clear(installation: Installation): Installation {
    const { secrets: _removed, ...rest } = installation;
    return rest;
  }

  /**
   * Renews the access token of `memberId`. `staleAccessToken` is the token the caller found expired: if the
   * stored one already differs and is fresh, another caller renewed it and it is returned without a new exchange.
   */
  refresh(memberId: string, staleAccessToken: string): Promise<RefreshedAccess> {
    const running = this.#inflight.get(memberId);
    if (running !== undefined) return running;
    const renewal = this.#locks
      .withLock(memberId, 'token-refresh', () => this.#renew(memberId, staleAccessToken))
      .finally(() => this.#inflight.delete(memberId));
    this.#inflight.set(memberId, renewal);
    return renewal;
  }

  async #renew(memberId: string, staleAccessToken: string): Promise<RefreshedAccess> {
    const portal = await this.#installations.get(memberId);
    const tokens = portal === undefined ? undefined : this.open(portal);
    if (!isInstalled(portal) || tokens === undefined) throw new NotInstalledError();
    const now = unixSeconds(this.#clock);
    if (tokens.accessToken !== staleAccessToken && tokens.expiresAt - FRESH_FOR_SECONDS > now) {
      return { accessToken: tokens.accessToken, expiresAt: tokens.expiresAt, clientEndpoint: portal.clientEndpoint };
    }
    let issued;
    try {
      issued = await this.#oauth.refresh(tokens.refreshToken);
    } catch (error: unknown) {
      if (error instanceof BitrixError && error.is('invalid_grant')) {
        // The refresh token is dead (revoked, expired or already used): only a reinstall brings a new one.
        // Only if nobody replaced the tokens meanwhile (a reinstall brings new ones that are fine).
        await this.#installations.update(memberId, (latest) =>
          latest !== undefined && latest.secrets?.data === portal.secrets?.data
            ? { ...latest, state: 'needs_reinstall', updatedAt: this.#clock.now() }
            : undefined,
        );
        this.#logger.warn({ memberId, err: error }, 'refresh token rejected; portal needs a reinstall');
      }
      throw error;
    }
    const clientEndpoint = this.#endpointAfterRefresh(portal, issued.clientEndpoint);
    // Written onto the latest record: an application token stored meanwhile (ONAPPINSTALL) stays. Never onto
    // an installation uninstalled (or purged) meanwhile: that would bring its tokens back.
    await this.#installations.update(memberId, (latest) => {
      if (!isInstalled(latest)) return undefined;
      return this.seal(
        { ...latest, clientEndpoint, domain: new URL(clientEndpoint).host, updatedAt: this.#clock.now() },
        {
          ...(this.open(latest) ?? tokens),
          accessToken: issued.accessToken,
          refreshToken: issued.refreshToken,
          expiresAt: issued.expiresAt,
        },
      );
    });
    this.#logger.info({ memberId }, 'access token renewed');
    return { accessToken: issued.accessToken, expiresAt: issued.expiresAt, clientEndpoint };
  }

  /**
   * The OAuth server reports the portal's current endpoint; a renamed portal is followed only within PORTAL_DOMAINS.
   */
  #endpointAfterRefresh(portal: Installation, reported: string | undefined): string {
    if (reported === undefined) return portal.clientEndpoint;
    try {
      return checkedEndpoint(reported, this.#portalDomains);
    } catch {
      this.#logger.warn(
        { memberId: portal.memberId },
        'OAuth server reported a portal address outside PORTAL_DOMAINS; kept the old one',
      );
      return portal.clientEndpoint;
    }
  }
}
