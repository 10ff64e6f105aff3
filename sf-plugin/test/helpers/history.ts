/**
 * Synthetic Lead_Score_History__c rows with a known signal: each lead has a latent propensity;
 * it converts with a probability rising with that propensity, and a version's score mixes the
 * propensity with chance (less noise = a better model). Seeded, so every run sees the same data.
 */
// The service library's seeded generator, so the same seed gives the same history everywhere.
import { seededRandom } from '@lead-scoring/scoring-service/explain';

export type HistoryRow = {
  Lead__c: string;
  Model_Name__c: string;
  Model_Version__c: string;
  Role__c: string;
  Score__c: number;
  Scored_At__c: string;
  Lead__r: { IsConverted: boolean };
};

export type VersionSpec = { version: string; role: 'champion' | 'challenger'; noise: number };

/** `leads` leads scored between `from` and `to` by every version in `versions`. */
export function makeHistory(options: { leads: number; from: Date; to: Date; versions: VersionSpec[]; seed: number; baseRate?: number; idPrefix?: string }): HistoryRow[] {
  const rand = seededRandom(options.seed);
  const rows: HistoryRow[] = [];
  const span = options.to.getTime() - options.from.getTime();
  for (let i = 0; i < options.leads; i++) {
    const propensity = rand();
    const converted = rand() < (options.baseRate ?? 0.01) + 0.12 * propensity ** 3;
    const at = new Date(options.from.getTime() + rand() * span).toISOString();
    const id = `${options.idPrefix ?? '00Q'}${String(i).padStart(12, '0')}`;
    for (const v of options.versions) {
      // noise 0 = the propensity itself, 1 = pure chance.
      const score = (1 - v.noise) * propensity + v.noise * rand();
      rows.push({ Lead__c: id, Model_Name__c: 'lead-scoring', Model_Version__c: v.version, Role__c: v.role, Score__c: score, Scored_At__c: at, Lead__r: { IsConverted: converted } });
    }
  }
  return rows;
}
