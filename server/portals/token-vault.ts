import type { Logger } from '../logger.js';
import { type Clock, unixSeconds } from '../clock.js';
import { BitrixError } from '../bitrix/bitrix-error.js';
import type { OAuthServers } from '../bitrix/oauth-servers.js';
import { checkedEndpoint, type HostPolicy } from '../bitrix/portal-host.js';
import type { RefreshedAccess } from '../bitrix/sdk-client.js';
import { InProcessLocks, type Locks } from '../store/locks.js';
import type { InstallationRepository } from './installation-repository.js';
import type { SealedTokens } from './sealed-tokens.js';
import type { Installation } from './installation-record.js';
import { isInstalled, NotInstalledError } from './installation-state.js';
import { promoteStandby, withCurrent, withStandby, type Connection, type PortalTokens } from './portal-tokens.js';

export type { PortalTokens } from './portal-tokens.js';

/** A token this close to expiry is renewed instead of reused. */
const FRESH_FOR_SECONDS = 60;
/** Waits between attempts to store a renewed pair whose write failed; the last one repeats until it is stored. */
const STORE_RETRY_MS = [100, 400, 2_000, 10_000, 30_000];

/** A renewed pair not stored yet, and the refresh token its renewal spent (what the store still holds). */
interface UnsavedRenewal {
  spent: string;
  tokens: PortalTokens;
  clientEndpoint: string;
}

/** An admin's fresh tokens are kept as a standby connection at most this often. */
const ADOPT_EVERY_MS = 24 * 3_600_000;

/**
 * Keeps each portal's tokens encrypted inside its installation record and renews them on demand, at the
 * OAuth server that issued them. Renewal is single-flight per portal: concurrent callers in this process share
 * one exchange, instances sharing the locks take turns and the later ones find the renewed token; the exchange
 * and the write of the new tokens happen in the same step, so nobody can read a dead refresh token.
 *
 * The tokens are one person's. When Bitrix24 refuses them for good (the refresh token is dead, the person was
 * fired or lost access), the vault switches to a standby admin's connection; with none left the installation
 * needs an administrator to open Keycard once (state `needs_reinstall`).
 */
export class TokenVault {
  readonly #installations: InstallationRepository;
  readonly #sealed: SealedTokens;
  readonly #oauth: OAuthServers;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #hosts: HostPolicy;
  readonly #inflight = new Map<string, Promise<RefreshedAccess>>();
  readonly #locks: Locks;
  /** When each admin's connection was last adopted, per portal (see adoptAdminConnection). */
  readonly #adopted = new Map<string, number>();
  /**
   * Renewals whose write failed. A renewal spends the refresh token: until the new pair is stored it exists only
   * here, and losing it would leave the portal with a dead refresh token (needs_reinstall). `open` hands it out
   * instead of the stored pair meanwhile, and it is written again until it is stored.
   */
  readonly #unsaved = new Map<string, UnsavedRenewal>();

  constructor(deps: {
    installations: InstallationRepository;
    sealed: SealedTokens;
    oauth: OAuthServers;
    clock: Clock;
    logger: Logger;
    hosts: HostPolicy;
    locks?: Locks;
  }) {
    this.#locks = deps.locks ?? new InProcessLocks();
    this.#installations = deps.installations;
    this.#sealed = deps.sealed;
    this.#oauth = deps.oauth;
    this.#clock = deps.clock;
    this.#logger = deps.logger;
    this.#hosts = deps.hosts;
  }

  /**
   * Decrypts a portal's tokens; undefined when it has none (never installed or uninstalled). A renewed pair not
   * stored yet is returned instead of the one it replaced (and only while the store still holds that one).
   */
  open(installation: Installation): PortalTokens | undefined {
    const stored = this.#sealed.open(installation);
    if (stored === undefined) return undefined;
    const unsaved = this.#unsaved.get(installation.memberId);
    if (unsaved === undefined) return stored;
    if (unsaved.spent === stored.refreshToken) return unsaved.tokens;
    // The store holds another pair now (stored at last, a reinstall, another connection): that one counts.
    this.#unsaved.delete(installation.memberId);
    return stored;
  }

  /** Returns the record with `tokens` sealed into it (always under the newest key). */
  seal(installation: Installation, tokens: PortalTokens): Installation {
    return this.#sealed.seal(installation, tokens);
  }

  /** Returns the record with its tokens removed. */
  clear(installation: Installation): Installation {
    const { secrets: _removed, ...rest } = installation;
    return rest;
  }

  /**
   * Renews the access token of `memberId`. `staleAccessToken` is the token the caller found expired: if the
   * stored one already differs and is fresh, another caller renewed it (or the connection changed) and it is
   * returned without a new exchange.
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

  /**
   * Bitrix24 refused the connection holding `refusedAccessToken` for good: a standby admin connection takes its
   * place. Resolves to whether one did; without one the installation needs an administrator. Nothing changes
   * when the connection was already replaced (by another caller, or a reinstall).
   */
  async failover(memberId: string, refusedAccessToken: string, reason: string): Promise<boolean> {
    let switched = false;
    await this.#installations.update(memberId, (latest) => {
      const tokens = latest === undefined ? undefined : this.open(latest);
      if (!isInstalled(latest) || tokens === undefined || tokens.accessToken !== refusedAccessToken) return undefined;
      const promoted = promoteStandby(tokens);
      switched = promoted !== undefined;
      const now = this.#clock.now();
      return promoted === undefined
        ? { ...latest, state: 'needs_reinstall', updatedAt: now }
        : this.seal({ ...latest, updatedAt: now }, promoted);
    });
    if (switched) this.#logger.warn({ memberId, reason }, 'connection refused; switched to a standby admin connection');
    else
      this.#logger.warn(
        { memberId, reason },
        'connection refused and no standby left; an administrator must open Keycard',
      );
    return switched;
  }

  /**
   * The connection in use belongs to `userId`, who Bitrix24 just said is no longer an admin (ADMIN_MODE and
   * `placement.*` stop working for them): a standby admin connection takes over, if there is one.
   */
  async preferStandbyOver(memberId: string, userId: string): Promise<void> {
    await this.#installations.update(memberId, (latest) => {
      const tokens = latest === undefined ? undefined : this.open(latest);
      if (!isInstalled(latest) || tokens === undefined || tokens.userId !== userId) return undefined;
      const promoted = promoteStandby(tokens);
      return promoted === undefined ? undefined : this.seal({ ...latest, updatedAt: this.#clock.now() }, promoted);
    });
  }

  /**
   * A verified admin opened the app with fresh tokens: they become a standby connection (at most once a day per
   * admin: a refresh token lives 180 days), or the connection in use when none works (the installation needs
   * an administrator): it is then active again.
   */
  async adoptAdminConnection(memberId: string, connection: Connection): Promise<Installation | undefined> {
    const memo = `${memberId}\u0000${connection.userId ?? ''}`;
    const now = this.#clock.now();
    const current = await this.#installations.get(memberId);
    if (current?.state !== 'needs_reinstall' && now - (this.#adopted.get(memo) ?? -Infinity) < ADOPT_EVERY_MS)
      return current;
    if (this.#adopted.size > 10_000) this.#adopted.clear();
    this.#adopted.set(memo, now);
    return this.#installations.update(memberId, (latest) => {
      if (latest === undefined) return undefined;
      const tokens = this.open(latest);
      const now = this.#clock.now();
      if (latest.state === 'needs_reinstall') {
        const healed = tokens === undefined ? { ...connection } : withCurrent(tokens, connection);
        return this.seal({ ...latest, state: 'active', updatedAt: now }, healed);
      }
      if (!isInstalled(latest) || tokens === undefined) return undefined;
      const kept = withStandby(tokens, connection);
      return kept === tokens ? undefined : this.seal({ ...latest, updatedAt: now }, kept);
    });
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
      issued = await this.#oauth.choose(portal.oauthServer).refresh(tokens.refreshToken);
    } catch (error: unknown) {
      // The refresh token is dead (revoked, expired or already used), or the OAuth server no longer takes it for
      // this app (invalid_client: "the application may not be installed"): another admin's connection may still
      // work, and the caller's next attempt uses it; without one the installation stops until an admin opens it.
      if (error instanceof BitrixError && (error.is('invalid_grant') || error.is('invalid_client'))) {
        await this.failover(memberId, tokens.accessToken, 'refresh token rejected');
      }
      throw error;
    }
    const clientEndpoint = this.#endpointAfterRefresh(portal, issued.clientEndpoint);
    const renewal: UnsavedRenewal = {
      spent: tokens.refreshToken,
      tokens: {
        ...tokens,
        accessToken: issued.accessToken,
        refreshToken: issued.refreshToken,
        expiresAt: issued.expiresAt,
      },
      clientEndpoint,
    };
    try {
      await this.#store(memberId, renewal);
    } catch (error: unknown) {
      // The new pair is the only one that works now: kept, used and written again until the store takes it.
      this.#unsaved.set(memberId, renewal);
      this.#logger.error({ memberId, err: error }, 'renewed tokens could not be stored; kept and written again');
      this.#storeLater(memberId, renewal, 0);
    }
    this.#logger.info({ memberId }, 'access token renewed');
    return { accessToken: issued.accessToken, expiresAt: issued.expiresAt, clientEndpoint };
  }

  /**
   * Writes a renewed pair onto the latest record: an application token stored meanwhile (ONAPPINSTALL) stays.
   * Never onto an installation uninstalled (or purged) meanwhile: that would bring its tokens back; nor over a
   * pair someone stored after the one this renewal spent.
   */
  async #store(memberId: string, renewal: UnsavedRenewal): Promise<void> {
    await this.#installations.update(memberId, (latest) => {
      const stored = isInstalled(latest) ? this.#sealed.open(latest) : undefined;
      if (latest === undefined || stored === undefined || stored.refreshToken !== renewal.spent) return undefined;
      const { clientEndpoint, tokens } = renewal;
      return this.seal(
        { ...latest, clientEndpoint, domain: new URL(clientEndpoint).host, updatedAt: this.#clock.now() },
        { ...stored, accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, expiresAt: tokens.expiresAt },
      );
    });
    if (this.#unsaved.get(memberId) === renewal) this.#unsaved.delete(memberId);
  }

  /** Tries `renewal`'s write again after a back-off, until it is stored or no longer the pair to keep. */
  #storeLater(memberId: string, renewal: UnsavedRenewal, attempt: number): void {
    const delay = STORE_RETRY_MS[Math.min(attempt, STORE_RETRY_MS.length - 1)] ?? 30_000;
    setTimeout(() => {
      if (this.#unsaved.get(memberId) !== renewal) return;
      this.#store(memberId, renewal).then(
        () => this.#logger.info({ memberId, attempt: attempt + 1 }, 'renewed tokens stored'),
        () => this.#storeLater(memberId, renewal, attempt + 1),
      );
    }, delay).unref();
  }

  /**
   * The OAuth server reports the portal's current endpoint (a renamed portal moves there): it vouches for the
   * host, which still has to pass the host policy (plain http and non-public addresses only where listed).
   */
  #endpointAfterRefresh(portal: Installation, reported: string | undefined): string {
    if (reported === undefined) return portal.clientEndpoint;
    try {
      return checkedEndpoint(reported, this.#hosts, true);
    } catch {
      this.#logger.warn(
        { memberId: portal.memberId },
        'OAuth server reported a portal address Keycard may not call; kept the old one',
      );
      return portal.clientEndpoint;
    }
  }
}
