import fc from 'fast-check';
import { expect } from 'vitest';
import { liveSession, otherPortal, recordSave, subjectOf, type Model, type PortalModel } from './fuzz-model.js';
import { caller, portalKey, refusalFor, resolveCaller, USER_IDS, withQuery, type Caller } from './fuzz-api.js';
import {
  BREAKAGES,
  changingRecipe,
  prepareSave,
  recipe,
  type Breakage,
  type PreparedSave,
  type Recipe,
} from './fuzz-policies.js';
import { delegatesChanged, mayManage, mayOpen, sameContent, type PolicyContent } from './fuzz-rules.js';
import { beginStep, expectJson, expectNoSecrets, tally } from './fuzz-step.js';
import type { FuzzWorld, PortalKey } from './fuzz-world.js';
import type { RawResponse } from './network.js';

/*
 * `PUT /api/access/policy` under the model (README, "How it works"): access managers only (portal admins and
 * delegates); `If-Match` required (none → 428) and current (stale → 409 with the current policy, nothing saved);
 * validated whole (400 INVALID_POLICY listing every problem); only portal admins change the delegates; a save that
 * changes something is one new version and one audit entry by its author, one that changes nothing is neither.
 */

/** Which ETag a save presents. */
export type EtagChoice =
  'current' | 'padded' | 'stale' | 'otherPortal' | 'star' | 'weak' | 'garbage' | 'missing' | 'empty';

/** How the body travels: JSON, JSON the parser refuses, a type the API does not read, or nothing. */
export type BodyForm = 'json' | 'malformedJson' | 'textPlain' | 'empty';

const MALFORMED = ['{', '{"allowList":', 'null', '"everyone"', '1e999', '{"a":1}{', '\u0000'];

/** Breakages the schema itself refuses. */
const SCHEMA_BREAKAGES: readonly Breakage[] = [
  'codeTooLong',
  'emptyCode',
  'allowListNotArray',
  'delegatesMissing',
  'blankTitle',
];

export class SaveCommand implements fc.AsyncCommand<Model, FuzzWorld> {
  constructor(
    readonly who: Caller,
    readonly etag: EtagChoice,
    readonly recipe: Recipe,
    readonly form: BodyForm,
    readonly variant: number,
  ) {}

  check(): boolean {
    return true;
  }

  toString(): string {
    return `save(${JSON.stringify(this.who)}, ${this.etag}, ${JSON.stringify(this.recipe)}, ${this.form}, ${this.variant})`;
  }

  async run(model: Model, world: FuzzWorld): Promise<void> {
    const label = this.toString();
    const step = await beginStep(world, label);
    const resolved = await resolveCaller(world, model, this.who);
    const pm = model.portals[this.who.portal];
    const ifMatch = presentedEtag(model, pm, this.etag, this.variant);
    const prepared = prepareSave(pm.policy, world.portals[otherPortal(this.who.portal)].memberId, this.recipe);
    const body = {
      json: prepared.json,
      malformedJson: MALFORMED[this.variant % MALFORMED.length] ?? '{',
      textPlain: prepared.json,
      empty: undefined,
    }[this.form];
    const res = await world.send({
      method: 'PUT',
      path: withQuery('/api/access/policy', resolved.query),
      headers: {
        ...resolved.headers,
        ...(ifMatch === undefined ? {} : { 'if-match': ifMatch }),
        ...(this.form === 'textPlain' ? { 'content-type': 'text/plain' } : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body }),
    });
    expectNoSecrets(world, model, res, label);
    // The JSON parser runs before the session check: a body it cannot read is refused whoever sends it.
    if (this.form === 'malformedJson') {
      expectJson(res, label, 400, 'BAD_BODY');
      await step.end(model, { writes: [] });
      return;
    }
    const session = resolved.session;
    const refusal = resolved.refusal ?? (session === undefined ? undefined : refusalFor(model, session, 'manage'));
    if (refusal !== undefined || session === undefined) {
      expectJson(res, label, refusal?.status ?? 500, refusal?.code);
      await step.end(model, { writes: [] });
      return;
    }
    const saved = expectSaveOutcome(pm, subjectOf(model, session), res, label, {
      ifMatch,
      body: this.form === 'json' ? prepared : this.form === 'empty' ? 'empty' : 'notRead',
    });
    if (session.isAdmin !== true) {
      tally('save by a delegate', res.status, (res.body as { error?: string } | undefined)?.error);
    }
    await step.end(model, { writes: saved ? [this.who.portal] : [], kinds: ['policy'] });
  }
}

/** The If-Match header a choice stands for, on the portal as the model knows it now. */
function presentedEtag(model: Model, pm: PortalModel, choice: EtagChoice, variant: number): string | undefined {
  switch (choice) {
    case 'current':
      return pm.etag;
    case 'padded':
      return `  ${pm.etag} `;
    case 'stale':
      return pm.staleEtags[variant % Math.max(1, pm.staleEtags.length)] ?? '"0-default"';
    case 'otherPortal':
      return model.portals[otherPortal(pm.key)].etag;
    case 'star':
      return '*';
    case 'weak':
      return `W/${pm.etag}`;
    case 'garbage':
      return '"7-00000000-0000-0000-0000-000000000000"';
    case 'missing':
      return undefined;
    case 'empty':
      return '';
  }
}

/**
 * Checks the answer to a save that passed the session and access checks, and records it in the model when it
 * saved. `body` is undefined when the request carried no JSON object the API reads. Returns whether it saved.
 */
function expectSaveOutcome(
  pm: PortalModel,
  subject: ReturnType<typeof subjectOf>,
  res: RawResponse,
  label: string,
  sent: {
    ifMatch: string | undefined;
    /**
     * What the API reads: the prepared JSON; nothing (a body of another type is not parsed); or an empty JSON body,
     * which the JSON parser reads as `{}` (a chunked request with no bytes).
     */
    body: PreparedSave | 'notRead' | 'empty';
  },
): boolean {
  const ifMatch = sent.ifMatch?.trim() ?? '';
  if (ifMatch === '') {
    expectJson(res, label, 428, 'PRECONDITION_REQUIRED');
    return false;
  }
  if (ifMatch !== pm.etag) {
    expectJson(res, label, 409, 'POLICY_CHANGED');
    expect(res.body, label).toMatchObject({
      current: { policy: { ...pm.policy, version: pm.version }, etag: pm.etag },
    });
    return false;
  }
  if (sent.body === 'notRead' || sent.body === 'empty') {
    expectJson(res, label, 400, 'INVALID_POLICY');
    expectProblems(res, label, sent.body === 'empty' ? ['allowList', 'roles', 'assignments', 'delegates'] : ['policy']);
    return false;
  }
  const verdict = saveVerdict(pm.policy, sent.body, subject);
  if (verdict.status !== 200) {
    expectJson(res, label, verdict.status, verdict.code);
    if (verdict.paths !== undefined) expectProblems(res, label, verdict.paths);
    return false;
  }
  const { expected } = verdict;
  expectJson(res, label, 200);
  const answer = res.body as { policy: PolicyContent & { version: number }; etag: string };
  expect(res.headers['etag'], label).toBe(answer.etag);
  if (sameContent(pm.policy, expected)) {
    expect(answer, label).toMatchObject({ policy: { ...pm.policy, version: pm.version }, etag: pm.etag });
    return false;
  }
  expect(answer.policy, label).toEqual({ ...expected, version: pm.version + 1 });
  expect([pm.etag, ...pm.staleEtags], `${label}: a new ETag`).not.toContain(answer.etag);
  recordSave(pm, { content: expected, etag: answer.etag, actor: subject.who.userId });
  return true;
}

/** What the server answers a save of a draft that presents the current ETag, by whom (their codes as mirrored). */
export type SaveVerdict =
  | { status: 200; expected: PolicyContent }
  | {
      status: 400 | 403 | 409;
      code: 'INVALID_POLICY' | 'DELEGATES_ADMIN_ONLY' | 'SAVE_LOCKS_YOU_OUT';
      /** Where the answer's problems must point (at least one at each). */
      paths?: readonly string[];
    };

/**
 * The checks of a current-ETag save, in the server's order (save-policy.ts): the draft whole (400 INVALID_POLICY,
 * every problem; the schema first: when it fails, the cross-checks are not reached); only portal admins change the
 * delegates (403); every deleted role confirmed (400, one problem per role); and the saver keeps access management
 * (409 SAVE_LOCKS_YOU_OUT, pointing at the allow-list that would shut them out, or the delegates). Portal admins
 * always keep it, so only a delegate taking themselves off the allow-list meets the last.
 */
export function saveVerdict(
  current: PolicyContent,
  prepared: PreparedSave,
  subject: ReturnType<typeof subjectOf>,
): SaveVerdict {
  const { expected, breakages } = prepared;
  if (expected === undefined) {
    const schemaBroken = breakages.filter((breakage) => SCHEMA_BREAKAGES.includes(breakage));
    const paths = breakages.includes('notAnObject')
      ? [BREAKAGES.notAnObject.path]
      : schemaBroken.length > 0
        ? schemaBroken.map((breakage) => BREAKAGES[breakage].path)
        : [...breakages.map((breakage) => BREAKAGES[breakage].path), ...prepared.problems];
    return { status: 400, code: 'INVALID_POLICY', paths };
  }
  const { who, held } = subject;
  if (who.isAdmin !== true && delegatesChanged(current.delegates, expected.delegates))
    return { status: 403, code: 'DELEGATES_ADMIN_ONLY' };
  if (prepared.unconfirmed.length > 0) {
    const paths = prepared.unconfirmed.map((key) => `confirmDeletedRoles.${key}`);
    return { status: 400, code: 'INVALID_POLICY', paths };
  }
  if (!mayManage(expected, who, held)) {
    const paths = [mayOpen(expected, who, held) ? 'delegates' : 'allowList'];
    return { status: 409, code: 'SAVE_LOCKS_YOU_OUT', paths };
  }
  return { status: 200, expected: { ...expected, features: decidedFeatures(current, expected) } };
}

/**
 * The features a save records as decided for the Administrator role: those the current policy recorded (before any
 * was recorded, those any of its roles names), and those its or the saved Administrator role names (a grant named
 * before and gone now was set to "no access").
 */
function decidedFeatures(current: PolicyContent, saved: PolicyContent): string[] {
  const named = (policy: PolicyContent) =>
    Object.keys(policy.roles.find((role) => role.key === 'administrator')?.grants ?? {});
  const decided = current.features ?? current.roles.flatMap((role) => Object.keys(role.grants));
  return [...new Set([...decided, ...named(current), ...named(saved)])].sort();
}

/** A 400 INVALID_POLICY lists every problem: one at each of `paths` at least, each with a message. */
function expectProblems(res: RawResponse, label: string, paths: readonly string[]): void {
  const problems = (res.body as { problems?: { path: string; message: string }[] }).problems ?? [];
  for (const problem of problems)
    expect(problem, label).toEqual({ path: expect.any(String), message: expect.any(String) });
  for (const path of paths) {
    expect(
      problems.some((problem) => problem.path.startsWith(path)),
      `${label}: a problem at ${path} in ${JSON.stringify(problems)}`,
    ).toBe(true);
  }
}

/**
 * Two admins save at once from the same ETag (compare-and-swap): when both change something, exactly one wins and
 * the other gets 409 with the winner's policy; the log gets one entry.
 */
export class RaceCommand implements fc.AsyncCommand<Model, FuzzWorld> {
  constructor(
    readonly portal: PortalKey,
    readonly recipes: [Recipe, Recipe],
  ) {}

  check(model: Readonly<Model>): boolean {
    return model.portals[this.portal].record === 'active';
  }

  toString(): string {
    return `race(${this.portal}, ${JSON.stringify(this.recipes)})`;
  }

  async run(model: Model, world: FuzzWorld): Promise<void> {
    const label = this.toString();
    const step = await beginStep(world, label);
    const pm = model.portals[this.portal];
    const sessions = [await liveSession(world, model, this.portal, 1), await liveSession(world, model, this.portal, 2)];
    const other = world.portals[otherPortal(this.portal)].memberId;
    const prepared = this.recipes.map((plan) => prepareSave(pm.policy, other, plan));
    const answers = await Promise.all(
      prepared.map((save, i) =>
        world.send({
          method: 'PUT',
          path: '/api/access/policy',
          headers: {
            authorization: `Bearer ${sessions[i]?.token ?? ''}`,
            'if-match': pm.etag,
            'content-type': 'application/json',
          },
          body: save.json,
        }),
      ),
    );
    const verdicts = prepared.map((save, i) => {
      const session = sessions[i];
      if (session === undefined) throw new Error(`${label}: no session for saver ${i}`);
      return saveVerdict(pm.policy, save, subjectOf(model, session));
    });
    const changes = verdicts.map((verdict) => verdict.status === 200 && !sameContent(pm.policy, verdict.expected));
    const winners = answers.flatMap((res, i) => (res.status === 200 && changes[i] === true ? [i] : []));
    for (const [i, res] of answers.entries()) {
      expectNoSecrets(world, model, res, label);
      const verdict = verdicts[i];
      if (verdict === undefined) continue;
      // Each gets what it would get alone, unless the other saved a change first (stale is checked first).
      const possible = changes[1 - i] === true ? [verdict.status, 409] : [verdict.status];
      expect(possible, `${label} → ${res.status} ${res.text.slice(0, 300)}`).toContain(res.status);
      if (res.status !== verdict.status) expectJson(res, label, 409, 'POLICY_CHANGED');
      else if (verdict.status !== 200) {
        expectJson(res, label, verdict.status, verdict.code);
        if (verdict.paths !== undefined) expectProblems(res, label, verdict.paths);
      }
    }
    expect(winners.length, `${label}: saves that changed something`).toBe(changes.some(Boolean) ? 1 : 0);
    const winner = winners[0];
    const verdict = winner === undefined ? undefined : verdicts[winner];
    if (winner !== undefined && verdict?.status === 200) {
      const answer = answers[winner]?.body as { etag: string };
      recordSave(pm, { content: verdict.expected, etag: answer.etag, actor: sessions[winner]?.userId ?? 0 });
    }
    // The one refused as stale gets the settings as they are now, so its editor can show what changed.
    for (const res of answers.filter((answer) => (answer.body as { error?: string }).error === 'POLICY_CHANGED')) {
      expect(res.body, label).toMatchObject({
        current: { policy: { ...pm.policy, version: pm.version }, etag: pm.etag },
      });
    }
    await step.end(model, { writes: winner === undefined ? [] : [this.portal], kinds: ['policy'] });
  }
}

/** Savers: mostly those who may save (the admins, and user 10 whom the edits often make a delegate). */
const saver = caller(
  fc.oneof(
    { weight: 3, arbitrary: fc.constantFrom(1, 2) },
    { weight: 3, arbitrary: fc.constant(10) },
    { weight: 2, arbitrary: fc.constantFrom(...USER_IDS) },
  ),
);

export const saveCommand = fc
  .record({
    who: saver,
    etag: fc.oneof(
      { weight: 6, arbitrary: fc.constant<EtagChoice>('current') },
      {
        weight: 2,
        arbitrary: fc.constantFrom<EtagChoice>(
          'padded',
          'stale',
          'otherPortal',
          'star',
          'weak',
          'garbage',
          'missing',
          'empty',
        ),
      },
    ),
    recipe,
    form: fc.oneof(
      { weight: 12, arbitrary: fc.constant<BodyForm>('json') },
      { weight: 1, arbitrary: fc.constantFrom<BodyForm>('malformedJson', 'textPlain', 'empty') },
    ),
    variant: fc.nat(20),
  })
  .map(({ who, etag, recipe: plan, form, variant }) => new SaveCommand(who, etag, plan, form, variant));

export const raceCommand = fc
  .record({ portal: portalKey, recipes: fc.tuple(changingRecipe, changingRecipe) })
  .map(({ portal, recipes }) => new RaceCommand(portal, recipes));
