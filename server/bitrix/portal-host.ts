import { isLoopbackHost } from '../config.js';
import { ForbiddenError } from '../errors.js';

/**
 * SSRF guard: a host taken from a request or a peer's answer is only ever called when it matches
 * PORTAL_DOMAINS. Patterns: `host`, `*.suffix` (any sub-domain, not the suffix itself), each optionally
 * with `:port` or `:*`; without a port only the scheme's default port matches.
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
 * Builds and checks a portal's REST endpoint (`https://host/rest/`). Throws before anything is sent when
 * the host is not an accepted portal or plain http is asked for a non-loopback host.
 */
export function portalEndpoint(host: string, https: boolean, patterns: readonly string[]): string {
  if (!hostAllowed(host, patterns)) {
    throw new ForbiddenError('PORTAL_NOT_ALLOWED', 'This Bitrix24 address is not served by this Keycard server.');
  }
  const url = new URL(`${https ? 'https' : 'http'}://${host}/rest/`);
  if (!https && !isLoopbackHost(url.hostname)) {
    throw new ForbiddenError('PORTAL_NOT_ALLOWED', 'Bitrix24 portals are reached over https only.');
  }
  return url.toString();
}

/** Checks an endpoint URL that came from a peer (app.info, an event) the same way. */
export function checkedEndpoint(endpoint: string, patterns: readonly string[]): string {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new ForbiddenError('PORTAL_NOT_ALLOWED', 'The portal address is not a valid URL.');
  }
  if (url.username !== '' || url.password !== '' || url.search !== '' || url.hash !== '') {
    throw new ForbiddenError('PORTAL_NOT_ALLOWED', 'The portal address is not a plain REST endpoint.');
  }
  return portalEndpoint(url.host, url.protocol === 'https:', patterns);
}
