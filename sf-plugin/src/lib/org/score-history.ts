/**
 * Live model performance from the org: Lead_Score_History__c (every champion and challenger
 * score) joined to whether the lead converted, measured per version with the library's metrics,
 * the same definitions training used for the manifest's figures.
 */
import type { Connection } from '@salesforce/core';
import {
  auc,
  bottom20Conversion,
  conversionByDecile,
  deprioritizationEfficiency,
  groupByPeriod,
  liftByDecile,
  topDecileConversion,
  topDecileLift,
  type Period,
} from '../library.js';
import { soqlString } from './custom-metadata.js';

export type HistoryRow = {
  Lead__c: string;
  Model_Version__c: string;
  Role__c: string | null;
  Score__c: number | null;
  Scored_At__c: string;
  Lead__r?: { IsConverted?: boolean } | null;
};

export type VersionPerformance = {
  version: string;
  role: string;
  leads: number;
  conversions: number;
  conversionRate: number;
  auc: number | null;
  liftByDecile: number[];
  topDecileLift: number | null;
  topDecileConversion: number | null;
  bottom20Conversion: number | null;
  /** Conversion rate per decile, index 0 = decile 1 (lowest scores), index 9 = decile 10 (top). */
  conversionByDecile: number[];
  /** Share of leads in the bottom 20% minus the share of conversions they hold (the library's definition). */
  deprioritizationEfficiency: number | null;
};

/** The per-version figures of the scores made in one day, ISO week or month (UTC). */
export type PeriodPerformance = { period: string; start: string; end: string; versions: VersionPerformance[] };

export async function readHistory(conn: Connection, model: string, since: Date, until?: Date): Promise<HistoryRow[]> {
  const soql =
    'SELECT Lead__c, Model_Version__c, Role__c, Score__c, Scored_At__c, Lead__r.IsConverted FROM Lead_Score_History__c ' +
    `WHERE Model_Name__c = ${soqlString(model)} AND Scored_At__c >= ${since.toISOString()}` +
    (until ? ` AND Scored_At__c < ${until.toISOString()}` : '') +
    ' ORDER BY Scored_At__c ASC';
  const result = await conn.query<HistoryRow>(soql, { autoFetch: true, maxFetch: 500_000 });
  return result.records;
}

const finite = (x: number): number | null => (Number.isFinite(x) ? Math.round(x * 1e6) / 1e6 : null);

/** Per version: each lead's latest score, and whether the lead converted. */
export function performanceByVersion(rows: HistoryRow[]): VersionPerformance[] {
  const byVersion = new Map<string, { role: Map<string, number>; latest: Map<string, { score: number; converted: boolean; at: string }> }>();
  for (const r of rows) {
    if (r.Score__c === null || r.Score__c === undefined || !r.Model_Version__c) continue;
    const v = byVersion.get(r.Model_Version__c) ?? { role: new Map(), latest: new Map() };
    v.role.set(r.Role__c ?? 'unknown', (v.role.get(r.Role__c ?? 'unknown') ?? 0) + 1);
    const prev = v.latest.get(r.Lead__c);
    if (!prev || prev.at <= r.Scored_At__c) v.latest.set(r.Lead__c, { score: r.Score__c, converted: r.Lead__r?.IsConverted === true, at: r.Scored_At__c });
    byVersion.set(r.Model_Version__c, v);
  }
  return [...byVersion.entries()]
    .map(([version, v]) => {
      const leads = [...v.latest.values()];
      const labels = leads.map((l) => (l.converted ? 1 : 0));
      const scores = leads.map((l) => l.score);
      const conversions = labels.reduce<number>((a, b) => a + b, 0);
      const enough = leads.length >= 10 && conversions > 0;
      const role = [...v.role.entries()].sort((a, b) => b[1] - a[1])[0][0];
      return {
        version,
        role,
        leads: leads.length,
        conversions,
        conversionRate: finite(leads.length ? conversions / leads.length : NaN) ?? 0,
        auc: enough && conversions < leads.length ? finite(auc(labels, scores)) : null,
        liftByDecile: enough ? liftByDecile(labels, scores).map((x) => finite(x) ?? 0) : [],
        topDecileLift: enough ? finite(topDecileLift(labels, scores)) : null,
        topDecileConversion: enough ? finite(topDecileConversion(labels, scores)) : null,
        bottom20Conversion: enough ? finite(bottom20Conversion(labels, scores)) : null,
        conversionByDecile: leads.length >= 10 ? conversionByDecile(labels, scores).map((x) => finite(x) ?? 0) : [],
        deprioritizationEfficiency: enough ? finite(deprioritizationEfficiency(labels, scores)) : null,
      };
    })
    .sort((a, b) => (a.role === b.role ? (a.version < b.version ? -1 : 1) : a.role === 'champion' ? -1 : 1));
}

/** performanceByVersion over the scores of each day, ISO week or month, oldest first. */
export function performanceByPeriod(rows: HistoryRow[], period: Period): PeriodPerformance[] {
  return groupByPeriod(rows, (r) => r.Scored_At__c, period).map((g) => ({
    period: g.key,
    start: g.start,
    end: g.end,
    versions: performanceByVersion(g.items),
  }));
}
