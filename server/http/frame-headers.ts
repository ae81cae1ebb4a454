import type { Response } from 'express';
import type { HostPolicy } from '../bitrix/portal-host.js';

/**
 * Headers for pages shown inside a Bitrix24 frame: `frame-ancestors` names who may frame us (never
 * X-Frame-Options, which would block the portal), scripts only from our origin, nothing cached.
 * Images may also come from the framing portal itself: Bitrix24 serves user photos (`PERSONAL_PHOTO`) from the
 * portal's own host or its CDN (any https origin), and a portal on plain http (self-hosted, the emulator) would
 * otherwise have every avatar refused.
 * @see https://apidocs.bitrix24.com/local-integrations/site-does-not-allow-connection.html
 */
export function setFramePageHeaders(res: Response, frameAncestors: readonly string[]): void {
  res.removeHeader('X-Frame-Options');
  res.setHeader(
    'Content-Security-Policy',
    [
      "default-src 'self'",
      "script-src 'self'",
      "style-src 'self' 'unsafe-inline'",
      ["img-src 'self' data: https:", ...frameAncestors.filter((origin) => origin.startsWith('http://'))].join(' '),
      "font-src 'self' data:",
      "connect-src 'self'",
      "base-uri 'none'",
      "form-action 'self'",
      `frame-ancestors ${frameAncestors.length > 0 ? frameAncestors.join(' ') : "'none'"}`,
    ].join('; '),
  );
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cache-Control', 'no-store');
}

/**
 * CSP sources for PORTAL_DOMAINS, used by pages rendered before a portal is verified (error pages must
 * still show inside the portal's frame): `*.bitrix24.com` → `https://*.bitrix24.com`. A portal vouched for by
 * the OAuth server but not listed is framed by its own origin once it is known, not by these.
 */
export function ancestorsForPatterns(hosts: HostPolicy): string[] {
  // Plain http only where the operator listed the pattern (an http portal is an operator's choice).
  return hosts.known.flatMap((pattern) =>
    hosts.plainHttp.includes(pattern) ? [`http://${pattern}`, `https://${pattern}`] : [`https://${pattern}`],
  );
}
