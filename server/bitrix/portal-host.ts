import { isIP } from 'node:net';
import { ForbiddenError } from '../errors.js';
import { isPublicAddress } from './public-address.js';

/**
 * Which portal hosts Keycard calls (the SSRF guard). A host is called only when PORTAL_DOMAINS lists it or a
 * trusted OAuth server vouched for it (`app.info` `install.client_endpoint` / `install.domain` for that member
 * id): Bitrix24 says REST apps run on self-hosted portals "identically", on any domain.
 * @see https://apidocs.bitrix24.com/settings/cloud-and-on-premise/on-premise/index.html
 */
export interface HostPolicy {
  /** Patterns accepted without an OAuth server's word: PORTAL_DOMAINS (Bitrix24's cloud domains by default). */
  known: readonly string[];
  /** Patterns the operator listed: the only hosts that may be at a non-public address (an on-premises portal). */
  operator: readonly string[];
  /** Patterns the operator listed with `http://`: the only hosts reached over plain http. */
  plainHttp: readonly string[];
}

/**
 * Whether `host` (`name` or `name:port`) matches one of `patterns`: `host`, `*.suffix` (any sub-domain, not
 * the suffix itself), each optionally with `:port` or `:*`; without a port only the scheme's default port matches.
 */
export function hostAllowed(host: string, patterns: readonly string[]): boolean {
  const parsed = splitHost(host);
  if (parsed === undefined) return false;
  return patterns.some((pattern) => {
    const [patternHost = '', patternPort] = pattern.split(':');
    const portOk = patternPort === '*' || patternPort === parsed.port;
    if (!portOk) return false;
    if (patternHost.startsWith('*.')) {
      const suffix = patternHost.slice(1);
      return parsed.hostname.endsWith(suffix) && parsed.hostname.length > suffix.length;
    }
    return parsed.hostname === patternHost;
  });
}

function splitHost(host: string): { hostname: string; port: string | undefined } | undefined {
  const match = /^([a-z0-9-]+(?:\.[a-z0-9-]+)*)\.?(?::(\d{1,5}))?$/.exec(host.trim().toLowerCase());
  if (match === null) return undefined;
  return { hostname: match[1] ?? '', port: match[2] };
}

/**
 * A portal's REST endpoint (`scheme://host/rest/`), checked before anything is sent: the host must be listed
 * in PORTAL_DOMAINS unless a trusted OAuth server `vouched` for it; plain http only for hosts the operator
 * listed with `http://`; addresses that are not public (an IP literal here; names are checked again when they
 * resolve, see public-address.ts) only for hosts the operator listed.
 */
export function portalEndpoint(host: string, https: boolean, policy: HostPolicy, vouched = false): string {
  const parsed = splitHost(host);
  if (parsed === undefined) throw new ForbiddenError('PORTAL_NOT_ALLOWED', 'The portal address is not valid.');
  if (!vouched && !hostAllowed(host, policy.known)) {
    throw new ForbiddenError('PORTAL_NOT_ALLOWED', 'This Bitrix24 address is not served by this Keycard server.');
  }
  const listed = hostAllowed(host, policy.operator);
  if (!https && !hostAllowed(host, policy.plainHttp)) {
    throw new ForbiddenError('PORTAL_NOT_ALLOWED', 'Bitrix24 portals are reached over https only.');
  }
  if (isIP(parsed.hostname) !== 0 && !isPublicAddress(parsed.hostname) && !listed) {
    throw new ForbiddenError('PORTAL_NOT_ALLOWED', 'This Bitrix24 address is not a public one.');
  }
  return new URL(`${https ? 'https' : 'http'}://${host}/rest/`).toString();
}

/** Whether the operator listed `hostname` (any port): it may then resolve to a non-public address. */
export function operatorListed(policy: HostPolicy): (hostname: string) => boolean {
  const names = policy.operator.map((pattern) => pattern.split(':')[0] ?? '');
  return (hostname) => hostAllowed(hostname, names);
}

/** Checks an endpoint URL that came from a peer (the OAuth server, an event, a redirect) the same way. */
export function checkedEndpoint(endpoint: string, policy: HostPolicy, vouched = false): string {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new ForbiddenError('PORTAL_NOT_ALLOWED', 'The portal address is not a valid URL.');
  }
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
    throw new ForbiddenError('PORTAL_NOT_ALLOWED', 'The portal address is not a plain REST endpoint.');
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ForbiddenError('PORTAL_NOT_ALLOWED', 'The portal address is not a web address.');
  }
  return portalEndpoint(url.host, url.protocol === 'https:', policy, vouched);
}
