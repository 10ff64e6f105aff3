/**
 * `monitor`'s measurement of a champion against its manifest's rollback criteria, week by week
 * over the window (consecutive_weeks): top-decile lift in every week, AUC and top-decile conversion
 * over the whole window.
 */
import type { Manifest } from '../library.js';
import { performanceByVersion, type HistoryRow } from '../org/score-history.js';

export const WEEK_MS = 7 * 86_400_000;

export type WeekFigures = { start: string; end: string; leads: number; conversions: number; topDecileLift: number | null };

/** threshold null: not set (count models whose manifest has neither the threshold nor the validation metric). */
export type Criterion = { criterion: string; actual: number | null; threshold: number | null; breached: boolean; note?: string };

/** `rows`: the champion's scores since `start`; a week's lift counts from `minConversions` conversions. */
export function measureRollbackCriteria(
  rows: HistoryRow[],
  rules: Manifest['gates']['rollback'],
  start: Date,
  minConversions: number,
): { weeks: WeekFigures[]; criteria: Criterion[]; breached: boolean } {
  const weeks: WeekFigures[] = [];
  for (let w = 0; w < rules.consecutive_weeks; w++) {
    const ws = new Date(start.getTime() + w * WEEK_MS);
    const we = new Date(ws.getTime() + WEEK_MS);
    const perf = performanceByVersion(rows.filter((r) => r.Scored_At__c >= ws.toISOString() && r.Scored_At__c < we.toISOString()))[0];
    const counted = perf && perf.conversions >= minConversions;
    weeks.push({ start: ws.toISOString(), end: we.toISOString(), leads: perf?.leads ?? 0, conversions: perf?.conversions ?? 0, topDecileLift: counted ? perf.topDecileLift : null });
  }
  const whole = performanceByVersion(rows)[0];

  const measuredWeeks = weeks.filter((w) => w.topDecileLift !== null);
  const allLow = measuredWeeks.length === weeks.length && measuredWeeks.every((w) => w.topDecileLift! < rules.min_top_decile_lift);
  const criteria: Criterion[] = [
    {
      criterion: `top-decile lift below ${rules.min_top_decile_lift} for ${rules.consecutive_weeks} consecutive weeks`,
      actual: measuredWeeks.length ? Math.max(...measuredWeeks.map((w) => w.topDecileLift!)) : null,
      threshold: rules.min_top_decile_lift,
      breached: allLow,
      ...(measuredWeeks.length < weeks.length ? { note: `${weeks.length - measuredWeeks.length} week(s) with fewer than ${minConversions} conversions` } : {}),
    },
    { criterion: `AUC below ${rules.min_auc}`, actual: whole?.auc ?? null, threshold: rules.min_auc, breached: whole?.auc != null && whole.auc < rules.min_auc },
    {
      criterion: `top-decile conversion below ${rules.min_top_decile_conversion}`,
      actual: whole?.topDecileConversion ?? null,
      threshold: rules.min_top_decile_conversion,
      breached: whole?.topDecileConversion != null && whole.topDecileConversion < rules.min_top_decile_conversion,
    },
  ];
  const breached = criteria.some((c) => c.breached);
  return { weeks, criteria, breached };
}
