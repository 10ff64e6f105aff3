/**
 * The promotion gates of a candidate version, as rows a human can check: test AUC above the
 * champion's, top-decile lift and overfit gap (thresholds from the manifest's gates, whose
 * defaults are the V4.1.0 checklist's).
 */
import type { Manifest } from '../library.js';

export type GateRow = {
  gate: string;
  actual: number | null;
  threshold: number | null;
  comparison: '>' | '>=' | '<' | '<=';
  pass: boolean;
  note?: string;
};

const round = (x: number): number => Math.round(x * 1e6) / 1e6;

/** A gate whose metric metadata.json does not hold: named, so the fix (add it) is obvious. */
const missingMetric = (metric: string): string => `missing: metrics.${metric} is not in the manifest`;

function row(gate: string, actual: number | undefined, comparison: GateRow['comparison'], threshold: number, note?: string, metric?: string): GateRow {
  if (actual === undefined || !Number.isFinite(actual))
    return { gate, actual: null, threshold: round(threshold), comparison, pass: false, note: metric ? missingMetric(metric) : 'not measured' };
  const pass =
    comparison === '>' ? actual > threshold : comparison === '>=' ? actual >= threshold : comparison === '<' ? actual < threshold : actual <= threshold;
  return { gate, actual: round(actual), threshold: round(threshold), comparison, pass, ...(note ? { note } : {}) };
}

/** Gate rows for `candidate`; `champion` is the version currently serving as champion, if any (and not the candidate itself). */
export function evaluatePromotionGates(candidate: Manifest, champion?: Manifest, noChampionNote = 'no champion to beat'): GateRow[] {
  const gates = candidate.gates.promotion;
  const m = candidate.metrics;
  const rows: GateRow[] = [];
  if (candidate.task === 'binary-classification') {
    const championAuc = champion?.metrics.auc_test;
    if (champion && championAuc !== undefined) {
      rows.push(row('test AUC above champion', m.auc_test, '>', championAuc + gates.min_auc_gain_over_champion, `champion ${champion.version}`, 'auc_test'));
    } else {
      rows.push({
        gate: 'test AUC above champion',
        actual: m.auc_test === undefined ? null : round(m.auc_test),
        threshold: null,
        comparison: '>',
        pass: m.auc_test !== undefined,
        note: m.auc_test === undefined ? missingMetric('auc_test') : noChampionNote,
      });
    }
    rows.push(row('top-decile lift', m.top_decile_lift, '>=', gates.min_top_decile_lift, undefined, 'top_decile_lift'));
    const gap = m.overfit_gap ?? (m.auc_train !== undefined && m.auc_test !== undefined ? m.auc_train - m.auc_test : undefined);
    rows.push(row('overfit gap (train - test AUC)', gap, '<', gates.max_overfit_gap, undefined, m.auc_train === undefined ? 'auc_train' : 'overfit_gap'));
  } else {
    // Count and regression models: deviance (lower is better) must not be worse than the champion's.
    const championDev = champion?.metrics.poisson_deviance ?? champion?.metrics.rmse;
    const own = candidate.task === 'poisson-regression' ? m.poisson_deviance : m.rmse;
    const label = candidate.task === 'poisson-regression' ? 'Poisson deviance at most champion' : 'RMSE at most champion';
    const metric = candidate.task === 'poisson-regression' ? 'poisson_deviance' : 'rmse';
    if (champion && championDev !== undefined) rows.push(row(label, own, '<=', championDev, `champion ${champion.version}`, metric));
    else rows.push({ gate: label, actual: own === undefined ? null : round(own), threshold: null, comparison: '<=', pass: own !== undefined, note: own === undefined ? missingMetric(metric) : noChampionNote });
  }
  return rows;
}
