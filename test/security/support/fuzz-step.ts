import { decodeJwt } from 'jose';
import { expect } from 'vitest';
import { errorCodes, type ErrorCode } from '../../../common/error-codes.js';
import type { RateBudget, RateBudgetStats } from '../../../server/bitrix/rate-budget.js';
import { ancestorsForPatterns } from '../../../server/http/frame-headers.js';
import { bootstrapOf } from '../../support/harness.js';
import type { BitrixCall } from './fake-bitrix24.js';
import { expectPortalMatches, type Model } from './fuzz-model.js';
import { PORTAL_KEYS, type FuzzWorld, type PortalKey } from './fuzz-world.js';
import { frameAncestors } from './frames.js';
import type { RawResponse } from './network.js';
import { storeChanges, storeContents } from './store.js';

/*
 * One fuzz step's bookkeeping: what the store, the request budgets and the scripted Bitrix24 looked like before,
 * and the checks after: only the portals the model allows were written, only the Bitrix24 requests it allows were
 * made (each taken from its portal's budget, none beyond Bitrix24's own bucket), and every portal's state is what
 * the model says.
 */

/** The documents of a portal, by what they hold. */
export type DocumentKind = 'policy' | 'installation' | 'admins' | 'directory';

const DOCUMENT_KEYS: Record<DocumentKind, (memberId: string) => RegExp> = {
  // The policy and its audit entries.
  policy: (memberId) => new RegExp(`^keyv:access:(policy|audit):${memberId}(:\\d+)?$`),
  // The installation record and the index of all of them.
  installation: (memberId) => new RegExp(`^keyv:portal(:${memberId}|-index)$`),
  // The admins Keycard has seen, and the users Bitrix24 said are not admins (check-a-user says which is which).
  admins: (memberId) => new RegExp(`^keyv:access:(admins:${memberId}|not-admins:${memberId}:\\d+)$`),
  directory: (memberId) => new RegExp(`^keyv:directory:${memberId}:`),
};

/** What a step may have done besides answering. */
export interface StepRules {
  /** Portals whose documents the step may write: all of them, or only those of the kinds given. */
  writes: readonly PortalKey[];
  kinds?: readonly DocumentKind[];
  /** Whether a request to a portal's REST API was allowed (default: none is). */
  portalCall?: (call: BitrixCall) => boolean;
  /** Requests to the OAuth servers, exactly; `any` where their number depends on timing. */
  oauthCalls?: number | 'any';
}

/** A portal request to `origin` with `token`, of one of `methods`. */
export function callTo(origin: string, token: string, methods: readonly string[]): (call: BitrixCall) => boolean {
  return (call) => call.origin === origin && call.token === token && methods.includes(call.method);
}

export interface Step {
  label: string;
  /** Ends the step: waits for work after the responses, then checks everything against `rules` and the model. */
  end(model: Model, rules: StepRules): Promise<BitrixCall[]>;
}

export async function beginStep(world: FuzzWorld, label: string): Promise<Step> {
  await world.background.idle();
  world.bitrix.takeCalls();
  const store = storeContents(world.store);
  const budgetOf = (key: PortalKey) => world.services.budgets.forPortal(world.portals[key].memberId);
  const budgets = Object.fromEntries(
    PORTAL_KEYS.map((key) => [key, { budget: budgetOf(key), stats: { ...budgetOf(key).stats } }]),
  ) as Record<PortalKey, { budget: RateBudget; stats: RateBudgetStats }>;
  const unmatched = world.unmatched.length;
  return {
    label,
    async end(model, rules) {
      await world.background.idle();
      const calls = world.bitrix.takeCalls();
      const describe = (call: BitrixCall) => `${call.kind} ${call.origin} ${call.method} → ${call.status}`;
      expect(calls.filter((call) => call.overflowed).map(describe), `${label}: beyond Bitrix24's bucket`).toEqual([]);
      const portalCalls = calls.filter((call) => call.kind === 'portal');
      expect(
        portalCalls.filter((call) => !(rules.portalCall?.(call) ?? false)).map(describe),
        `${label}: portal requests the model does not allow`,
      ).toEqual([]);
      if (rules.oauthCalls !== 'any') {
        expect(
          calls.filter((call) => call.kind === 'oauth').map(describe),
          `${label}: OAuth server requests`,
        ).toHaveLength(rules.oauthCalls ?? 0);
      }
      for (const key of PORTAL_KEYS) {
        const portal = world.portals[key];
        // An uninstall forgets the portal's budget: what the old one counted, plus the new one's.
        const { budget, stats } = budgets[key];
        const renewed = budgetOf(key) === budget ? undefined : budgetOf(key).stats;
        const counted = (pick: (stats: RateBudgetStats) => number) =>
          pick(budget.stats) - pick(stats) + (renewed === undefined ? 0 : pick(renewed));
        const mine = portalCalls.filter((call) => call.origin === portal.origin);
        expect(
          counted((item) => item.requests),
          `${label}: ${key} budget counts every request`,
        ).toBe(mine.length);
        expect(
          counted((item) => item.queryLimitHits),
          `${label}: ${key} budget saw every 503`,
        ).toBe(mine.filter((call) => call.status === 503).length);
        world.bitrix.overload(portal, 0);
      }
      expect(world.unmatched.slice(unmatched), `${label}: requests to hosts nobody vouched for`).toEqual([]);
      const writable = rules.writes.flatMap((key) => {
        const { memberId } = world.portals[key];
        const kinds = rules.kinds ?? (Object.keys(DOCUMENT_KEYS) as DocumentKind[]);
        return kinds.map((kind) => DOCUMENT_KEYS[kind](memberId));
      });
      const changed = storeChanges(store, storeContents(world.store)).filter(
        (change) => !writable.some((pattern) => pattern.test(change.replace(/^\S+ /, ''))),
      );
      expect(changed, `${label}: store writes the model does not allow`).toEqual([]);
      for (const key of PORTAL_KEYS) await expectPortalMatches(world, model.portals[key], label);
      return calls;
    },
  };
}

/** How often each kind of step met each answer, over the whole file (printed, and checked for variety). */
export const outcomes = new Map<string, number>();

/** Counts one answer to a kind of step (the label up to its first parenthesis). */
export function tally(label: string, status: number, code: string | undefined): void {
  const kind = label.includes('(') ? label.slice(0, label.indexOf('(')) : label;
  const key = `${kind} ${status}${code === undefined ? '' : ` ${code}`}`;
  outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
}

/** A JSON answer: the status, and for an error the body `{ error, message }` with a registered code. */
export function expectJson(res: RawResponse, label: string, status: number, code?: ErrorCode): void {
  const what = `${label} → ${res.status} ${res.text.slice(0, 300)}`;
  tally(label, status, code);
  expect(res.status, what).toBe(status);
  expect(res.type, what).toBe('application/json');
  if (status >= 400) expectErrorBody(res, what, code);
}

/** An error body: `{ error, message }`, `error` from common/error-codes.ts (and `code` when the model knows it). */
export function expectErrorBody(res: RawResponse, what: string, code?: ErrorCode): void {
  expect(res.body, what).toMatchObject({ error: expect.any(String), message: expect.any(String) });
  const error = (res.body as { error: string }).error;
  expect(errorCodes as readonly string[], what).toContain(error);
  if (code !== undefined) expect(error, what).toBe(code);
}

/**
 * A frame page: HTML, framed by the installation's origin once it is known (else by the configured portal
 * patterns), never X-Frame-Options; a refusal names its code and carries no app; `code` undefined means the app.
 */
export function expectFramePage(
  world: FuzzWorld,
  res: RawResponse,
  label: string,
  expected: { status: number; code?: ErrorCode; origin: string | undefined },
): void {
  const what = `${label} → ${res.status} ${res.text.slice(0, 600)}`;
  tally(label, expected.status, expected.code);
  expect(res.status, what).toBe(expected.status);
  expect(res.type, what).toBe('text/html');
  expect(res.headers['x-frame-options'], what).toBeUndefined();
  expect(frameAncestors(res), what).toEqual(
    expected.origin === undefined ? ancestorsForPatterns(world.services.hosts) : [expected.origin],
  );
  if (expected.code === undefined) {
    expect(res.text, what).toContain('keycard-bootstrap');
  } else {
    expect(res.text, what).toContain(expected.code);
    expect(res.text, what).not.toContain('keycard-bootstrap');
  }
}

/** The session a rendered app or installer page hands the UI, with its claims. */
export function sessionOfPage(html: string): { token: string; memberId: string; userId: string; isAdmin: unknown } {
  const { session } = bootstrapOf(html);
  const claims = decodeJwt(session);
  return { token: session, memberId: String(claims['mid']), userId: String(claims.sub), isAdmin: claims['adm'] };
}

/** No secret the model knows (tokens, application tokens, other sessions, the client secret, keys) in a body. */
export function expectNoSecrets(world: FuzzWorld, model: Model, res: RawResponse, label: string, own?: string): void {
  const known = [
    ...model.secrets,
    ...world.bitrix.secrets(),
    world.services.config.clientSecret,
    ...world.services.config.secretKeys,
    ...Object.values(model.portals).flatMap((portal) => portal.applicationToken ?? []),
  ];
  const leaked = known.filter((value) => value !== own && res.text.includes(value));
  expect(leaked, `${label}: secrets in the answer`).toEqual([]);
}
