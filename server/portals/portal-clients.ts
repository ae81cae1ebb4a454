import type { Clock } from '../clock.js';
import { checkedEndpoint } from '../bitrix/portal-host.js';
import type { BitrixClient, BitrixClientFactory } from '../bitrix/sdk-client.js';
import type { InstallationRepository } from './installation-repository.js';
import { isInstalled, NotInstalledError } from './installation-state.js';
import type { TokenVault } from './token-vault.js';

/**
 * Hands out Bitrix24 clients: one cached client per installed portal (app tokens from the vault, renewed
 * on demand) and throw-away clients for a user's own frame token, which are never renewed.
 */
export class PortalClients {
  readonly #installations: InstallationRepository;
  readonly #vault: TokenVault;
  readonly #factory: BitrixClientFactory;
  /** Per portal: the client and the credentials it currently holds (updated when it renews). */
  readonly #cache = new Map<string, { held: { accessToken: string; expiresAt: number }; client: BitrixClient }>();

  readonly #portalDomains: readonly string[];
  readonly #clock: Clock;

  constructor(deps: {
    installations: InstallationRepository;
    vault: TokenVault;
    factory: BitrixClientFactory;
    portalDomains: readonly string[];
    clock: Clock;
  }) {
    this.#portalDomains = deps.portalDomains;
    this.#clock = deps.clock;
    this.#installations = deps.installations;
    this.#vault = deps.vault;
    this.#factory = deps.factory;
  }

  /** A client acting with the portal's stored (installer's) tokens. */
  async forPortal(memberId: string): Promise<BitrixClient> {
    const portal = await this.#installations.get(memberId);
    const tokens = portal === undefined ? undefined : this.#vault.open(portal);
    if (!isInstalled(portal) || tokens === undefined) throw new NotInstalledError();
    const cached = this.#cache.get(memberId);
    // Reuse the client while the store holds the credentials it holds; anything else (a renewal elsewhere,
    // a reinstall) gets a fresh client.
    if (
      cached !== undefined &&
      cached.held.accessToken === tokens.accessToken &&
      cached.held.expiresAt === tokens.expiresAt
    ) {
      return cached.client;
    }
    const held = { accessToken: tokens.accessToken, expiresAt: tokens.expiresAt };
    const client = this.#factory({
      memberId,
      clientEndpoint: portal.clientEndpoint,
      accessToken: tokens.accessToken,
      expiresAt: tokens.expiresAt,
      refresh: async () => {
        const renewed = await this.#vault.refresh(memberId, held.accessToken);
        held.accessToken = renewed.accessToken;
        held.expiresAt = renewed.expiresAt;
        return renewed;
      },
      moved: (location, from) => this.#recordMove(memberId, location, from),
    });
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
    // The 302 comes from the stored endpoint, and its target is checked like any portal host.
    return this.#factory({ ...user, moved: (location, from) => this.#recordMove(user.memberId, location, from) });
  }

  /**
   * The portal's address changed (302 from the old one): the new REST endpoint is accepted only on a
   * portal host (PORTAL_DOMAINS), then recorded, and the next client is built on it.
   */
  async #recordMove(memberId: string, location: string, from: string): Promise<string> {
    const url = new URL(location);
    const restAt = url.pathname.indexOf('/rest/');
    const endpoint = checkedEndpoint(
      `${url.origin}${restAt === -1 ? '/rest/' : url.pathname.slice(0, restAt + '/rest/'.length)}`,
      this.#portalDomains,
    );
    // Recorded only when the redirect came from the endpoint on record (not from one a request named).
    await this.#installations.update(memberId, (latest) =>
      latest === undefined || latest.clientEndpoint.replace(/\/+$/, '') !== from.replace(/\/+$/, '')
        ? undefined
        : { ...latest, clientEndpoint: endpoint, domain: new URL(endpoint).host, updatedAt: this.#clock.now() },
    );
    this.#cache.delete(memberId);
    return endpoint;
  }

  /** Drops the cached client of an uninstalled portal. */
  forget(memberId: string): void {
    this.#cache.delete(memberId);
  }
}
