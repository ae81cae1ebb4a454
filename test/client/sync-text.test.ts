import { describe, expect, it } from 'vitest';
import { estimatePercent, formatDuration, phaseKey, refreshedSummary } from '../../client/components/sync/syncText';
import { testI18n } from './support/i18n';
import { runningSync } from './support/directory';
import { idleSync } from './support/fakes';

const en = testI18n('en');

describe('formatDuration', () => {
  it('writes seconds with a decimal under ten, whole seconds under a minute, then minutes', () => {
    expect(formatDuration(en, 4_250)).toBe('4.3 s');
    expect(formatDuration(en, 42_400)).toBe('42 s');
    expect(formatDuration(en, 185_000)).toBe('3 min 5 s');
    expect(formatDuration(testI18n('ru'), 42_000)).toBe('42 с');
  });
});

describe('estimatePercent', () => {
  it('is indeterminate on a first sync and while departments load', () => {
    expect(estimatePercent(runningSync().progress, null)).toBeNull();
    expect(estimatePercent(runningSync({ phase: 'departments' }).progress, 50_000)).toBeNull();
    expect(estimatePercent(null, 50_000)).toBeNull();
  });

  it('measures users against the last run and never claims 100 before the end', () => {
    expect(estimatePercent(runningSync({ users: 12_500 }).progress, 50_000)).toBe(25);
    expect(estimatePercent(runningSync({ users: 60_000 }).progress, 50_000)).toBe(99);
    expect(estimatePercent(runningSync({ phase: 'workgroups' }).progress, 50_000)).toBe(99);
    expect(estimatePercent(runningSync({ phase: 'members' }).progress, 50_000)).toBe(99);
  });
});

describe('sync texts', () => {
  it('name the phase, or "Starting…" before the first progress report', () => {
    expect(en.t(phaseKey(runningSync({ phase: 'workgroups' }).progress))).toBe('Loading workgroups…');
    expect(en.t(phaseKey(null))).toBe('Starting…');
    expect(en.t(phaseKey(runningSync({ phase: 'members' }).progress))).toBe('Syncing…');
  });

  it('summarise the last refresh, with counts only when the last run is known', () => {
    const at = idleSync.refreshedAt ?? 0;
    expect(refreshedSummary(en, idleSync, at + 10_000)).toBe(
      'Last refreshed just now (50,000 users, 1,365 departments)',
    );
    expect(refreshedSummary(en, { ...idleSync, lastRun: null }, at + 2 * 3_600_000)).toBe('Last refreshed 2 hours ago');
    expect(refreshedSummary(en, { ...idleSync, refreshedAt: null }, at)).toBeNull();
  });
});
