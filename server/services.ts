import type { Keyv } from 'keyv';
import type { Config } from './config.js';
import type { Clock } from './clock.js';
import type { Logger } from './logger.js';
import type { Manifest } from './manifest.js';
import { BackgroundTasks } from './background.js';
import { OAuthServer } from './bitrix/oauth-server.js';
import { RateBudgets } from './bitrix/rate-budget.js';
import { createSdkClientFactory, type BitrixClientFactory } from './bitrix/sdk-client.js';
import { DirectoryService, type DirectoryOptions } from './directory/directory-service.js';
import { listActivePortals } from './directory/portal-list.js';
import { Cipher } from './store/cipher.js';
import { PortalRepository, type PortalDataOwner } from './store/portal-repository.js';
import { TokenVault } from './portals/token-vault.js';
import { PortalClients } from './portals/portal-clients.js';
import { SessionTokens } from './http/session-tokens.js';
import { AccessService } from './access/access-service.js';
import { AppAdmins } from './access/app-admins.js';
import { PolicyStore } from './access/policy-store.js';
import { InProcessLocks, type Locks } from './store/locks.js';
import { InProcessOnceKeys, type OnceKeys } from './store/once-keys.js';
import { sampleResourceCatalog, type ResourceCatalog } from './stock/resource-catalog.js';

/** The built UI: index.html with the bootstrap marker, and the folder of its assets. */
export interface UiAssets {
  template: string;
  assetsDir?: string;
}

/** Everything createApp needs from outside; tests pass their own. */
export interface AppDeps {
  /** The Keyv every repository lives in (SQLite by default). */
  store: Keyv;
  clock: Clock;
  logger: Logger;
  /** Used for the OAuth server; Bitrix24 REST goes through the client factory. */
  fetch: typeof fetch;
  manifest: Manifest;
  ui: UiAssets;
  /** Builds Bitrix24 REST clients; defaults to `@bitrix24/b24jssdk`'s B24OAuth. */
  bitrixClientFactory?: BitrixClientFactory;
  /** Runs work after responses; pass one to await it in tests. */
  background?: BackgroundTasks;
  /** Per-portal request budgets shared by every Bitrix24 client (default: standard plan limits on `clock`). */
  rateBudgets?: RateBudgets;
  /** Tunables of the directory mirror (lease, checkpoint age, schedule, test hooks). */
  directory?: Partial<DirectoryOptions>;
  /** Per-portal mutual exclusion for read-modify-write of shared documents (default: in-process). */
  locks?: Locks;
  /** Remembers events already handled, across instances when shared (default: in-process). */
  onceKeys?: OnceKeys;
  /** The app's resources roles can be limited to (default: the sample warehouses). */
  resources?: ResourceCatalog;
  /**
   * Keep parsed portal records, policies and directory meta in memory (default: yes, except on Redis).
   * Only correct when this instance is the store's only writer; off whenever instances share a store.
   */
  cacheReads?: boolean;
}

/** The wired services the routes use. */
export interface Services {
  config: Config;
  clock: Clock;
  logger: Logger;
  manifest: Manifest;
  ui: UiAssets;
  store: Keyv;
  portals: PortalRepository;
  vault: TokenVault;
  oauth: OAuthServer;
  clients: PortalClients;
  sessions: SessionTokens;
  background: BackgroundTasks;
  /** Request budgets per portal (2/s burst 50 unless a portal is set to Enterprise limits). */
  budgets: RateBudgets;
  /** The users/departments/workgroups mirror. */
  directory: DirectoryService;
  /** Access policies and their audit log. */
  policies: PolicyStore;
  /** Portal admins seen by Keycard (named on the access-denied page). */
  appAdmins: AppAdmins;
  /** Loads what `evaluate()` needs for a user. */
  access: AccessService;
  resources: ResourceCatalog;
  /** Every repository holding per-portal data, purged on uninstall with "clear data". */
  dataOwners: PortalDataOwner[];
  /** Events already handled (Bitrix24 may deliver one twice; two instances may each get it). */
  onceKeys: OnceKeys;
}

export function createServices(config: Config, deps: AppDeps): Services {
  const cacheReads = deps.cacheReads ?? !/^rediss?:/.test(config.storeUrl);
  const locks = deps.locks ?? new InProcessLocks();
  const portals = new PortalRepository(deps.store, { cacheReads, locks });
  const oauth = new OAuthServer({
    baseUrl: config.oauthServer,
    clientId: config.clientId,
    clientSecret: config.clientSecret,
    fetch: deps.fetch,
    now: () => deps.clock.now(),
  });
  const vault = new TokenVault({
    portals,
    cipher: new Cipher(config.secretKeys),
    oauth,
    clock: deps.clock,
    logger: deps.logger,
    portalDomains: config.portalDomains,
    locks,
  });
  const budgets = deps.rateBudgets ?? new RateBudgets({ clock: deps.clock });
  const factory =
    deps.bitrixClientFactory ??
    createSdkClientFactory({ clientId: config.clientId, clientSecret: config.clientSecret, oauthServer: config.oauthServer, budgets });
  const clients = new PortalClients({ portals, vault, factory, portalDomains: config.portalDomains, clock: deps.clock });
  const background = deps.background ?? new BackgroundTasks(deps.logger);
  const directory = new DirectoryService({
    store: deps.store,
    clock: deps.clock,
    logger: deps.logger,
    background,
    clientFor: (memberId) => clients.forPortal(memberId),
    portalInfo: async (memberId) => {
      const portal = await portals.get(memberId);
      return portal === undefined ? undefined : { scopes: portal.scopes, installed: portal.state === 'new' || portal.state === 'active' };
    },
    listPortals: () => listActivePortals(deps.store),
    budgetFor: (memberId) => budgets.forPortal(memberId),
    locks,
    cacheReads,
    ...(deps.directory === undefined ? {} : { options: deps.directory }),
  });
  const policies = new PolicyStore({ store: deps.store, locks, manifest: deps.manifest, clock: deps.clock, cacheReads });
  const appAdmins = new AppAdmins({
    store: deps.store,
    locks,
    clock: deps.clock,
    installed: async (memberId) => ['new', 'active'].includes((await portals.get(memberId))?.state ?? 'deleted'),
  });
  const access = new AccessService({ policies, manifest: deps.manifest, snapshot: (memberId) => directory.snapshot(memberId) });
  return {
    config,
    clock: deps.clock,
    logger: deps.logger,
    manifest: deps.manifest,
    ui: deps.ui,
    store: deps.store,
    portals,
    vault,
    oauth,
    clients,
    sessions: new SessionTokens({ secretKeys: config.secretKeys, issuer: config.appUrl, clock: deps.clock }),
    background,
    budgets,
    directory,
    policies,
    appAdmins,
    access,
    onceKeys: deps.onceKeys ?? new InProcessOnceKeys(() => deps.clock.now()),
    resources: deps.resources ?? sampleResourceCatalog,
    // The directory goes first: it stops a running sync of the portal before anything else disappears.
    dataOwners: [directory, policies, appAdmins, { purgePortal: (memberId) => Promise.resolve(access.forgetPortal(memberId)) }, portals],
  };
}
