import type { ApiRoutes } from './http/api-routes.js';
import type { FloodLimits } from './http/flood-guard.js';
import type { Keyv } from 'keyv';
import type { Config } from './config.js';
import type { Clock } from './clock.js';
import type { Logger } from './logger.js';
import type { Manifest } from './manifest.js';
import { BackgroundTasks } from './background.js';
import { AccessService } from './access/access-service.js';
import { AppAdmins } from './access/app-admins.js';
import { DocumentPolicyRepository, type PolicyRepository } from './access/policy-repository.js';
import { OAuthServer } from './bitrix/oauth-server.js';
import { OAuthServers } from './bitrix/oauth-servers.js';
import { operatorListed, type HostPolicy } from './bitrix/portal-host.js';
import { portalAgents } from './bitrix/public-address.js';
import { RateBudgets } from './bitrix/rate-budgets.js';
import { createSdkClientFactory, type BitrixClientFactory } from './bitrix/sdk-client.js';
import { DirectoryService, type DirectoryOptions } from './directory/directory-service.js';
import type { UiAssets } from './http/pages/app-shell.js';
import { SessionTokens } from './http/session-tokens.js';
import type { PortalDataOwner } from './portals/data-owner.js';
import { DocumentRequestRepository, type RequestRepository } from './requests/request-repository.js';
import { RequestNotifier } from './requests/notifier.js';
import type { AccessRequest } from './requests/access-request.js';
import { askLines, whomToAsk } from './portals/open-decision.js';
import type { Lang } from './manifest.js';
import { DocumentInstallationRepository, type InstallationRepository } from './portals/installation-repository.js';
import { isInstalled } from './portals/installation-state.js';
import { PortalClients } from './portals/portal-clients.js';
import { TokenVault } from './portals/token-vault.js';
import { SealedTokens } from './portals/sealed-tokens.js';
import { UninstallChecks } from './portals/uninstall-checks.js';
import { checkSuspectedRemoval } from './portals/uninstall.js';
import { sampleResourceCatalog, type ResourceCatalog } from './stock/resource-catalog.js';
import { Cipher } from './store/cipher.js';
import { StockCountRepository } from './stock/stock-counts.js';
import { Documents } from './store/documents.js';
import { InProcessLocks, type Locks } from './store/locks.js';
import { InProcessOnceKeys, type OnceKeys } from './store/once-keys.js';

/** Everything createApp needs from outside; tests pass their own. */
export interface AppDeps {
  /** The key-value store every repository lives in (SQLite by default), reached through the documents layer. */
  keyv: Keyv;
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
  /** Limits of the unauthenticated entry points per source and per portal (default DEFAULT_FLOOD_LIMITS). */
  floodLimits?: FloodLimits;
  /**
   * The API routes of the app built on Keycard, mounted under `/api` after Keycard's own, behind the session check
   * (default: the sample's stock routes; list `stockRoutes` too to keep them). See README "Build your app on Keycard".
   */
  apiRoutes?: readonly ApiRoutes[];
}

/** The wired services. Routers and use cases each take the few of them they need. */
export interface Services {
  config: Config;
  clock: Clock;
  logger: Logger;
  manifest: Manifest;
  ui: UiAssets;
  /** The storage boundary (store failures become 503 there). */
  documents: Documents;
  installations: InstallationRepository;
  vault: TokenVault;
  /** Tokens at rest (SECRET_KEY rotation: re-seal on read, `resealAll`). */
  sealed: SealedTokens;
  /** The trusted OAuth servers (Bitrix24's two and B24_OAUTH_SERVER's). */
  oauth: OAuthServers;
  /** Which portal hosts may be called (PORTAL_DOMAINS, the operator's list). */
  hosts: HostPolicy;
  clients: PortalClients;
  sessions: SessionTokens;
  background: BackgroundTasks;
  /** Request budgets per portal (2/s burst 50 unless a portal is set to Enterprise limits). */
  budgets: RateBudgets;
  /** The users/departments/workgroups mirror. */
  directory: DirectoryService;
  /** Access policies and their audit log. */
  policies: PolicyRepository;
  /** Portal admins seen by Keycard (named on the access-denied page). */
  appAdmins: AppAdmins;
  /** Loads what `evaluate()` needs for a user. */
  access: AccessService;
  resources: ResourceCatalog;
  /** The sample stock counts editors changed. */
  stockCounts: StockCountRepository;
  /** Access requests of refused people (issue 14). */
  requests: RequestRepository;
  /** Bitrix24 notifications about access requests (needs the `im` scope). */
  requestNotifier: RequestNotifier;
  /** Filing tells the app's admins; deciding tells the requester (both after the answer). */
  notify: (request: AccessRequest) => void;
  notifyDecided: (request: AccessRequest) => void;
  /** The no-access page's list of people to ask. */
  askLinesOf: (memberId: string, lang: Lang) => Promise<string[]>;
  /** Every repository holding per-portal data, purged on uninstall with "clear data". */
  dataOwners: PortalDataOwner[];
  /** Events already handled (Bitrix24 may deliver one twice; two instances may each get it). */
  onceKeys: OnceKeys;
  /** Re-checks uninstalls Bitrix24 has not confirmed yet (started by main.ts). */
  uninstallChecks: UninstallChecks;
}

export function createServices(config: Config, deps: AppDeps): Services {
  const { clock, logger } = deps;
  const cacheReads = deps.cacheReads ?? !/^rediss?:/.test(config.storeUrl);
  const locks = deps.locks ?? new InProcessLocks();
  const documents = new Documents({ keyv: deps.keyv });
  const installations = new DocumentInstallationRepository({ documents, locks, cacheReads });
  const oauth = new OAuthServers({
    trusted: config.oauthServers,
    fallback: config.oauthServer,
    create: (baseUrl) =>
      new OAuthServer({
        baseUrl,
        clientId: config.clientId,
        clientSecret: config.clientSecret,
        fetch: deps.fetch,
        clock,
      }),
  });
  const hosts: HostPolicy = {
    known: config.portalDomains,
    operator: config.operatorPortalDomains,
    plainHttp: config.plainHttpPortalDomains,
  };
  const sealed = new SealedTokens({
    cipher: new Cipher({ secrets: config.secretKeys }),
    installations,
    logger,
    clock,
  });
  const vault = new TokenVault({
    installations,
    sealed,
    oauth,
    clock,
    logger,
    hosts,
    locks,
  });
  const budgets = deps.rateBudgets ?? new RateBudgets({ clock });
  const factory =
    deps.bitrixClientFactory ??
    createSdkClientFactory({
      clientId: config.clientId,
      clientSecret: config.clientSecret,
      budgets,
      agents: portalAgents(operatorListed(hosts)),
    });
  const background = deps.background ?? new BackgroundTasks({ logger });
  const clients = new PortalClients({
    installations,
    vault,
    factory,
    oauth,
    hosts,
    clock,
    background,
    budgets,
    // Bound below: the check needs every service.
    appRemoved: (memberId) => checkSuspectedRemoval(services, memberId),
  });
  const onceKeys = deps.onceKeys ?? new InProcessOnceKeys({ clock });
  const directory = new DirectoryService({
    onceKeys,
    documents,
    clock,
    logger,
    background,
    clientFor: (memberId) => clients.forPortal(memberId),
    portalInfo: async (memberId) => {
      const installation = await installations.get(memberId);
      return installation === undefined
        ? undefined
        : { scopes: installation.scopes, installed: isInstalled(installation) };
    },
    listPortals: (usedSince) => installations.listInUse(usedSince),
    budgetFor: (memberId) => budgets.forPortal(memberId),
    locks,
    cacheReads,
    ...(deps.directory === undefined ? {} : { options: deps.directory }),
  });
  const policies = new DocumentPolicyRepository({ documents, locks, manifest: deps.manifest, clock, cacheReads });
  const appAdmins = new AppAdmins({
    documents,
    locks,
    clock,
    installed: async (memberId) => isInstalled(await installations.get(memberId)),
  });
  const stockCounts = new StockCountRepository({ documents, locks });
  const access = new AccessService({
    policies,
    manifest: deps.manifest,
    snapshot: (memberId) => directory.snapshot(memberId),
  });
  const requests = new DocumentRequestRepository({ documents, locks, clock });
  const requestNotifier = new RequestNotifier({ installations, clients, appAdmins, access, background, logger });
  const services: Omit<Services, 'uninstallChecks'> = {
    config,
    clock,
    logger,
    manifest: deps.manifest,
    ui: deps.ui,
    documents,
    installations,
    vault,
    sealed,
    oauth,
    hosts,
    clients,
    sessions: new SessionTokens({ secretKeys: config.secretKeys, issuer: config.appUrl, clock }),
    background,
    budgets,
    directory,
    policies,
    appAdmins,
    access,
    onceKeys,
    resources: deps.resources ?? sampleResourceCatalog,
    stockCounts,
    requests,
    requestNotifier,
    notify: (request) => requestNotifier.filed(request),
    notifyDecided: (request) => requestNotifier.decided(request),
    askLinesOf: async (memberId, lang) => {
      const context = await access.context(memberId, lang, { id: 0, isAdmin: null });
      return askLines(await whomToAsk({ appAdmins, logger }, memberId, context, lang), lang);
    },
    // The directory goes first: it stops a running sync of the portal before anything else disappears.
    dataOwners: [directory, policies, appAdmins, access, stockCounts, requests, installations],
  };
  return { ...services, uninstallChecks: new UninstallChecks(services) };
}
