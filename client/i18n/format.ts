import type { Lang } from './index';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * "5 minutes ago" / "5 минут назад", or `null` under 45 seconds (the caller says "just now").
 * A time in the future (a clock ahead of ours) counts as now.
 */
export function relativeTime(lang: Lang, then: number, now: number): string | null {
  const elapsed = Math.max(0, now - then);
  if (elapsed < 45_000) return null;
  const format = new Intl.RelativeTimeFormat(lang, { numeric: 'auto' });
  if (elapsed < HOUR) return format.format(-Math.max(1, Math.round(elapsed / MINUTE)), 'minute');
  if (elapsed < DAY) return format.format(-Math.round(elapsed / HOUR), 'hour');
  if (elapsed < 30 * DAY) return format.format(-Math.round(elapsed / DAY), 'day');
  return format.format(-Math.round(elapsed / (30 * DAY)), 'month');
}

/** Date and time for a tooltip: "6 May 2025, 14:03". */
export function dateTime(lang: Lang, at: number): string {
  return new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' }).format(at);
}
