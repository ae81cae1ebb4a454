import { ForbiddenError } from '../errors.js';
import type { OAuthServer } from './oauth-server.js';

/**
 * The OAuth servers Keycard trusts, one client each. Bitrix24 runs two (west `oauth.bitrix.info`, east
 * `oauth.bitrix24.tech`); each alone issues and renews the tokens of its portals, so an installation is renewed
 * where its tokens came from. Requests name their server (`SERVER_ENDPOINT`, `auth[server_endpoint]`,
 * `https://oauth.bitrix.info/rest/`); a name outside the trusted set is refused before any request is made.
 * @see https://apidocs.bitrix24.com/settings/oauth/index.html
 * @see b24phpsdk src/Core/Credentials/DefaultOAuthServerUrl.php (east() / west())
 */
export class OAuthServers {
  readonly #servers: ReadonlyMap<string, OAuthServer>;
  readonly #fallback: string;

  /** `trusted`: base URLs without a trailing slash; `fallback`: the server of requests that name none. */
  constructor(deps: { trusted: readonly string[]; fallback: string; create: (baseUrl: string) => OAuthServer }) {
    this.#servers = new Map(deps.trusted.map((url) => [url, deps.create(url)]));
    this.#fallback = deps.fallback;
    if (!this.#servers.has(deps.fallback)) throw new Error(`the default OAuth server ${deps.fallback} is not trusted`);
  }

  /**
   * The server a request or a record names (`named`), else `otherwise` (an installation's recorded server), else
   * the default. A name outside the trusted set is refused.
   */
  choose(named: string | undefined, otherwise?: string): OAuthServer {
    const url = baseUrlOf(named ?? otherwise ?? this.#fallback);
    const server = url === undefined ? undefined : this.#servers.get(url);
    if (server === undefined) {
      throw new ForbiddenError(
        'OAUTH_SERVER_NOT_TRUSTED',
        'This request names an authorization server Keycard does not trust.',
      );
    }
    return server;
  }
}

/** `https://oauth.bitrix.info/rest/` → `https://oauth.bitrix.info`; undefined for anything but a plain http(s) URL. */
function baseUrlOf(endpoint: string): string | undefined {
  let url: URL;
  try {
    url = new URL(endpoint.trim());
  } catch {
    return undefined;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') return undefined;
  return url.origin + url.pathname.replace(/\/+$/, '').replace(/\/rest$/, '');
}
