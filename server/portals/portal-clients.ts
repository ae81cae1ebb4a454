import type { BackgroundTasks } from '../background.js';
import type { Clock } from '../clock.js';
import { BitrixError, kindOf } from '../bitrix/bitrix-error.js';
import type { OAuthServers } from '../bitrix/oauth-servers.js';
import { checkedEndpoint, hostAllowed, type HostPolicy } from '../bitrix/portal-host.js';
import type { RateBudgets } from '../bitrix/rate-budgets.js';
import type { BitrixClient, BitrixClientFactory } from '../bitrix/sdk-client.js';
import type { InstallationRepository } from './installation-repository.js';
import { isInstalled, NotInstalledError } from './installation-state.js';
import { limitsOfPlan } from './portal-plan.js';
import type { TokenVault } from './token-vault.js';

/** What a portal client needs. */
export interface PortalClientsDeps {
  installations: InstallationRepository;
  vault: TokenVault;
  factory: BitrixClientFactory;
  oauth: OAuthServers;
  hosts: HostPolicy;
  clock: Clock;
  /**
   * Bitrix24 answered a call on the installation's connection with "application not installed": the app may have
   * been removed without its ONAPPUNINSTALL reaching Keycard. Called at most once at a time per portal; the
   * handler checks with Bitrix24 and records an uninstall pending confirmation (portals/uninstall.ts).
   */
  appRemoved?: (memberId: string) => Promise<unknown>;
  background: BackgroundTasks;
  /** Per-portal request budgets: each gets its portal's plan limits (portal-plan.ts). */
  budgets: Pick<RateBudgets, 'setLimits'>;
}

/**
 * Hands out Bitrix24 clients: one cached client per installed portal (the installation's connection from the
 * vault, renewed on demand) and throw-away clients for a user's own frame token, which are never renewed.
 * A call Bitrix24 refuses because of whose tokens they are (the person was fired, lost access to the app, or
 * their refresh token died) switches to a standby admin connection and is made once more.
 */
export class PortalClients {
  readonly #deps: PortalClientsDeps;
  /** Per portal: the client and the credentials it currently holds (updated when it renews). */
  readonly #cache = new Map<string, { held: { accessToken: string; expiresAt: number }; client: BitrixClient }>();
  /** The plan whose limits each portal's budget was given last. */
  readonly #plans = new Map<string, string | undefined>();
  /** Portals whose "application not installed" answer is being checked (one check at a time each). */
  readonly #checkingRemoval = new Set<string>();

  constructor(deps: PortalClientsDeps) {
    this.#deps = deps;
  }

  /** A client acting with the installation's connection (the installer's, or a standby admin's after a switch). */
  async forPortal(memberId: string): Promise<BitrixClient> {
    const { installations, vault, factory } = this.#deps;
    const portal = await installations.get(memberId);
    const tokens = portal === undefined ? undefined : vault.open(portal);
    if (!isInstalled(portal) || tokens === undefined) throw new NotInstalledError();
    if (this.#plans.get(memberId) !== portal.licenseFamily) {
      const limits = limitsOfPlan(portal.licenseFamily);
      if (limits !== undefined) this.#deps.budgets.setLimits(memberId, limits);
      this.#plans.set(memberId, portal.licenseFamily);
    }
    const cached = this.#cache.get(memberId);
    // Reuse the client while the store holds the credentials it holds; anything else (a renewal elsewhere,
    // a reinstall, a switch of connection) gets a fresh client.
    if (
      cached !== undefined &&
      cached.held.accessToken === tokens.accessToken &&
      cached.held.expiresAt === tokens.expiresAt
    ) {
      return cached.client;
    }
    const held = { accessToken: tokens.accessToken, expiresAt: tokens.expiresAt };
    const sdk = factory({
      memberId,
      clientEndpoint: portal.clientEndpoint,
      accessToken: tokens.accessToken,
      expiresAt: tokens.expiresAt,
      ...(portal.oauthServer === undefined ? {} : { oauthServer: portal.oauthServer }),
      refresh: async (refusedToken) => {
        const renewed = await vault.refresh(memberId, refusedToken ?? held.accessToken);
        held.accessToken = renewed.accessToken;
        held.expiresAt = renewed.expiresAt;
        return renewed;
      },
      moved: (location, from) => this.#recordMove(memberId, location, from),
    });
    const client: BitrixClient = {
      call: async (method, params, options) => {
        const refused = held.accessToken;
        try {
          return await sdk.call(method, params, options);
        } catch (error: unknown) {
          if (kindOf(error) === 'app_not_installed') this.#removalSuspected(memberId);
          if (!(await this.#switchedAfter(memberId, refused, error))) throw error;
          return (await this.forPortal(memberId)).call(method, params, options);
        }
      },
    };
    this.#cache.set(memberId, { held, client });
    return client;
  }

  /** A client acting as the user whose frame token this is, on the portal's verified endpoint. */
  forUserToken(user: {
    memberId: string;
    clientEndpoint: string;
    accessToken: string;
    expiresAt: number;
  }): BitrixClient {
    // The 302 comes from the stored endpoint, and its target is checked like any portal host. A person is waiting:
    // the call does not queue behind a busy budget for long.
    return this.#deps.factory({
      ...user,
      priority: 'interactive',
      moved: (location, from) => this.#recordMove(user.memberId, location, from),
    });
  }

  /** Drops the cached client of an uninstalled portal. */
  forget(memberId: string): void {
    this.#cache.delete(memberId);
    this.#plans.delete(memberId);
  }

  #removalSuspected(memberId: string): void {
    const { appRemoved } = this.#deps;
    if (appRemoved === undefined || this.#checkingRemoval.has(memberId)) return;
    this.#checkingRemoval.add(memberId);
    this.#cache.delete(memberId);
    this.#deps.background.run('check a removed app', async () => {
      try {
        await appRemoved(memberId);
      } finally {
        this.#checkingRemoval.delete(memberId);
      }
    });
  }

  /**
   * Whether the connection that held `refusedToken` was refused for good and another one now takes its place:
   * its person was fired (`authorization_error`) or lost access to the app (`user_access_error`), or its refresh
   * token died (the vault already switched while renewing).
   */
  async #switchedAfter(memberId: string, refusedToken: string, error: unknown): Promise<boolean> {
    const kind = kindOf(error);
    if (kind === 'user_inactive' || kind === 'user_denied') {
      this.#cache.delete(memberId);
      return this.#deps.vault.failover(
        memberId,
        refusedToken,
        error instanceof BitrixError ? error.bitrixCode : 'refused',
      );
    }
    if (error instanceof BitrixError && (error.is('invalid_grant') || error.is('invalid_client'))) {
      const portal = await this.#deps.installations.get(memberId);
      const tokens = portal === undefined ? undefined : this.#deps.vault.open(portal);
      return isInstalled(portal) && tokens !== undefined && tokens.accessToken !== refusedToken;
    }
    return false;
  }

  /**
   * The portal's address changed (302 from the old one): the new REST endpoint is accepted when PORTAL_DOMAINS
   * lists its host or the installation's OAuth server vouches for it, then recorded, and the next client is
   * built on it.
   */
  async #recordMove(memberId: string, location: string, from: string): Promise<string> {
    const url = new URL(location);
    const restAt = url.pathname.indexOf('/rest/');
    const target = `${url.origin}${restAt === -1 ? '/rest/' : url.pathname.slice(0, restAt + '/rest/'.length)}`;
    const vouched = !hostAllowed(url.host, this.#deps.hosts.known) && (await this.#vouchedFor(memberId, url.host));
    const endpoint = checkedEndpoint(target, this.#deps.hosts, vouched);
    // Recorded only when the redirect came from the endpoint on record (not from one a request named).
    await this.#deps.installations.update(memberId, (latest) =>
      latest === undefined || latest.clientEndpoint.replace(/\/+$/, '') !== from.replace(/\/+$/, '')
        ? undefined
        : { ...latest, clientEndpoint: endpoint, domain: new URL(endpoint).host, updatedAt: this.#deps.clock.now() },
    );
    this.#cache.delete(memberId);
    return endpoint;
  }

  /** Whether the installation's OAuth server says its portal now lives at `host`. */
  async #vouchedFor(memberId: string, host: string): Promise<boolean> {
    const portal = await this.#deps.installations.get(memberId);
    const tokens = portal === undefined ? undefined : this.#deps.vault.open(portal);
    if (portal === undefined || tokens === undefined) return false;
    const info = await this.#deps.oauth.choose(portal.oauthServer).appInfo(tokens.accessToken);
    const reported = info.clientEndpoint ?? (info.domain === undefined ? undefined : `https://${info.domain}/rest/`);
    return info.memberId === memberId && reported !== undefined && new URL(reported).host === host.toLowerCase();
  }
}
