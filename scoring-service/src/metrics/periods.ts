/**
 * Period grouping for monitoring: the one place that says which day, ISO week or month an
 * instant belongs to (UTC), and how rows are grouped by a key. Lead figures are grouped by the
 * period of their score time; count figures by their ordering cycle (or by the period of a
 * cycle that is a date). Both go through groupBy.
 */

export const PERIODS = ['daily', 'weekly', 'monthly'] as const;
export type Period = (typeof PERIODS)[number];

export type Group<T> = { key: string; items: T[] };
export type PeriodGroup<T> = Group<T> & { start: string; end: string };

const DAY_MS = 86_400_000;

function toDate(at: Date | string): Date {
  const d = at instanceof Date ? at : new Date(at);
  if (Number.isNaN(d.getTime())) throw new RangeError(`"${String(at)}" is not a date or date-time (use ISO 8601, e.g. 2026-03-29)`);
  return d;
}

/** Start of the UTC day, ISO week (Monday) or month holding `at`. */
export function periodStart(at: Date | string, period: Period): Date {
  const d = toDate(at);
  const day = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate());
  if (period === 'daily') return new Date(day);
  if (period === 'monthly') return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1));
  const weekday = (d.getUTCDay() + 6) % 7; // Monday 0 ... Sunday 6
  return new Date(day - weekday * DAY_MS);
}

/** End (exclusive) of the period starting at `start`. */
function periodEnd(start: Date, period: Period): Date {
  if (period === 'daily') return new Date(start.getTime() + DAY_MS);
  if (period === 'weekly') return new Date(start.getTime() + 7 * DAY_MS);
  return new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1));
}

/**
 * The period's label: daily `2026-03-29`, weekly the ISO 8601 week `2026-W13` (weeks start on
 * Monday; week 1 holds the year's first Thursday, so 2026-12-31 can be in 2026-W53 and
 * 2027-01-01 too), monthly `2026-03`.
 */
export function periodKey(at: Date | string, period: Period): string {
  const start = periodStart(at, period);
  const iso = start.toISOString();
  if (period === 'daily') return iso.slice(0, 10);
  if (period === 'monthly') return iso.slice(0, 7);
  const thursday = new Date(start.getTime() + 3 * DAY_MS);
  const year = thursday.getUTCFullYear();
  const week = Math.floor((thursday.getTime() - Date.UTC(year, 0, 1)) / (7 * DAY_MS)) + 1;
  return `${year}-W${String(week).padStart(2, '0')}`;
}

/** Items grouped by key, groups in ascending key order (natural order: "cycle 2" before "cycle 10"), items in input order. */
export function groupBy<T>(items: Iterable<T>, keyOf: (item: T) => string): Group<T>[] {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const list = groups.get(key);
    if (list) list.push(item);
    else groups.set(key, [item]);
  }
  return [...groups.entries()]
    .sort((a, b) => a[0].localeCompare(b[0], 'en', { numeric: true }))
    .map(([key, list]) => ({ key, items: list }));
}

/** Items grouped by the day, ISO week or month of `at(item)`, oldest first, each with its [start, end) in ISO. */
export function groupByPeriod<T>(items: Iterable<T>, at: (item: T) => Date | string, period: Period): PeriodGroup<T>[] {
  return groupBy(items, (item) => periodStart(at(item), period).toISOString()).map(({ key, items: list }) => ({
    key: periodKey(key, period),
    start: key,
    end: periodEnd(new Date(key), period).toISOString(),
    items: list,
  }));
}
