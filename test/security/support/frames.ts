import { expect } from 'vitest';
import { bootstrapOf, type TestPortal } from '../../support/harness.js';
import { secret } from './log-scan.js';

/** The app frame POST Bitrix24 sends when `portal`'s user opens Keycard with `userToken`. */
export function frameRequest(
  portal: TestPortal,
  userToken: string,
  overrides: { query?: Record<string, string>; body?: Record<string, string> } = {},
) {
  return {
    query: { DOMAIN: portal.host, PROTOCOL: '1', LANG: 'en', APP_SID: 'sid', ...overrides.query },
    body: {
      AUTH_ID: userToken,
      AUTH_EXPIRES: '3600',
      REFRESH_ID: `${userToken}-refresh`,
      member_id: portal.memberId,
      status: 'F',
      PLACEMENT: 'DEFAULT',
      ...overrides.body,
    },
  };
}

interface FrameResponse {
  status: number;
  type: string;
  text: string;
  headers: Record<string, string | string[] | undefined>;
}

/** The sources of the one `frame-ancestors` directive of the one CSP header, in order. */
export function frameAncestors(res: FrameResponse): string[] {
  const header = res.headers['content-security-policy'];
  if (typeof header !== 'string')
    throw new Error(`expected exactly one Content-Security-Policy header, got ${JSON.stringify(header)}`);
  const directives = header.split(';').map((directive) => directive.trim().split(/\s+/));
  const found = directives.filter(([name]) => name === 'frame-ancestors');
  expect(found, header).toHaveLength(1);
  return found[0]?.slice(1) ?? [];
}

/** A frame response: framed only by `ancestors`, never X-Frame-Options, and a page (not a blank frame). */
export function expectFramedBy(res: FrameResponse, ancestors: readonly string[], label = ''): void {
  expect(frameAncestors(res), `${label} ${res.status}`).toEqual(ancestors);
  expect(res.headers['x-frame-options'], label).toBeUndefined();
  expect(res.type, label).toBe('text/html');
  expect(res.text, label).toMatch(/^<!doctype html>/i);
}

/** A refused frame request: a readable page naming `code`, and no app (no bootstrap, no session). */
export function expectRefusalPage(res: FrameResponse, status: number, code: string): void {
  expect(res.status, code).toBe(status);
  expect(res.type).toBe('text/html');
  expect(res.text).toContain(code);
  expect(res.text).not.toContain('keycard-bootstrap');
}

/** The session token a rendered app or installer page hands the UI, registered as a secret for the log scan. */
export function sessionOf(html: string): string {
  return secret(bootstrapOf(html).session);
}
