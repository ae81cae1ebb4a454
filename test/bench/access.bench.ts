/**
 * `npm run bench:access`: Keycard's access decision against node-casbin on the same directory and policy —
 * 50k users, 2k departments (depth 8), 300 workgroups, 500 rules, 5 delegates (access-fixture.ts).
 *
 * Keycard is timed two ways. Cold: each decision derives the user's access codes from the directory mirror
 * (`accessCodes(snapshot, userId)`), builds the subject and calls `evaluate()` — what the first request of
 * each user pays after the mirror changed. Warm: the codes are memoised, as `mirroredCodes` keeps them per
 * snapshot, so a decision is `evaluate()` alone. The index is built once per policy save (its time is shown).
 *
 * node-casbin is timed as `Enforcer.enforceSync` and as `CachedEnforcer.enforce` (its decision cache), on the
 * model an expert would choose for speed (access-casbin.ts). The cached enforcer is cold when every request
 * misses its cache (its first sight of each question, e.g. after the cache was invalidated by a policy save)
 * and warm when every request hits. Before timing, all contenders must give identical answers on a large
 * sample covering portal admins, unknown admin status, delegates, fired and extranet users, admin-only
 * features and warehouse-scoped `stock` levels.
 */
import {
  CachedEnforcer,
  DefaultRoleManager,
  Enforcer,
  newEnforcerWithClass,
  newModelFromString,
  StringAdapter,
} from 'casbin';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { buildIndex } from '../../server/access/access-index.js';
import { evaluate } from '../../server/access/evaluate.js';
import { subjectOf as mirroredSubject } from '../../server/access/access-service.js';
import type { AccessRequest, Subject } from '../../server/access/subject.js';
import { accessCodes } from '../../server/directory/user-codes.js';
import { loadManifest } from '../../server/manifest.js';
import { CASBIN_MAX_HIERARCHY, CASBIN_MODEL, casbinGroupings, casbinRequester } from './access-casbin.js';
import { accessFixture } from './access-fixture.js';
import { measure, medianOf, printTable, type Measured, type MeasureOptions } from './measure.js';

const TARGET_RATIO = 10;
const TARGET_P99_MICROS = 50;
const CHECKED = 200_000;
const TIMED = 200_000;
const WARM_SET = 20_000;
/** Misses cost tens of µs each: fewer of them keep the run short. */
const CACHED_COLD = 50_000;
const ROUNDS = 3;

interface Question {
  userId: number;
  isAdmin: boolean | null;
  request: AccessRequest;
  casbin: string[];
}

async function casbinEnforcer<T extends Enforcer>(
  kind: new () => T,
  groupings: readonly string[][],
): Promise<{ enforcer: T; buildMs: number }> {
  const started = performance.now();
  const lines = groupings.map((rule) => `g, ${rule.join(', ')}`).join('\n');
  const enforcer = await newEnforcerWithClass(kind, newModelFromString(CASBIN_MODEL), new StringAdapter(lines));
  enforcer.setRoleManager(new DefaultRoleManager(CASBIN_MAX_HIERARCHY));
  await enforcer.buildRoleLinks();
  return { enforcer, buildMs: performance.now() - started };
}

export async function run(): Promise<void> {
  const manifest = loadManifest(fileURLToPath(new URL('../../manifest/keycard.json', import.meta.url)));
  const fixture = accessFixture(manifest);
  const { snapshot, policy } = fixture;
  const toCasbin = casbinRequester(manifest);

  const started = performance.now();
  const index = buildIndex(policy, manifest);
  const keycardBuildMs = performance.now() - started;
  const groupings = casbinGroupings(snapshot, policy, manifest);
  const plain = await casbinEnforcer(Enforcer, groupings);
  const cached = await casbinEnforcer(CachedEnforcer, groupings);

  // Questions drawn deterministically over users and requests; the timed ones are distinct, so a cold
  // cached enforcer misses on every one.
  const userIds = [...snapshot.users.keys()];
  const question = (i: number): Question => {
    const userId = userIds[(i * 7919) % userIds.length] ?? 1;
    const request = fixture.requests[(i * 31 + Math.floor(i / userIds.length)) % fixture.requests.length] ?? {
      feature: 'directory',
      level: 'read',
    };
    const isAdmin = fixture.isAdmin(userId);
    return { userId, isAdmin, request, casbin: toCasbin(userId, isAdmin, request) };
  };
  const subjectOf = (userId: number, isAdmin: boolean | null, codes: readonly string[]): Subject => ({
    userId,
    active: snapshot.users.get(userId)?.active ?? false,
    isAdmin,
    codes,
  });

  const tally = { allowed: 0, delegated: 0, admins: 0, unknownAdmin: 0, adminOnly: 0, scoped: 0, fired: 0 };
  const adminOnly = new Set(['access.manage', ...manifest.features.filter((f) => f.adminOnly).map((f) => f.key)]);
  for (let i = 0; i < CHECKED; i += 1) {
    const q = question(i);
    const decision = evaluate(index, subjectOf(q.userId, q.isAdmin, accessCodes(snapshot, q.userId)), q.request);
    const ours = decision.allowed;
    const theirs = plain.enforcer.enforceSync(...q.casbin);
    const theirsCached = await cached.enforcer.enforce(...q.casbin);
    if (ours !== theirs || ours !== theirsCached)
      throw new Error(
        `Keycard ${ours}, casbin ${theirs}, cached casbin ${theirsCached} for user ${q.userId} ` +
          `(admin ${String(q.isAdmin)}) on ${JSON.stringify(q.request)}`,
      );
    if (ours) tally.allowed += 1;
    if (decision.reasons[0]?.kind === 'delegate') tally.delegated += 1;
    if (q.isAdmin === true) tally.admins += 1;
    if (q.isAdmin === null) tally.unknownAdmin += 1;
    if (adminOnly.has(q.request.feature)) tally.adminOnly += 1;
    if (q.request.resource !== undefined) tally.scoped += 1;
    if (snapshot.users.get(q.userId)?.active === false) tally.fired += 1;
  }
  const codesPerUser = userIds.reduce((sum, id) => sum + accessCodes(snapshot, id).length, 0) / userIds.length;
  process.stdout.write(
    `node ${process.version}, ${availableParallelism()} CPUs, load average ${loadavg()[0]?.toFixed(1)}; ` +
      `${ROUNDS} rounds, contenders taking turns, medians shown\n` +
      `users ${snapshot.users.size}, departments ${snapshot.departments.size}, workgroups ${snapshot.groups.size}, ` +
      `rules ${policy.assignments.length + policy.allowList.length}, delegates ${policy.delegates.length}, ` +
      `codes/user ${codesPerUser.toFixed(1)}; casbin: ${groupings.length} grouping rules, matcher without p lines\n` +
      `equivalence: ${CHECKED}/${CHECKED} identical across Keycard, casbin and cached casbin ` +
      `(${tally.allowed} allowed, ` +
      `${tally.delegated} of them to delegates; ` +
      `${tally.admins} asked by admins, ${tally.unknownAdmin} with unknown admin status, ${tally.fired} by fired ` +
      `users; ${tally.adminOnly} on admin-only features, ${tally.scoped} on one warehouse)\n`,
  );

  // Cold runs ask distinct questions (a cached enforcer misses on each); warm runs cycle over the first
  // WARM_SET of them, whose codes or decisions are memoised after the warm-up.
  const timed = Array.from({ length: TIMED }, (_, i) => question(CHECKED + i));
  const cycle = (questions: readonly Question[], work: (q: Question) => unknown): (() => unknown) => {
    let i = 0;
    return () => {
      const q = questions[i++ % questions.length];
      return q === undefined ? undefined : work(q);
    };
  };
  const warmSet = timed.slice(0, WARM_SET);
  const contenders: { name: string; iterations: number; work: () => unknown; options?: MeasureOptions }[] = [
    {
      name: 'keycard cold',
      iterations: TIMED,
      work: cycle(timed, (q) =>
        evaluate(index, subjectOf(q.userId, q.isAdmin, accessCodes(snapshot, q.userId)), q.request),
      ),
    },
    {
      // The server's own path: `subjectOf` reads the codes it memoised per snapshot.
      name: 'keycard warm',
      iterations: TIMED,
      work: cycle(warmSet, (q) =>
        evaluate(index, mirroredSubject(snapshot, { id: q.userId, isAdmin: q.isAdmin }), q.request),
      ),
      options: { warmup: WARM_SET },
    },
    { name: 'casbin', iterations: TIMED, work: cycle(timed, (q) => plain.enforcer.enforceSync(...q.casbin)) },
    {
      // The cache is emptied before each pass, and no question repeats within one: every call misses.
      name: 'cached cold',
      iterations: CACHED_COLD,
      work: cycle(timed, (q) => cached.enforcer.enforce(...q.casbin)),
      options: { reset: () => cached.enforcer.invalidateCache() },
    },
    {
      // The warm-up pass puts every question of the warm set in the cache: every timed call hits.
      name: 'cached warm',
      iterations: TIMED,
      work: cycle(warmSet, (q) => cached.enforcer.enforce(...q.casbin)),
      options: { warmup: WARM_SET },
    },
  ];
  // The contenders take turns, round after round, so a burst of other load on the machine hits one round of
  // each rather than all rounds of one; each figure is the median of its rounds.
  const rounds = new Map<string, Measured[]>(contenders.map(({ name }) => [name, []]));
  for (let round = 0; round < ROUNDS; round += 1)
    for (const { name, iterations, work, options } of contenders)
      rounds.get(name)?.push(await measure(iterations, work, options));
  const result = (name: string): Measured => medianOf(rounds.get(name) ?? []);
  const keycardCold = result('keycard cold');
  const keycardWarm = result('keycard warm');
  const casbinPlain = result('casbin');
  const cachedCold = result('cached cold');
  const cachedWarm = result('cached warm');

  const row = (engine: string, state: string, buildMs: number, m: Measured) => ({
    engine,
    state,
    'build ms': buildMs,
    'decisions/s': Math.round(m.opsPerSecond),
    'p50 µs': m.p50Micros,
    'p99 µs': m.p99Micros,
  });
  printTable([
    row('keycard accessCodes + evaluate()', 'cold', keycardBuildMs, keycardCold),
    row('keycard evaluate()', 'warm', keycardBuildMs, keycardWarm),
    row('casbin Enforcer.enforceSync', 'cold = warm', plain.buildMs, casbinPlain),
    row('casbin CachedEnforcer.enforce', 'cold (misses)', cached.buildMs, cachedCold),
    row('casbin CachedEnforcer.enforce', 'warm (hits)', cached.buildMs, cachedWarm),
  ]);
  const verdict = (state: string, ours: Measured, theirs: { name: string; m: Measured }[]): void => {
    const best = theirs.reduce((a, b) => (b.m.opsPerSecond > a.m.opsPerSecond ? b : a));
    const ratio = ours.opsPerSecond / best.m.opsPerSecond;
    const ratioMet = ratio >= TARGET_RATIO ? 'met' : 'MISSED';
    const p99Met = ours.p99Micros <= TARGET_P99_MICROS ? 'met' : 'MISSED';
    process.stdout.write(
      `${state}: keycard/best casbin (${best.name}) ${ratio.toFixed(2)}× ` +
        `(target ≥ ${TARGET_RATIO}×) ${ratioMet}; ` +
        `keycard p99 ${ours.p99Micros.toFixed(2)} µs (target ≤ ${TARGET_P99_MICROS} µs) ${p99Met}\n`,
    );
  };
  verdict('cold', keycardCold, [
    { name: 'Enforcer', m: casbinPlain },
    { name: 'CachedEnforcer, misses', m: cachedCold },
  ]);
  verdict('warm', keycardWarm, [
    { name: 'Enforcer', m: casbinPlain },
    { name: 'CachedEnforcer, hits', m: cachedWarm },
  ]);
}
